from odoo import api, fields, models


class ChargeTariffPreset(models.Model):
    """An amount or a duration the app offers to prepay (at most 12 per version)."""
    _name = "charge.tariff.preset"
    _description = "Prepay Preset"
    _inherit = ["charge.tariff.version.line"]
    _order = "version_id, sequence, id"

    version_id = fields.Many2one("charge.tariff.version", required=True, index=True, ondelete="cascade")
    currency_id = fields.Many2one(related="version_id.currency_id")
    sequence = fields.Integer(default=10)
    kind = fields.Selection([("amount", "Amount"), ("duration", "Duration")], required=True, default="amount")
    amount = fields.Monetary()
    minutes = fields.Integer()

    _positive = models.Constraint("CHECK(amount >= 0 AND minutes >= 0)", "Presets cannot be negative.")

    @api.depends("kind", "amount", "minutes")
    def _compute_display_name(self):
        for preset in self:
            if preset.kind == "amount":
                preset.display_name = f"{preset.amount:.2f} {preset.currency_id.symbol or ''}".strip()
            else:
                preset.display_name = self.env._("%s min", preset.minutes)
