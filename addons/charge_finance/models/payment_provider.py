from odoo import fields, models
from odoo.exceptions import UserError

ENABLED_PROVIDER_STATES = ("enabled", "test")  # the states of a provider that takes payments


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

    # Transfers to members (withdrawals) ------------------------------------------------------

    def _charge_can_transfer(self):
        """Whether the provider pays money out to members (withdrawals paid
        online). Odoo's demo provider simulates it; a real provider module
        overrides this and ``_charge_transfer``."""
        self.ensure_one()
        return self.code == "demo" and self.state in ENABLED_PROVIDER_STATES

    def _charge_transfer(self, withdrawal):
        """Pay ``withdrawal`` (its amount less its fee) to its member; the
        provider's reference of the transfer, or a UserError."""
        self.ensure_one()
        if self.code == "demo" and self._charge_can_transfer():
            return f"demo-transfer-{withdrawal.name}"
        raise UserError(self.env._("The payment provider %s does not pay money out: pay the withdrawal offline.",
                                   self.name))
