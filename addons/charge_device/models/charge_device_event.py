from odoo import fields, models


class ChargeDeviceEvent(models.Model):
    """Online and offline log of the piles."""
    _name = "charge.device.event"
    _description = "Device Online/Offline Event"
    _order = "date desc, id desc"

    pile_id = fields.Many2one("charge.pile", string="Pile", required=True, index=True, ondelete="cascade")
    station_id = fields.Many2one(related="pile_id.station_id", store=True)
    company_id = fields.Many2one(related="pile_id.company_id", store=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    event = fields.Selection(
        [("online", "Online"), ("offline", "Offline"), ("boot", "Boot"), ("rejected", "Boot Rejected"),
         ("refused", "Charge Refused")],
        required=True,
    )
    note = fields.Char()
