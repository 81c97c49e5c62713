from odoo import fields, models

STATUSES = [("Accepted", "Accepted"), ("Blocked", "Blocked"), ("Expired", "Expired"), ("Invalid", "Invalid"),
            ("ConcurrentTx", "Concurrent Transaction")]
STAGES = [("authorize", "Authorize"), ("start", "Start Transaction"), ("stop", "Stop Transaction"),
          ("backoffice", "Back-Office Check")]


class ChargeAuthorization(models.Model):
    """A refused start: who tried, where, the OCPP status the pile got and why."""
    _name = "charge.authorization"
    _description = "Refused Start"
    _order = "date desc, id desc"

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    pile_id = fields.Many2one("charge.pile", string="Pile", readonly=True, index=True, ondelete="cascade")
    station_id = fields.Many2one(related="pile_id.station_id", store=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    id_tag = fields.Char(string="Id Tag", readonly=True, index=True)
    card_id = fields.Many2one("charge.card", string="Card", readonly=True, index=True, ondelete="set null")
    partner_id = fields.Many2one("res.partner", string="Member", readonly=True, index=True, ondelete="set null")
    group_id = fields.Many2one("charge.group", string="Group", readonly=True, ondelete="set null")
    stage = fields.Selection(STAGES, required=True, readonly=True)
    status = fields.Selection(STATUSES, string="OCPP Status", required=True, readonly=True)
    reason = fields.Char(string="Reason Code", required=True, readonly=True)
    reason_text = fields.Char(string="Reason", readonly=True)
