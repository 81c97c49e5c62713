from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import ebike_pricing
from .charge_tariff_version import _dec


class ChargeTariffEbikeTier(models.Model):
    """A step of an e-bike tariff: a duration tier (up to N minutes costs an
    amount) or a power band (up to N watts costs a rate per hour)."""
    _name = "charge.tariff.ebike.tier"
    _description = "E-bike Tariff Tier"
    _inherit = ["charge.tariff.version.line"]
    _order = "version_id, kind, up_to_minutes, up_to_watts"

    version_id = fields.Many2one("charge.tariff.version", required=True, index=True, ondelete="cascade")
    currency_id = fields.Many2one(related="version_id.currency_id")
    kind = fields.Selection([("duration", "Duration Tier"), ("power", "Power Band")], required=True,
                            default="power")
    up_to_minutes = fields.Integer(string="Up to (min)")
    amount = fields.Monetary()
    up_to_watts = fields.Float(string="Up to (W)", digits=(10, 1))
    rate_per_hour = fields.Float(string="Rate per Hour", digits="Charge Unit Price")

    @api.constrains("up_to_minutes", "amount", "up_to_watts", "rate_per_hour")
    def _check_not_negative(self):
        names = ["up_to_minutes", "amount", "up_to_watts", "rate_per_hour"]
        for tier in self:
            negative = [self._fields[name].get_description(self.env)["string"] for name in names if tier[name] < 0]
            if negative:
                raise ValidationError(self.env._("%(tariff)s: these cannot be negative: %(fields)s",
                                                 tariff=tier.version_id.display_name, fields=", ".join(negative)))

    def _engine_tier(self):
        return ebike_pricing.DurationTier(self.up_to_minutes, _dec(self.amount))

    def _engine_band(self):
        return ebike_pricing.PowerBand(_dec(self.up_to_watts), _dec(self.rate_per_hour))
