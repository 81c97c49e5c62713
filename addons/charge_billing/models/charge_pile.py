from odoo import api, fields, models
from odoo.exceptions import UserError

from .charge_tariff_push import PUSH_STATES


class ChargePile(models.Model):
    _inherit = "charge.pile"

    tariff_id = fields.Many2one("charge.tariff", string="Tariff Override", check_company=True, tracking=True,
                                domain="[('kind', '=', kind), ('company_id', '=', company_id)]",
                                help="Leave empty to bill with the station's default tariff.")
    effective_tariff_id = fields.Many2one("charge.tariff", string="Effective Tariff",
                                          compute="_compute_effective_tariff", store=True, index=True)
    tariff_push_ids = fields.One2many("charge.tariff.push", "pile_id", string="Tariff Pushes")
    tariff_push_id = fields.Many2one("charge.tariff.push", compute="_compute_tariff_push", string="Last Push")
    tariff_push_state = fields.Selection(PUSH_STATES, compute="_compute_tariff_push", string="Tariff Sync")
    tariff_push_pending = fields.Boolean(readonly=True, copy=False,
                                         help="The tariff changed; the push cron sends it when the pile is online.")

    @api.depends("tariff_id", "station_id.tariff_id")
    def _compute_effective_tariff(self):
        for pile in self:
            pile.effective_tariff_id = pile.tariff_id or pile.station_id.tariff_id

    def _compute_tariff_push(self):
        """The pile's latest push (the one not superseded), in one query for all piles."""
        pushes = self.env["charge.tariff.push"].search(
            [("pile_id", "in", self.ids), ("superseded", "=", False)], order="id")
        latest = {push.pile_id.id: push for push in pushes}
        for pile in self:
            push = latest.get(pile.id, self.env["charge.tariff.push"])
            pile.tariff_push_id = push
            pile.tariff_push_state = push.state

    def write(self, vals):
        if "tariff_id" in vals and "tariff_push_pending" not in vals:
            vals = dict(vals, tariff_push_pending=True)
        return super().write(vals)

    def _tariff_version_at(self, when):
        """The tariff version that prices a session starting at ``when`` on this pile."""
        self.ensure_one()
        return self.effective_tariff_id._version_at(when) if self.effective_tariff_id else self.env[
            "charge.tariff.version"]

    def action_push_tariff(self):
        now = fields.Datetime.now()
        for pile in self:
            version = pile._tariff_version_at(now)
            if not version:
                raise UserError(self.env._("Pile %s has no tariff in force to push.", pile.display_name))
            self.env["charge.tariff.push"]._push(version, pile)
        return True
