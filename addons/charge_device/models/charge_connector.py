import json

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import ocpp_labels, qr_labels

STUCK_STATUSES = ("charging", "preparing", "reserved", "finishing", "suspended_ev", "suspended_evse")


class ChargeConnector(models.Model):
    _inherit = "charge.connector"

    error_code = fields.Char(string="Error Code (OCPP)", readonly=True,
                             help="OCPP ChargePointErrorCode last reported.")
    error_code_label = fields.Selection(ocpp_labels.ERROR_CODES, string="Error Code",
                                        compute="_compute_error_code_label")
    vendor_error_code = fields.Char(string="Vendor Error Code", readonly=True)
    error_info = fields.Char(string="Error Info", readonly=True)
    operative = fields.Boolean(
        default=True, readonly=True,
        help="Cleared when the pile accepts (or schedules) a ChangeAvailability Inoperative for this connector "
        "or the whole pile, set again when it accepts Operative: no charge starts on an inoperative connector.")
    session_ids = fields.One2many("charge.session", "connector_id", string="Sessions")
    active_session_id = fields.Many2one("charge.session", string="Current Session",
                                        compute="_compute_active_session_id")
    qr_url = fields.Char(string="QR Code URL", compute="_compute_qr_url")

    @api.depends("error_code")
    def _compute_error_code_label(self):
        for connector in self:
            connector.error_code_label = ocpp_labels.label_key(connector.error_code, ocpp_labels.ERROR_CODES)

    def _compute_active_session_id(self):
        sessions = self.env["charge.session"].search(
            [("connector_id", "in", self.ids), ("state", "!=", "finished")], order="start_date desc")
        for connector in self:
            connector.active_session_id = sessions.filtered(lambda s: s.connector_id == connector)[:1]

    @api.depends("code", "number", "pile_id.serial", "station_id.code", "company_id.charge_qr_url_pattern")
    def _compute_qr_url(self):
        for connector in self:
            try:
                connector.qr_url = qr_labels.qr_url(
                    connector.company_id.charge_qr_url_pattern or "", connector_code=connector.code or "",
                    pile_serial=connector.pile_id.serial or "", connector_number=connector.number,
                    station_code=connector.station_id.code or "",
                )
            except ValueError:
                connector.qr_url = False

    def _qr_payload(self):
        self.ensure_one()
        return json.dumps({"connectorId": self.number, "url": self.qr_url or ""}, ensure_ascii=False)

    @api.model
    def _on_statuses_changed(self, keys, faults, recovered):
        """After the listener wrote statuses: notify open views, open alarms
        for faults, close the fault alarms of connectors that recovered.
        ``keys`` and ``recovered`` are (pile id, connector number) pairs,
        ``faults`` (pile id, StatusNotification payload) pairs."""
        if keys:
            # every Charging User listens on the channel of their groups (the group from the
            # cached xml id: no query on the listener's path, where env.ref would check it exists)
            group = self.env["res.groups"].browse(
                self.env["ir.model.data"]._xmlid_to_res_id("charge_base.group_charge_user", raise_if_not_found=True))
            self.env["bus.bus"]._sendone(group, "charge_connector_status",
                                         {"piles": sorted({pile_id for pile_id, _number in keys})})
        if faults:
            self.env["charge.alarm"]._raise_for_statuses(faults)
        if recovered:
            self.env["charge.alarm"]._close_recovered(recovered)

    # Commands -------------------------------------------------------------------

    def action_remote_stop(self):
        for connector in self:
            session = connector.active_session_id
            if not session:
                raise UserError(self.env._("Connector %s has no session in progress.", connector.display_name))
            connector.pile_id._send_command("RemoteStopTransaction", {"transactionId": session.id},
                                            connector=connector)

    def action_unlock(self):
        """Release the connector: UnlockConnector to the pile when it is online,
        and clear a status stuck without a session on the platform's side."""
        for connector in self:
            if connector.pile_id.online:
                connector.pile_id._send_command("UnlockConnector", {"connectorId": connector.number},
                                                connector=connector)
            if connector.status in STUCK_STATUSES and not connector.active_session_id:
                connector.status = "available" if connector.pile_id.online else "offline"

    def action_refresh_status(self):
        for connector in self:
            connector.pile_id._send_command("TriggerMessage", {
                "requestedMessage": "StatusNotification", "connectorId": connector.number,
            }, connector=connector)
