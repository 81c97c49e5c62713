from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    charge_hotline = fields.Char(related="company_id.charge_hotline", readonly=False)
    charge_map_provider = fields.Selection(
        related="company_id.charge_map_provider", readonly=False, required=True,
    )
