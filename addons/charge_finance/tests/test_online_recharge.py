from decimal import Decimal

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ChargeFinanceCase

FAR_FUTURE = "2099-01-01 00:00:00"


@tagged("post_install", "-at_install")
class TestOnlineRecharge(ChargeFinanceCase):
    """A member recharges online through Odoo's demo payment provider: a
    payment order, a payment transaction, the provider's notifications. The
    wallet is credited once, whatever comes again; the recharge is posted
    from the provider's clearing account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.demo_provider("1012.90")
        cls.provider_clearing = cls.provider.charge_clearing_account_id
        cls.Order = cls.env["charge.payment.order"]

    def start(self, amount="100", wallet=None, provider=None):
        return self.Order._charge_start_recharge(wallet or self.li_wallet, Decimal(amount), provider or self.provider)

    @staticmethod
    def notify(transaction, state):
        """The provider's notification of ``state`` for ``transaction``, as its controller processes it."""
        return transaction.sudo()._process("demo", {"reference": transaction.reference, "simulated_state": state})

    def recharges(self, order):
        return self.env["charge.wallet.transaction"].search([("payment_order_id", "=", order.id)])

    # credit ----------------------------------------------------------------------------------

    def test_the_same_notification_three_times_credits_the_wallet_once(self):
        order, transaction = self.start("100")
        self.assertEqual((order.state, order.amount, order.partner_id, transaction.amount, transaction.state),
                         ("draft", 100.0, self.li, 100.0, "draft"))
        self.assertTrue(order.name.startswith("P"))
        self.assertTrue(transaction.reference.startswith(order.name))
        self.notify(transaction, "pending")
        self.assertEqual(order.state, "pending")
        self.assertEqual(self.li_wallet.balance, 0.0, "nothing is credited before the payment is done")
        for _attempt in range(3):
            self.notify(transaction, "done")
        line = self.recharges(order)
        self.assertEqual(len(line), 1, "one recharge line, whatever the number of notifications")
        self.assertEqual((line.type, line.withdrawable_amount, line.reference),
                         ("recharge", 100.0, transaction.provider_reference))
        self.assertEqual(self.li_wallet.withdrawable_balance, 100.0, "online money can be withdrawn")
        self.assertEqual((order.state, order.wallet_transaction_id, order.provider_reference),
                         ("done", line, f"demo-{transaction.reference}"))
        self.assertTrue(order.date_paid)

    def test_a_second_credit_of_one_order_is_refused_by_the_database(self):
        order, transaction = self.start("80")
        self.notify(transaction, "done")
        order._charge_follow(transaction)  # as if another notification got past the state check
        self.assertEqual(len(self.recharges(order)), 1)
        with self.assertRaises(Exception), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.li_wallet.sudo()._post("recharge", lambda balance: self.recharge_movement(80),
                                        payment_order_id=order.id)
        self.assertEqual(self.li_wallet.balance, 80.0)

    @staticmethod
    def recharge_movement(amount):
        from odoo.addons.charge_member.tools import wallet_math
        return wallet_math.recharge(Decimal(amount))

    def test_a_transaction_of_another_amount_is_refused_and_logged(self):
        order, transaction = self.start("100")
        transaction.sudo().amount = 1.0  # a transaction tampered with, or a provider's wrong amount
        with self.assertLogs("odoo.addons.charge_finance.models.charge_payment_order", "WARNING") as logs:
            self.notify(transaction, "done")
        self.assertIn("refused", logs.output[0])
        self.assertFalse(self.recharges(order), "nothing is credited")
        self.assertEqual(self.li_wallet.balance, 0.0)
        self.assertEqual(order.state, "error")
        self.assertIn("nothing credited", order.state_message)
        self.assertIn(order.state_message, order.message_ids.mapped(lambda message: message.body.striptags()))

    def test_cancelled_and_failed_payments_credit_nothing(self):
        order, transaction = self.start("50")
        self.notify(transaction, "cancel")
        self.assertEqual(order.state, "cancel")
        with mute_logger("odoo.addons.payment.models.payment_transaction"):
            self.notify(transaction, "done")  # a done notification after the cancellation: the payment refuses it
        self.assertEqual((transaction.state, order.state), ("cancel", "cancel"))
        self.assertFalse(self.recharges(order))

        order, transaction = self.start("50")
        self.notify(transaction, "error")
        self.assertEqual(order.state, "error")
        self.assertFalse(self.recharges(order))
        self.notify(transaction, "done")  # the provider finally confirms it
        self.assertEqual((order.state, self.li_wallet.balance), ("done", 50.0))

    def test_a_member_frozen_after_paying_is_credited_all_the_same(self):
        order, transaction = self.start("30")
        self.li.sudo().charge_status = "frozen"
        self.notify(transaction, "done")
        self.assertEqual((order.state, self.li_wallet.balance), ("done", 30.0), "the money was received")

    # limits ----------------------------------------------------------------------------------

    def test_amounts_outside_the_companys_bounds_are_refused(self):
        self.company.write({"charge_recharge_min_amount": 10, "charge_recharge_max_amount": 1000,
                            "charge_recharge_presets": "10, 50, 100", "charge_recharge_default_amount": 50})
        for amount, message in (("9.99", "below the minimum"), ("1000.01", "above the maximum"),
                                ("10.001", "more decimals")):
            with self.subTest(amount=amount), self.assertRaisesRegex(ValidationError, message):
                self.start(amount)
        for amount in ("10", "1000", "37.50"):
            self.assertEqual(self.start(amount)[0].amount, float(amount), "any amount between the bounds")
        self.company.charge_online_recharge = False
        with self.assertRaisesRegex(UserError, "does not take online recharges"):
            self.start("50")
        self.assertEqual(self.Order.search_count([("company_id", "=", self.company.id)]), 3)

    def test_frozen_members_and_unusable_providers_are_refused(self):
        self.li.sudo().charge_status = "frozen"
        with self.assertRaisesRegex(UserError, "frozen"):
            self.start("50")
        disabled = self.provider.copy({"name": "Off", "state": "disabled"})
        with self.assertRaisesRegex(UserError, "not enabled"):
            self.start("50", wallet=self.wang_wallet, provider=disabled)
        other_company = self.env["res.company"].create({"name": "Other Co"})
        foreign = self.provider.copy({"name": "Foreign", "company_id": other_company.id, "state": "test",
                                      "charge_clearing_account_id": False})
        with self.assertRaisesRegex(UserError, "is not"):
            self.start("50", wallet=self.wang_wallet, provider=foreign)

    def test_settings_that_do_not_hold_together_are_refused(self):
        for values, message in (
                ({"charge_recharge_presets": "50, abc"}, "abc is not an amount"),
                ({"charge_recharge_presets": "50, -5"}, "-5 is not an amount"),
                ({"charge_recharge_min_amount": 0}, "above zero"),
                ({"charge_recharge_min_amount": 100, "charge_recharge_max_amount": 50}, "below the minimum"),
                ({"charge_recharge_default_amount": 9000}, "default amount"),
                ({"charge_recharge_presets": "50，100， 9000"}, "above the maximum")):
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, message), \
                    self.env.cr.savepoint():
                self.company.write(values)
                self.company.flush_recordset()

    # rights ----------------------------------------------------------------------------------

    def test_clerks_read_payment_orders_and_change_none(self):
        order, _transaction = self.start("60")
        clerk = self.company_user("clerk-online", "charge_base.group_charge_user")
        as_clerk = order.with_user(clerk)
        self.assertEqual(as_clerk.read(["amount", "state"])[0]["amount"], 60.0)
        for attempt in (lambda: as_clerk.write({"state": "done"}), lambda: as_clerk.unlink(),
                        lambda: self.Order.with_user(clerk).create({
                            "company_id": self.company.id, "wallet_id": self.li_wallet.id, "amount": 5,
                            "provider_id": self.provider.id})):
            with self.assertRaises(Exception), self.env.cr.savepoint():
                attempt()
        self.assertEqual(order.state, "draft")

    # accounting ------------------------------------------------------------------------------

    def test_the_recharge_is_posted_from_the_providers_clearing_account(self):
        order, transaction = self.start("100")
        self.notify(transaction, "done")
        transaction.sudo()._post_process()
        self.assertFalse(self.env["account.payment"].search([("payment_transaction_id", "=", transaction.id)]),
                         "no account.payment: the wallet ledger posts the money")
        move = self.entry(order.wallet_transaction_id)
        self.assertEqual(self.by_account(move), {self.accounts["cash_liability"].code: -100.0, "1012.90": 100.0})
        self.assertEqual(self.reconciliation()["cash"], (100.0, 0.0, 100.0, 0.0))

        self.provider.charge_clearing_account_id = False  # the company's recharge clearing then
        order, transaction = self.start("20", wallet=self.wang_wallet)
        self.notify(transaction, "done")
        self.assertEqual(self.by_account(self.entry(order.wallet_transaction_id)),
                         {self.accounts["cash_liability"].code: -20.0, self.accounts["clearing"].code: 20.0})

    def test_a_daily_summary_keeps_each_clearing_account_apart(self):
        self.company.charge_posting_mode = "daily"
        with freeze_time("2026-11-20 04:00:00"):
            online, transaction = self.start("100")
            self.notify(transaction, "done")
            counter = self.li_wallet._recharge(100)  # the same amount at the counter
            online_wang, transaction = self.start("100", wallet=self.wang_wallet)
            self.notify(transaction, "done")
        self.env["charge.wallet.transaction"]._cron_post_daily_summary(up_to=FAR_FUTURE)
        move = self.entry(counter)
        self.assertEqual(self.entry(online.wallet_transaction_id), move)
        self.assertEqual(self.by_account(move), {self.accounts["cash_liability"].code: -300.0,
                                                 self.accounts["clearing"].code: 100.0, "1012.90": 200.0})
