import json

from odoo import api, fields, models

from ..tools.order_checks import RULES
from .tariff_messages import anomaly_message

CODES = [
    ("band_sum", "Band energies differ from the total"),
    ("negative_duration", "Negative duration"),
    ("start_too_old", "Start more than 90 days ago"),
    ("end_in_future", "End more than 15 minutes ahead"),
    ("over_24_hours", "Longer than 24 hours"),
    ("over_500_kwh", "More than 500 kWh"),
    ("negative_energy", "Negative energy"),
    ("over_10_kwh_per_minute", "More than 10 kWh per minute"),
    ("energy_without_duration", "Energy with zero duration"),
    ("pile_amount_mismatch", "Pile amount differs from ours"),
    ("negative_amount", "Negative amount"),
    ("amount_without_energy", "Amount with zero energy"),
    ("meter_stop_below_start", "Final register below the start"),
    ("meter_backwards", "Meter went backwards"),
    ("soc_without_energy", "SoC moved with zero energy"),
    ("start_failed", "Start failed"),
    ("start_rejected", "Start refused"),
    ("no_tariff", "No tariff in force"),
    ("pricing_error", "Could not be priced"),
    ("manual", "Marked by a user"),
]


class ChargeOrderAnomaly(models.Model):
    """Why an order is abnormal: one broken rule, with its figures."""
    _name = "charge.order.anomaly"
    _description = "Charging Order Anomaly"
    _order = "order_id, id"

    order_id = fields.Many2one("charge.order", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    code = fields.Selection(CODES, required=True, readonly=True)
    rule = fields.Char(compute="_compute_description", help="The rule letter of the operator manual.")
    params = fields.Text(readonly=True)
    description = fields.Char(compute="_compute_description")

    @api.depends("code", "params")
    def _compute_description(self):
        for anomaly in self:
            anomaly.rule = RULES.get(anomaly.code, ("",))[0]
            anomaly.description = anomaly_message(self.env, anomaly.code, json.loads(anomaly.params or "{}"))
