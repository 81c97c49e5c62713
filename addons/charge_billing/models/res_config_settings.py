from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    charge_currency_id = fields.Many2one(related="company_id.currency_id", string="Charging Currency")
    charge_abnormal_review = fields.Boolean(related="company_id.charge_abnormal_review", readonly=False)
    charge_pile_amount_tolerance = fields.Monetary(related="company_id.charge_pile_amount_tolerance",
                                                   currency_field="charge_currency_id", readonly=False)
