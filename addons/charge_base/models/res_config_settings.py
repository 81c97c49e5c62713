from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    charge_hotline = fields.Char(related="company_id.charge_hotline", readonly=False)
    charge_map_provider = fields.Selection(
        related="company_id.charge_map_provider", readonly=False, required=True,
    )
    charge_currency_id = fields.Many2one(related="company_id.currency_id", string="Charging Currency")
    charge_max_operation_amount = fields.Monetary(related="company_id.charge_max_operation_amount",
                                                  currency_field="charge_currency_id", readonly=False)
