from odoo import api, fields, models

from ..tools import ocpp_labels

FRAME_TYPES = [("call", "Call"), ("result", "Call Result"), ("error", "Call Error"), ("invalid", "Invalid")]


class ChargeDeviceMessage(models.Model):
    """Log of the frames received from devices, and the reply each one got.

    (serial, message id) identifies a frame: a redelivered frame is answered
    with the stored reply and changes nothing. Written with SQL by the listener.
    """
    _name = "charge.device.message"
    _description = "Device Message"
    _order = "id desc"
    _log_access = False

    serial = fields.Char(required=True, index=True, readonly=True)
    message_id = fields.Char(string="Message Id", required=True, readonly=True)
    pile_id = fields.Many2one("charge.pile", string="Pile", index=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    received_at = fields.Datetime(required=True, index=True, readonly=True)
    frame_type = fields.Selection(FRAME_TYPES, required=True, readonly=True)
    action = fields.Char(string="Action (OCPP)", index=True, readonly=True)
    action_label = fields.Selection(ocpp_labels.PILE_ACTIONS, string="Action", compute="_compute_ocpp_labels")
    payload = fields.Text(readonly=True)
    payload_hash = fields.Char(readonly=True)
    reply = fields.Text(readonly=True)
    error_code = fields.Char(string="Error Code (OCPP)", readonly=True, index=True)
    error_code_label = fields.Selection(ocpp_labels.FRAME_CODES, string="Error Code", compute="_compute_ocpp_labels")
    error_description = fields.Text(readonly=True)

    _frame_key = models.Index("(serial, message_id)")
    # the invalid frames of a pile in a recent window (alarm 5003)
    _pile_flagged = models.Index("(pile_id, received_at) WHERE error_code IS NOT NULL")

    @api.depends("action", "error_code")
    def _compute_ocpp_labels(self):
        for message in self:
            message.action_label = ocpp_labels.label_key(message.action, ocpp_labels.PILE_ACTIONS)
            message.error_code_label = ocpp_labels.label_key(message.error_code, ocpp_labels.FRAME_CODES)

    @api.depends("serial", "action", "message_id")
    def _compute_display_name(self):
        for message in self:
            message.display_name = f"{message.serial} {message.action or message.frame_type} #{message.message_id}"

    # the log is pruned by the retention job (models/charge_retention.py), on the company's settings
