from decimal import Decimal
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ChargeFinanceCase

D = Decimal


@tagged("post_install", "-at_install")
class TestWithdrawals(ChargeFinanceCase):
    """Members withdraw the cash of their wallets: the amount leaves the
    wallet when asked for, finance (or the scheduled job, within the
    company's limits) pays it out less the fee; the books follow."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"charge_withdrawal_fee_rate": 1.0, "charge_withdrawal_min_amount": 10.0})
        cls.li_wallet._recharge(100)
        cls.li_wallet._recharge(50, on_account=True)
        cls.li_wallet._gift(10)
        cls.provider = cls.demo_provider()
        cls.clerk = cls.company_user("withdrawal-clerk", "charge_base.group_charge_user")
        cls.accountant = cls.company_user("withdrawal-accountant", "charge_finance.group_charge_accountant")
        cls.Withdrawal = cls.env["charge.withdrawal"]

    def ask(self, amount, provider=None):
        return self.Withdrawal._charge_request(self.li_wallet, D(amount), provider, payee_name="李雷",
                                               payee_account="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")

    def code(self, role):
        return self.accounts[role].code

    def test_asked_held_then_paid_offline_with_the_fee(self):
        withdrawal = self.ask("60")
        self.assertEqual((withdrawal.state, withdrawal.amount, withdrawal.fee, withdrawal.net_amount),
                         ("pending", 60.0, 0.6, 59.4))
        self.assertEqual((self.li_wallet.withdrawable_balance, self.li_wallet.on_account_balance,
                          self.li_wallet.gift_balance), (40.0, 50.0, 10.0), "the amount left the wallet at once")
        line = withdrawal.wallet_transaction_id
        self.assertEqual((line.type, line.withdrawable_amount, line.withdrawal_id), ("withdrawal", -60.0, withdrawal))
        self.assertEqual(self.by_account(self.entry(line)),
                         {self.code("cash_liability"): 60.0, self.code("withdrawal_payable"): -60.0})

        withdrawal.with_user(self.accountant)._charge_pay("offline")
        self.assertEqual((withdrawal.state, withdrawal.payout_method, withdrawal.processed_by_id),
                         ("done", "offline", self.accountant))
        self.assertEqual(self.by_account(withdrawal.move_id), {
            self.code("withdrawal_payable"): 60.0, self.code("clearing"): -59.4, self.code("withdrawal_fee"): -0.6})
        self.assertEqual(self.gl_balance(self.accounts["withdrawal_payable"]), 0.0, "nothing owed any more")
        self.assertEqual(self.reconciliation()["cash"], (90.0, 0.0, 90.0, 0.0))
        with self.assertRaisesRegex(UserError, "not waiting"):
            withdrawal.with_user(self.accountant)._charge_pay("offline")

    def test_only_withdrawable_cash_leaves_unless_on_account_money_may(self):
        with self.assertRaisesRegex(UserError, "withdrawable cash"):
            self.ask("100.01")
        self.company.charge_withdrawal_on_account = True
        withdrawal = self.ask("120")
        self.assertEqual(withdrawal.wallet_transaction_id._movement().on_account, D("-20"))
        with self.assertRaisesRegex(UserError, "withdrawable cash"):
            self.ask("30.01")  # 30 left, gift money never leaves
        self.assertEqual(self.li_wallet.gift_balance, 10.0)

    def test_a_cancelled_request_puts_the_amount_back(self):
        withdrawal = self.ask("30")
        withdrawal.with_user(self.accountant).action_cancel()
        self.assertEqual((withdrawal.state, self.li_wallet.withdrawable_balance), ("cancel", 100.0))
        self.assertEqual(withdrawal.release_transaction_id.withdrawable_amount, 30.0)
        self.assertEqual(self.gl_balance(self.accounts["withdrawal_payable"]), 0.0)
        with self.assertRaisesRegex(UserError, "not waiting"):
            withdrawal.with_user(self.accountant)._charge_pay("offline")
        with self.assertRaisesRegex(UserError, "Only a waiting"):
            withdrawal.with_user(self.accountant).action_cancel()

    def test_requests_outside_the_rules_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "least"):
            self.ask("9.99")
        with self.assertRaisesRegex(ValidationError, "decimals"):
            self.ask("10.001")
        self.company.charge_withdrawal_enabled = False
        with self.assertRaisesRegex(ValidationError, "does not take withdrawals"):
            self.ask("20")
        self.company.charge_withdrawal_enabled = True
        self.li.sudo().charge_status = "frozen"
        with self.assertRaisesRegex(UserError, "frozen"):
            self.ask("20")
        with self.assertRaises(ValidationError):
            self.company.charge_withdrawal_fee_rate = 100
        self.assertFalse(self.Withdrawal.search([("wallet_id", "=", self.li_wallet.id)]))
        self.assertEqual(self.li_wallet.withdrawable_balance, 100.0)

    def test_automatic_processing_within_the_limits(self):
        self.li_wallet._recharge(100)  # 200 withdrawable
        self.company.write({"charge_withdrawal_auto": True, "charge_withdrawal_auto_max": 50.0,
                            "charge_withdrawal_daily_count": 2})
        first = self.ask("40", self.provider)
        large = self.ask("60", self.provider)  # above the single maximum
        self.company.charge_withdrawal_daily_count = 1
        again = self.ask("20", self.provider)  # the day's automatic one is taken
        offline = self.ask("10")  # no provider to pay it through
        self.assertEqual([w.automatic for w in (first, large, again, offline)], [True, False, False, False])
        self.Withdrawal._cron_pay_automatic()
        self.assertEqual((first.state, first.payout_method, first.payout_reference),
                         ("done", "online", f"demo-transfer-{first.name}"))
        self.assertEqual({w.state for w in (large, again, offline)}, {"pending"}, "finance pays these")
        large.with_user(self.accountant)._charge_pay("online")
        self.assertEqual(large.state, "done")
        with self.assertRaisesRegex(UserError, "no payment provider that transfers"):
            offline.with_user(self.accountant)._charge_pay("online")
        self.assertEqual(self.li_wallet.withdrawable_balance, 70.0)

    def test_a_failed_automatic_payment_goes_to_finance(self):
        self.company.write({"charge_withdrawal_auto": True, "charge_withdrawal_auto_max": 50.0})
        withdrawal = self.ask("40", self.provider)
        Provider = type(self.env["payment.provider"])

        def refuse(provider, withdrawal):
            raise UserError("account frozen by WeChat")

        with patch.object(Provider, "_charge_transfer", refuse), mute_logger(
                "odoo.addons.charge_finance.models.charge_withdrawal"):
            self.Withdrawal._cron_pay_automatic()
        self.assertEqual((withdrawal.state, withdrawal.automatic), ("pending", False))
        self.assertIn("account frozen by WeChat", withdrawal.message_ids[0].body)
        self.assertEqual(self.li_wallet.withdrawable_balance, 60.0, "still held")

    def test_rights(self):
        withdrawal = self.ask("20")
        with self.assertRaisesRegex(UserError, "over HTTP"):
            withdrawal.with_user(self.accountant).action_done_offline()
        with self.assertRaises(AccessError):
            withdrawal.with_user(self.clerk)._charge_pay("offline")
        with self.assertRaises(AccessError):
            withdrawal.with_user(self.clerk).action_cancel()
        for values in ({"state": "done"}, {"fee": 0}, {"amount": 1}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                withdrawal.with_user(self.accountant).write(values)
        self.assertEqual(withdrawal.state, "pending")
