from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.charge_fapiao_request import TYPES


class ChargeFapiaoRequestWizard(models.TransientModel):
    """Customer service asks for a fapiao on behalf of a member, on the orders chosen in the list."""
    _name = "charge.fapiao.request.wizard"
    _description = "Ask for a Fapiao"

    order_ids = fields.Many2many("charge.order", string="Orders", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Member", readonly=True)
    title = fields.Char(string="Invoice Title", required=True)
    tax_id = fields.Char(string="Taxpayer ID")
    email = fields.Char()
    fapiao_type = fields.Selection(TYPES, string="Type", required=True, default="electronic")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        orders = self.env["charge.order"].browse(self.env.context.get("active_ids") or [])
        if orders:
            if len(orders.partner_id) != 1:
                raise UserError(self.env._("Choose the orders of one member."))
            values.update(order_ids=[(6, 0, orders.ids)], partner_id=orders.partner_id.id,
                          title=orders.partner_id.name, email=orders.partner_id.email)
        return values

    def action_confirm(self):
        self.ensure_one()
        request = self.env["charge.fapiao.request"]._charge_request(
            self.partner_id, self.order_ids, self.title, self.fapiao_type, tax_id=self.tax_id, email=self.email)
        return {"type": "ir.actions.act_window", "res_model": "charge.fapiao.request", "res_id": request.id,
                "view_mode": "form", "target": "current"}
