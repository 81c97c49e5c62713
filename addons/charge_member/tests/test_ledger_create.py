from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.charge_base.tests.rpc import ChargeRpcMixin

from ..tools.wallet_math import Balance
from .common import ChargeMemberCase


@tagged("post_install", "-at_install")
class TestLedgerCreate(ChargeRpcMixin, ChargeMemberCase, HttpCase):
    """The wallet hands its balance to the ledger as an argument
    (``_create_with_balances``); a direct ``create`` locks and reads the
    balances itself, and nothing in the context can change them."""

    def lines(self):
        return self.li_wallet.transaction_ids.sorted("id")

    def test_wallet_posts_write_the_balances_after_each_line(self):
        self.li_wallet._gift(5)
        self.li_wallet._recharge(20, on_account=True)
        order = self.charge("CARD1001")     # 13.00, cash first: on-account money pays first
        self.assertEqual(order.payment_state, "paid")
        self.assertRecordValues(self.lines(), [
            {"type": "recharge", "withdrawable_after": 100.0, "on_account_after": 0.0, "gift_after": 0.0,
             "balance_after": 100.0},
            {"type": "gift", "withdrawable_after": 100.0, "on_account_after": 0.0, "gift_after": 5.0,
             "balance_after": 105.0},
            {"type": "recharge", "withdrawable_after": 100.0, "on_account_after": 20.0, "gift_after": 5.0,
             "balance_after": 125.0},
            {"type": "payment", "withdrawable_after": 100.0, "on_account_after": 7.0, "gift_after": 5.0,
             "balance_after": 112.0},
        ])

    def record_locks(self):
        locked = []
        Wallet = self.registry["charge.wallet"]
        lock = Wallet._lock

        def record(wallets):
            locked.append(wallets.ids)
            return lock(wallets)

        self.patch(Wallet, "_lock", record)
        return locked

    def test_a_direct_create_locks_and_reads_the_ledger(self):
        locked = self.record_locks()
        line = self.env["charge.wallet.transaction"].create({
            "wallet_id": self.li_wallet.id, "type": "adjustment", "withdrawable_amount": -30, "note": "direct"})
        self.assertRecordValues(line, [{"withdrawable_after": 70.0, "balance_after": 70.0}])
        self.assertEqual(locked, [self.li_wallet.ids])
        # a wallet post locks once: the ledger starts from the balance the wallet read
        self.li_wallet._recharge(10)
        self.assertEqual(locked, [self.li_wallet.ids] * 2)
        self.assertEqual(self.lines()[-1].balance_after, 80.0)
        with self.assertRaises(UserError):
            self.env["charge.wallet.transaction"].create({
                "wallet_id": self.li_wallet.id, "type": "adjustment", "withdrawable_amount": -81, "note": "too much"})

    def test_the_context_cannot_hand_the_ledger_a_balance(self):
        forged = {self.li_wallet.id: Balance(Decimal(1000), Decimal(0), Decimal(0))}
        with self.assertRaises(UserError):
            self.env["charge.wallet.transaction"].with_context(charge_wallet_balances=forged).create({
                "wallet_id": self.li_wallet.id, "type": "adjustment", "withdrawable_amount": -500, "note": "x"})
        line = self.li_wallet.with_context(charge_wallet_balances=forged)._recharge(10)
        self.assertEqual((line.withdrawable_after, line.balance_after), (110.0, 110.0))
        self.assertEqual(self.li_wallet.balance, 110.0)

    def test_the_balances_given_as_argument_are_the_start(self):
        ledger = self.env["charge.wallet.transaction"].sudo()
        line = ledger._create_with_balances([{"wallet_id": self.li_wallet.id, "type": "recharge",
                                               "withdrawable_amount": 10}],
                                            {self.li_wallet.id: self.li_wallet._balance()})
        self.assertEqual(line.balance_after, 110.0)
        # a wallet the caller did not read is locked and read here
        line = ledger._create_with_balances([{"wallet_id": self.fleet_wallet.id, "type": "recharge",
                                               "withdrawable_amount": 10}], {})
        self.assertEqual(line.balance_after, 510.0)

    def test_ledger_lines_are_not_created_over_rpc(self):
        other = self.env["res.company"].create({"name": "Other Charging Co"})
        outsider = new_test_user(self.env, login="charge_outsider", groups="charge_base.group_charge_manager",
                                 company_id=other.id, company_ids=[other.id])
        vals = {"wallet_id": self.li_wallet.id, "type": "gift", "gift_amount": 10}
        for user in (self.user, self.manager, outsider):
            self.assertRpcRefused(user, "charge.wallet.transaction", "create", vals)
            self.assertRpcRefused(user, "charge.wallet.transaction", "_create_with_balances", [vals],
                                  {str(self.li_wallet.id): [1000, 0, 0]})
        self.assertEqual(self.li_wallet.balance, 100.0)
