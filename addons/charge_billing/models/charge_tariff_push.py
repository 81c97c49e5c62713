from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.charge_device.tools import ocpp_routes

FAILED = ("rejected", "timeout", "failed")
PUSH_STATES = [
    ("queued", "Queued"), ("sent", "Sent"), ("accepted", "Accepted"), ("rejected", "Rejected"),
    ("timeout", "Timed Out"), ("failed", "Failed"),
]


class ChargeTariffPush(models.Model):
    """One delivery of a tariff version to one pile: a DataTransfer SetTariff
    command, followed until the pile accepts it, rejects it or stays silent."""
    _name = "charge.tariff.push"
    _description = "Tariff Push"
    _order = "id desc"
    _check_company_auto = True

    version_id = fields.Many2one("charge.tariff.version", required=True, index=True, ondelete="cascade")
    tariff_id = fields.Many2one(related="version_id.tariff_id", store=True, index=True)
    pile_id = fields.Many2one("charge.pile", required=True, index=True, ondelete="cascade")
    station_id = fields.Many2one(related="pile_id.station_id", store=True)
    company_id = fields.Many2one(related="pile_id.company_id", store=True, index=True)
    command_id = fields.Many2one("charge.device.command", string="Command", readonly=True, ondelete="set null")
    state = fields.Selection(PUSH_STATES, compute="_compute_state", store=True, index=True, readonly=True)
    error = fields.Text(compute="_compute_state", store=True, readonly=True)
    offline_error = fields.Text(readonly=True)
    sent_date = fields.Datetime(related="command_id.sent_date", string="Sent")
    answer_date = fields.Datetime(related="command_id.answer_date", string="Answered")
    user_id = fields.Many2one("res.users", string="Pushed By", default=lambda self: self.env.user, readonly=True)
    superseded = fields.Boolean(readonly=True, index=True,
                                help="A later push to the same pile replaced this one.")

    @api.depends("command_id.state", "command_id.error", "command_id.response", "offline_error")
    def _compute_state(self):
        for push in self:
            command = push.command_id
            if not command:
                push.state, push.error = "failed", push.offline_error
            else:
                push.state = command.state
                push.error = command.error or (command.response if command.state == "rejected" else False)

    @api.depends("version_id", "pile_id")
    def _compute_display_name(self):
        for push in self:
            push.display_name = f"{push.version_id.display_name} → {push.pile_id.serial}"

    @api.model
    def _push(self, version, piles):
        """Send ``version`` to ``piles``; offline piles get a failed push to resend later."""
        self.search([("pile_id", "in", piles.ids), ("superseded", "=", False)]).write({"superseded": True})
        pushes = self.browse()
        for pile in piles:
            values = {"version_id": version.id, "pile_id": pile.id}
            if not pile.online:
                values["offline_error"] = self.env._("The pile is offline.")
            else:
                payload = {"vendorId": ocpp_routes.VENDOR_ID, "messageId": "SetTariff",
                           "data": version._push_json(pile)}
                values["command_id"] = self.env["charge.device.command"]._send(pile, "DataTransfer", payload).id
            pushes |= self.create(values)
        pushes.pile_id.write({"tariff_push_pending": False})
        return pushes

    def action_resend(self):
        """Send again the failed, rejected or timed-out pushes (the latest per pile)."""
        retry = self.filtered(lambda p: p.state in FAILED and not p.superseded)
        if not retry:
            raise UserError(self.env._("Only the latest push of a pile that failed, was rejected or timed out "
                                       "can be resent."))
        for version in retry.version_id:
            self._push(version, retry.filtered(lambda p: p.version_id == version).pile_id)
        return True

    @api.model
    def _cron_push_due(self):
        """Versions whose effective time came go to their piles, and so do
        piles whose tariff assignment changed without an immediate push."""
        now = fields.Datetime.now()
        due = self.env["charge.tariff.version"].search([
            ("state", "=", "published"), ("pushed", "=", False), ("effective_date", "<=", now)])
        due._push_to_piles()
        pending = self.env["charge.pile"].search([("tariff_push_pending", "=", True), ("online", "=", True)])
        for pile in pending:
            version = pile.effective_tariff_id._version_at(now) if pile.effective_tariff_id else False
            if version:
                self._push(version, pile)
            else:
                pile.tariff_push_pending = False
