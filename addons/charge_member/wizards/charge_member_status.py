from odoo import fields, models

from ..models.res_partner import MEMBER_STATUSES


class ChargeMemberStatus(models.TransientModel):
    """The confirmation before freezing, unfreezing or blacklisting members."""
    _name = "charge.member.status"
    _description = "Change Member Status"

    partner_ids = fields.Many2many("res.partner", string="Members", required=True)
    status = fields.Selection(MEMBER_STATUSES, required=True)
    member_count = fields.Integer(compute="_compute_member_count")
    note = fields.Char(string="Reason")

    def _compute_member_count(self):
        for wizard in self:
            wizard.member_count = len(wizard.partner_ids)

    def action_confirm(self):
        self.ensure_one()
        self.partner_ids._charge_set_status(self.status, self.note)
        return {"type": "ir.actions.act_window_close"}
