from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    charge_wallet_journal_id = fields.Many2one(related="company_id.charge_wallet_journal_id", readonly=False)
    charge_cash_liability_account_id = fields.Many2one(related="company_id.charge_cash_liability_account_id",
                                                       readonly=False)
    charge_gift_liability_account_id = fields.Many2one(related="company_id.charge_gift_liability_account_id",
                                                       readonly=False)
    charge_revenue_electricity_account_id = fields.Many2one(
        related="company_id.charge_revenue_electricity_account_id", readonly=False)
    charge_revenue_service_account_id = fields.Many2one(related="company_id.charge_revenue_service_account_id",
                                                        readonly=False)
    charge_revenue_reservation_account_id = fields.Many2one(
        related="company_id.charge_revenue_reservation_account_id", readonly=False)
    charge_revenue_occupancy_account_id = fields.Many2one(
        related="company_id.charge_revenue_occupancy_account_id", readonly=False)
    charge_card_fee_account_id = fields.Many2one(related="company_id.charge_card_fee_account_id", readonly=False)
    charge_marketing_expense_account_id = fields.Many2one(related="company_id.charge_marketing_expense_account_id",
                                                          readonly=False)
    charge_recharge_clearing_account_id = fields.Many2one(related="company_id.charge_recharge_clearing_account_id",
                                                          readonly=False)
    charge_adjustment_account_id = fields.Many2one(related="company_id.charge_adjustment_account_id", readonly=False)
    charge_tax_electricity_id = fields.Many2one(related="company_id.charge_tax_electricity_id", readonly=False)
    charge_tax_service_id = fields.Many2one(related="company_id.charge_tax_service_id", readonly=False)
    charge_tax_reservation_id = fields.Many2one(related="company_id.charge_tax_reservation_id", readonly=False)
    charge_tax_occupancy_id = fields.Many2one(related="company_id.charge_tax_occupancy_id", readonly=False)
    charge_posting_mode = fields.Selection(related="company_id.charge_posting_mode", readonly=False)

    def action_charge_finance_setup(self):
        """Create the wallet journal and the missing wallet accounts of the company."""
        self.company_id._charge_finance_setup()
        return {"type": "ir.actions.client", "tag": "reload"}
