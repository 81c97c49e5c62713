from decimal import Decimal
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ChargeFinanceCase

D = Decimal


@tagged("post_install", "-at_install")
class TestRefunds(ChargeFinanceCase):
    """After-sales requests and refund orders: customer service negotiates,
    refuses or approves; finance processes the refund; the wallet, the ledger
    and the general ledger agree at each step."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.li_wallet._recharge(200)
        cls.clerk = cls.company_user("refund-clerk", "charge_base.group_charge_user")
        cls.accountant = cls.company_user("refund-accountant", "charge_finance.group_charge_accountant")
        cls.Refund = cls.env["charge.refund"]

    def order(self, electricity=60.0, service=40.0):
        return self.pay(self.li_wallet, electricity=electricity, service=service)

    def request(self, order, amount=30.0, reason="The pile stopped early"):
        return self.env["charge.refund.request"].with_user(self.clerk).create({
            "order_id": order.id, "amount_requested": amount, "reason": reason})

    def process(self, refund):
        refund.with_user(self.accountant)._charge_process()
        self.env.invalidate_all()

    # after-sales ---------------------------------------------------------------------------

    def test_a_partial_refund_from_request_to_wallet_and_books(self):
        order = self.order()  # 60 electricity (13 % VAT) + 40 service (6 % VAT), paid from 200
        order.sudo().stop_date = order.create_date  # ended this month, for the order reconciliation
        request = self.request(order, 30)
        self.assertEqual((request.state, request.partner_id, request.refundable_amount), ("pending", self.li, 100.0))
        request.action_negotiate()
        request.approved_amount = 30
        request.action_approve_partial()
        refund = request.refund_ids
        self.assertEqual((request.state, request.decision, refund.state, refund.amount, refund.method),
                         ("finance", "partial", "pending", 30.0, "wallet"))
        self.assertEqual(self.li_wallet.balance, 100.0, "nothing moves before finance processes it")
        self.assertEqual(request.refundable_amount, 70.0, "the refund waiting holds its amount")

        self.process(refund)
        line = refund.wallet_transaction_id
        self.assertEqual((refund.state, request.state, refund.processed_by_id), ("done", "done", self.accountant))
        self.assertEqual((line.type, line.amount, line.order_id, line.refund_id), ("refund", 30.0, order, refund))
        self.assertEqual((line.paid_electricity, line.paid_service), (-18.0, -12.0), "in proportion")
        self.assertEqual((self.li_wallet.balance, order.amount_refunded), (130.0, 30.0))
        move = self.entry(line)
        by_account = self.by_account(move)
        self.assertEqual(by_account[self.accounts["cash_liability"].code], -30.0)
        self.assertEqual(by_account[self.accounts["revenue_electricity"].code], round(18 / 1.13, 2))
        self.assertEqual(by_account[self.accounts["revenue_service"].code], round(12 / 1.06, 2))
        self.assertEqual(self.reconciliation()["cash"], (130.0, 0.0, 130.0, 0.0), "wallets and ledger agree")
        orders = self.env["charge.order.reconciliation"].search([("company_id", "=", self.company.id)])
        self.assertEqual(sum(orders.mapped("revenue_difference")), 0.0, "revenue less refunds, as booked")
        self.assertEqual(sum(orders.mapped("order_revenue")), 70.0)

    def test_a_full_refund_gives_back_what_the_payment_took_from_each_bucket(self):
        self.li_wallet._gift(10)
        order = self.order(electricity=50.0, service=20.0)  # 70: cash first, then the wallet's gift money?
        taken = order._payment_movement()
        request = self.request(order, 70)
        request.action_approve_full()
        self.process(request.refund_ids)
        line = request.refund_ids.wallet_transaction_id
        self.assertEqual(line._movement(), -taken, "the same buckets, gift back as gift")
        self.assertEqual(order._wallet_paid(), 0)
        self.assertEqual(request.refundable_amount, 0.0)
        with self.assertRaisesRegex(UserError, "nothing left to refund"):
            self.request(order, 1).action_approve_full()

    def test_refusing_needs_a_reason_and_ends_the_request(self):
        request = self.request(self.order())
        with self.assertRaisesRegex(UserError, "reason of the refusal"):
            request.action_refuse()
        request.refusal_reason = "Charged as agreed"
        request.action_refuse()
        self.assertEqual((request.state, request.decision, request.refund_ids), ("refused", "refused", self.Refund))
        for action in (request.action_negotiate, request.action_approve_full, request.action_refuse):
            with self.assertRaises(UserError):
                action()
        with self.assertRaises(UserError):
            request.reason = "changed afterwards"

    def test_refunds_never_exceed_what_the_order_can_give_back(self):
        order = self.order()  # 100
        first = self.Refund._charge_refund_order(order, D("60"), "part")
        second = self.Refund._charge_refund_order(order, D("40"), "rest")
        with self.assertRaisesRegex(ValidationError, "at most 0.00"):
            self.Refund._charge_refund_order(order, D("0.01"), "one cent more")
        second.with_user(self.accountant).action_cancel()
        third = self.Refund._charge_refund_order(order, D("40"), "again")
        self.process(first)
        self.process(third)
        self.assertEqual((order._wallet_paid(), self.li_wallet.balance), (0, 200.0))
        for amount in ("0", "-5", "1.001"):
            with self.subTest(amount=amount), self.assertRaises(ValidationError):
                self.Refund._charge_refund_order(self.order(), D(amount), "bad")

    def test_a_refund_processed_twice_or_of_a_reversed_order_is_refused(self):
        order = self.order()
        refund = self.Refund._charge_refund_order(order, D("10"), "once")
        self.process(refund)
        with self.assertRaisesRegex(UserError, "not waiting for finance"):
            self.process(refund)
        pending = self.Refund._charge_refund_order(order, D("10"), "twice")
        self.env["charge.order.reverse"].create({"order_id": order.id, "reason": "wrong member"}).action_confirm()
        with self.assertRaises(UserError):
            self.process(pending)
        self.assertEqual(pending.state, "pending")
        self.assertEqual(self.li_wallet.balance, 200.0, "the reversal gave back the 90 still paid")

    def test_the_price_of_a_refunded_order_no_longer_changes(self):
        order = self.order()
        self.process(self.Refund._charge_refund_order(order, D("10"), "early stop"))
        order.sudo().amount_total = 100.0
        self.assertFalse(order._settle_repriced_payment(), "the same price: nothing to settle")
        order.sudo().write({"amount_electricity": 50.0, "amount_total": 90.0})
        with self.assertRaisesRegex(UserError, "refunded after-sales"):
            order._settle_repriced_payment()

    # rights ---------------------------------------------------------------------------------

    def test_only_finance_processes_and_only_with_its_password(self):
        order = self.order()
        refund = self.Refund._charge_refund_order(order, D("10"), "check")
        with self.assertRaisesRegex(UserError, "over HTTP"):
            refund.with_user(self.accountant).action_process()  # the identity check needs the web client
        with self.assertRaises(AccessError):
            refund.with_user(self.clerk)._charge_process()
        with self.assertRaises(AccessError):
            refund.with_user(self.clerk).action_cancel()
        for values in ({"state": "done"}, {"amount": 99}, {"order_id": False}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                refund.with_user(self.accountant).write(values)
        with self.assertRaises(AccessError):
            self.Refund.with_user(self.clerk).create({
                "company_id": self.company.id, "wallet_id": self.li_wallet.id, "kind": "order", "order_id": order.id,
                "amount": 5, "method": "wallet"})
        request = self.request(order)
        for values in ({"state": "done"}, {"decision": "full"}, {"order_id": self.order().id}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                request.with_user(self.clerk).write(values)
        self.assertEqual((refund.state, request.state), ("pending", "pending"))

    def test_requests_only_about_orders_paid_from_a_wallet(self):
        unpaid = self.make_order(self.wang_wallet, electricity=5.0)  # to pay, never paid
        with self.assertRaisesRegex(ValidationError, "paid from a wallet"):
            self.request(unpaid)

    # recharges ------------------------------------------------------------------------------

    def test_an_offline_recharge_refund_pays_withdrawable_cash_back(self):
        recharge = self.li_wallet.transaction_ids.filtered(lambda line: line.type == "recharge")
        refund = self.Refund._charge_refund_recharge(recharge, D("50"), "moving away", "offline")
        self.process(refund)
        line = refund.wallet_transaction_id
        self.assertEqual((refund.state, line.type, line.withdrawable_amount), ("done", "recharge_refund", -50.0))
        self.assertEqual(self.by_account(self.entry(line)),
                         {self.accounts["cash_liability"].code: 50.0, self.accounts["clearing"].code: -50.0})
        self.assertEqual(self.reconciliation()["cash"], (150.0, 0.0, 150.0, 0.0))
        with self.assertRaisesRegex(ValidationError, "at most 150.00"):
            self.Refund._charge_refund_recharge(recharge, D("150.01"), "too much", "offline")
        on_account = self.li_wallet._recharge(30, on_account=True)
        with self.assertRaisesRegex(UserError, "on account"):
            self.Refund._charge_refund_recharge(on_account, D("10"), "not paid", "offline")
        with self.assertRaisesRegex(UserError, "not paid online"):
            self.Refund._charge_refund_recharge(recharge, D("10"), "no provider", "online")

    def test_a_recharge_already_spent_cannot_be_refunded(self):
        recharge = self.li_wallet.transaction_ids.filtered(lambda line: line.type == "recharge")
        self.order(electricity=150.0, service=30.0)  # 180 of the 200 spent
        refund = self.Refund._charge_refund_recharge(recharge, D("50"), "after spending", "offline")
        with self.assertRaisesRegex(UserError, "withdrawable cash"):
            self.process(refund)
        self.assertEqual((refund.state, self.li_wallet.balance), ("pending", 20.0))


@tagged("post_install", "-at_install")
class TestOnlineRefunds(ChargeFinanceCase):
    """A recharge paid through the demo provider, refunded through it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.demo_provider("1012.91")
        cls.provider_clearing = cls.provider.charge_clearing_account_id
        order, transaction = cls.env["charge.payment.order"]._charge_start_recharge(cls.li_wallet, D("100"),
                                                                                   cls.provider)
        transaction._process("demo", {"reference": transaction.reference, "simulated_state": "done"})
        cls.recharge = order.wallet_transaction_id
        cls.accountant = cls.company_user("online-refund-accountant", "charge_finance.group_charge_accountant")

    def test_the_provider_refunds_and_the_clearing_account_pays_it(self):
        refund = self.env["charge.refund"]._charge_refund_recharge(self.recharge, D("40"), "changed my mind",
                                                                   "online")
        refund.with_user(self.accountant)._charge_process()
        transaction = refund.transaction_id
        self.assertEqual((transaction.operation, transaction.amount, transaction.state), ("refund", -40.0, "done"))
        self.assertEqual((refund.state, self.li_wallet.withdrawable_balance), ("done", 60.0))
        transaction._post_process()
        self.assertFalse(self.env["account.payment"].search([("payment_transaction_id", "=", transaction.id)]))
        line = refund.wallet_transaction_id
        self.assertEqual(self.by_account(self.entry(line)),
                         {self.accounts["cash_liability"].code: 40.0, "1012.91": -40.0})
        self.assertEqual(self.gl_balance(self.provider_clearing), -60.0, "60 still waits on the provider's clearing")

    def test_a_refund_the_provider_refuses_puts_the_money_back(self):
        refund = self.env["charge.refund"]._charge_refund_recharge(self.recharge, D("40"), "please", "online")
        Transaction = type(self.env["payment.transaction"])

        def refuse(transaction):
            transaction._process("demo", {"reference": transaction.reference, "simulated_state": "error"})

        with patch.object(Transaction, "_send_refund_request", refuse), mute_logger(
                "odoo.addons.payment.models.payment_transaction"):
            refund.with_user(self.accountant)._charge_process()
        self.assertEqual((refund.state, self.li_wallet.withdrawable_balance), ("error", 100.0))
        lines = self.li_wallet.transaction_ids.filtered(lambda line: line.refund_id == refund)
        self.assertEqual(sorted(lines.mapped("withdrawable_amount")), [-40.0, 40.0])
        self.assertEqual(self.reconciliation()["cash"], (100.0, 0.0, 100.0, 0.0))
        self.assertEqual(self.gl_balance(self.provider_clearing), -100.0)
