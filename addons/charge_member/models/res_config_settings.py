from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    charge_wallet_priority = fields.Selection(related="company_id.charge_wallet_priority", readonly=False)
    charge_min_start_amount = fields.Monetary(related="company_id.charge_min_start_amount",
                                              currency_field="charge_currency_id", readonly=False)
    charge_card_fee = fields.Monetary(related="company_id.charge_card_fee", currency_field="charge_currency_id",
                                      readonly=False)
