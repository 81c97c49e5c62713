from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    charge_walkin_partner_id = fields.Many2one(related="company_id.charge_walkin_partner_id", readonly=False)
    charge_card_liability_account_id = fields.Many2one(related="company_id.charge_card_liability_account_id",
                                                       readonly=False)
