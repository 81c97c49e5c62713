from decimal import Decimal

from odoo import api, models

from .demo_once import as_user, first_time


class ChargeWithdrawal(models.Model):
    _inherit = "charge.withdrawal"

    @api.model
    def _charge_demo_withdrawals(self, rows, accountant):
        """Demo data: withdrawals in each state. ``rows``: [member, amount,
        state (pending, offline, online, cancel), through the demo provider];
        ``accountant`` processes them. A member without enough withdrawable
        cash is skipped."""
        if not first_time(self.env, "withdrawals"):
            return self.browse()
        accountant = self.env["res.users"].browse(accountant)
        provider = self.env.ref("payment.payment_provider_demo", raise_if_not_found=False)
        created = self.browse()
        for member, amount, state, online in rows:
            wallet = self.env["res.partner"].browse(member)._charge_wallet()
            channel = provider if online and provider and provider._charge_can_transfer() else None
            if wallet.withdrawable_balance < amount or (online and not channel):
                continue
            withdrawal = self._charge_request(wallet, Decimal(str(amount)), channel, payee_name=wallet.partner_id.name)
            if state in ("offline", "online"):
                as_user(withdrawal, accountant)._charge_pay(state)
            elif state == "cancel":
                as_user(withdrawal, accountant).action_cancel()
            created |= withdrawal
        return created
