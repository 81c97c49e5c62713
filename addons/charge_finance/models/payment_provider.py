from odoo import fields, models


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    charge_clearing_account_id = fields.Many2one(
        "account.account", string="Recharge Clearing Account", check_company=True,
        domain=[("account_type", "in", ("asset_current", "asset_cash"))],
        help="Online recharges paid through this provider wait on this account until the provider pays them "
             "out; empty: the company's recharge clearing account.")

    def _charge_clearing_account(self):
        self.ensure_one()
        return self.charge_clearing_account_id or self.company_id.charge_recharge_clearing_account_id
