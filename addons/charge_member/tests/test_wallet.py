from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ChargeMemberCase


@tagged("post_install", "-at_install")
class TestWallet(ChargeMemberCase):

    def test_recharge_gift_and_adjustment_fill_their_buckets(self):
        """100 paid (the scenario's) + 50 on account + 8 gift, then -20: the
        adjustment takes the on-account money first."""
        wallet = self.li_wallet
        wallet._recharge(50, on_account=True, reference="R-1")
        wallet._gift(8)
        wallet._adjust(-20, note="typo in the first recharge")
        self.assertEqual((wallet.withdrawable_balance, wallet.on_account_balance, wallet.gift_balance),
                         (100.0, 30.0, 8.0))
        self.assertEqual(wallet.balance, 138.0)
        lines = wallet.transaction_ids.sorted("id")
        self.assertEqual(lines.mapped("type"), ["recharge", "recharge", "gift", "adjustment"])
        self.assertEqual(lines[-1].balance_after, 138.0)
        self.assertEqual(lines[-1].on_account_amount, -20.0, "an adjustment takes on-account money first")
        self.assertTrue(all(line.name.startswith("W") for line in lines))
        self.assertEqual(lines[1].user_id, self.env.user)

    def test_ledger_lines_cannot_be_changed_or_deleted_even_by_a_manager_or_the_superuser(self):
        line = self.li_wallet.transaction_ids[:1]
        manager_line = line.with_user(self.manager)
        self.assertEqual(manager_line.amount, 100.0, "a manager reads the ledger")
        with self.assertRaises(UserError):
            manager_line.write({"note": "changed"})
        with self.assertRaises(AccessError):
            manager_line.unlink()
        with self.assertRaises(UserError):
            line.sudo().write({"withdrawable_amount": 1000})
        with self.assertRaises(UserError):
            line.sudo().unlink()
        with self.assertRaises(AccessError):
            self.env["charge.wallet.transaction"].with_user(self.manager).create({
                "wallet_id": self.li_wallet.id, "type": "gift", "gift_amount": 10})
        self.assertEqual(self.li_wallet.balance, 100.0)

    def test_a_frozen_member_cannot_be_recharged(self):
        self.li._charge_set_status("frozen", "lost phone")
        with self.assertRaisesRegex(UserError, "frozen"):
            self.li_wallet._recharge(10)

    def test_refusals_keep_the_wallet_untouched(self):
        with self.assertRaisesRegex(UserError, "note"):
            self.li_wallet._adjust(-5)
        with self.assertRaisesRegex(UserError, "more than"):
            self.li_wallet._adjust(-100.01, note="too much")
        with self.assertRaisesRegex(UserError, "decimals"):
            self.li_wallet._recharge(0.001)
        with self.assertRaisesRegex(UserError, "zero"):
            self.li_wallet._recharge(0)
        self.assertEqual(len(self.li_wallet.transaction_ids), 1)

    def test_recharge_and_adjust_wizards(self):
        self.env["charge.wallet.recharge"].create({"wallet_id": self.li_wallet.id, "amount": 30,
                                                   "mode": "on_account"}).action_confirm()
        self.env["charge.wallet.adjust"].with_user(self.manager).create({
            "wallet_id": self.li_wallet.id, "amount": -2, "note": "from 132 to 130"}).action_confirm()
        self.assertEqual((self.li_wallet.on_account_balance, self.li_wallet.balance), (28.0, 128.0))
        adjustment = self.li_wallet.transaction_ids.sorted("id")[-1]
        self.assertEqual((adjustment.type, adjustment.user_id, adjustment.note),
                         ("adjustment", self.manager, "from 132 to 130"))
        with self.assertRaises(AccessError):
            self.env["charge.wallet.adjust"].with_user(self.user).create({
                "wallet_id": self.li_wallet.id, "amount": 5, "note": "clerks cannot"})

    def test_credit_limit_is_for_managers(self):
        self.li_wallet.with_user(self.manager).credit_limit = 50
        self.assertEqual(self.li_wallet.available_amount, 150.0)
        with self.assertRaises(AccessError):
            self.li_wallet.with_user(self.user).write({"credit_limit": 500})

    def test_amounts_are_exact_not_floats(self):
        """0.7 + 0.1 - 0.8 is zero in the ledger, not -1.1e-16 refused as a negative gift."""
        self.li_wallet._gift(0.7)
        self.li_wallet._gift(0.1)
        self.li_wallet._adjust(-0.8, bucket="gift", note="gift withdrawn")
        self.assertEqual(self.li_wallet.gift_balance, 0.0)
        self.assertEqual(str(self.li_wallet._balance().gift), "0.00")
