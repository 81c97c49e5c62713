import base64
from datetime import timedelta
from decimal import Decimal

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import BaseCase, tagged

from ..tools import fapiao_rules
from .common import ChargeFinanceCase

D = Decimal


@tagged("post_install", "-at_install")
class TestFapiaoRules(BaseCase):
    def test_the_period_counts_months_back(self):
        today = fields.Date.to_date("2026-12-07")
        self.assertEqual(fapiao_rules.months_back(today, 6), fields.Date.to_date("2026-06-07"))
        self.assertEqual(fapiao_rules.months_back(fields.Date.to_date("2026-08-31"), 6),
                         fields.Date.to_date("2026-02-28"))
        fapiao_rules.check_period(fields.Date.to_date("2026-06-07"), today, 6)
        with self.assertRaises(fapiao_rules.FapiaoRuleError):
            fapiao_rules.check_period(fields.Date.to_date("2026-06-06"), today, 6)
        fapiao_rules.check_period(fields.Date.to_date("2020-01-01"), today, 0)

    def test_amounts_of_the_invoiced_components(self):
        orders = [{"electricity": D(60), "service": D(40)}, {"electricity": D(30), "occupancy": D(5)}]
        self.assertEqual(fapiao_rules.amounts(orders, {"electricity", "occupancy"}),
                         {"electricity": D(90), "occupancy": D(5)})
        self.assertEqual(fapiao_rules.check_total({"electricity": D(90)}, D(90)), D(90))
        with self.assertRaises(fapiao_rules.FapiaoRuleError):
            fapiao_rules.check_total({"electricity": D(90)}, D("90.01"))
        with self.assertRaises(fapiao_rules.FapiaoRuleError):
            fapiao_rules.check_total({}, D(0))


@tagged("post_install", "-at_install")
class TestFapiao(ChargeFinanceCase):
    """Members' fapiao requests: each order invoiced at most once, within the
    period and from the minimum; the issued fapiao is a customer invoice whose
    revenue and tax are not counted twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.li_wallet._recharge(500)
        cls.clerk = cls.company_user("fapiao-clerk", "charge_base.group_charge_user")
        cls.accountant = cls.company_user("fapiao-accountant", "charge_finance.group_charge_accountant")
        cls.Request = cls.env["charge.fapiao.request"]
        cls.sales = cls.env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", cls.company.id)],
                                                      limit=1)

    def order(self, electricity=60.0, service=40.0, days_ago=1):
        order = self.pay(self.li_wallet, electricity=electricity, service=service)
        order.sudo().stop_date = fields.Datetime.now() - timedelta(days=days_ago)
        return order

    def ask(self, orders, title="李雷", **kwargs):
        return self.Request.with_user(self.clerk)._charge_request(self.li, orders, title, **kwargs)

    def revenue_and_tax(self):
        accounts = [self.accounts["revenue_electricity"], self.accounts["revenue_service"],
                    self.chart.ref("tax_received")]
        return [self.gl_balance(account) for account in accounts]

    def test_issued_by_the_demo_provider_documents_revenue_booked_once(self):
        self.company.charge_fapiao_provider = "demo"
        first, second = self.order(), self.order(30.0, 20.0)
        booked = self.revenue_and_tax()
        request = self.ask(first | second, tax_id="91440300MA5XXXXX0X")
        self.assertEqual((request.state, request.amount_total), ("pending", 150.0))
        self.assertTrue(base64.b64decode(request.request_pdf).startswith(b"%PDF"))
        self.assertEqual((first.charge_fapiao_request_id, second.charge_fapiao_request_id), (request, request))

        request.with_user(self.accountant).action_approve()
        invoice = request.invoice_id
        self.assertEqual((request.state, len(request.fapiao_number), invoice.ref), ("issued", 8, request.fapiao_number))
        self.assertTrue(base64.b64decode(request.fapiao_pdf).startswith(b"%PDF"))
        self.assertEqual((invoice.move_type, invoice.state, invoice.partner_id), ("out_invoice", "posted", self.li))
        self.assertEqual(len(invoice.invoice_line_ids), 2, "one line per fee component")
        self.assertAlmostEqual(invoice.amount_total, 150.0, delta=0.02)
        self.assertEqual(invoice.invoice_line_ids.tax_ids, self.vat13 | self.vat6)
        self.assertIn(invoice.payment_state, ("paid", "reversed"), "settled by the wallet payments' revenue")
        self.assertEqual(self.revenue_and_tax(), booked, "no revenue nor tax counted twice")
        self.assertEqual(self.reconciliation()["cash"][3], 0.0)

    def test_each_order_is_invoiced_at_most_once(self):
        first = self.order()
        self.ask(first)
        with self.assertRaisesRegex(ValidationError, "already in fapiao request"):
            self.ask(first | self.order())

    def test_period_minimum_and_orders_not_invoiceable(self):
        old = self.order(days_ago=200)
        with self.assertRaisesRegex(ValidationError, "can no longer be invoiced"):
            self.ask(old)
        self.company.charge_fapiao_min_amount = 200
        with self.assertRaisesRegex(ValidationError, "issued from"):
            self.ask(self.order())
        self.company.charge_fapiao_min_amount = 0
        marked = self.order()
        manager = self.company_user("fapiao-manager", "charge_base.group_charge_manager")
        marked.with_user(manager).action_mark_not_invoiceable()
        with self.assertRaisesRegex(ValidationError, "not invoiceable"):
            self.ask(marked)
        for user in (self.clerk, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                marked.with_user(user).action_mark_invoiceable()
        marked.with_user(manager).action_mark_invoiceable()
        self.assertEqual(self.ask(marked).state, "pending")
        self.company.charge_fapiao_paper = False
        with self.assertRaisesRegex(ValidationError, "not issued"):
            self.ask(self.order(), fapiao_type="paper")

    def test_rejected_orders_may_be_asked_again_cancelled_ones_never(self):
        first = self.order()
        request = self.ask(first)
        with self.assertRaisesRegex(UserError, "reason of the rejection"):
            request.with_user(self.accountant).action_reject()
        request.with_user(self.accountant).reject_reason = "抬头与税号不符"
        request.with_user(self.accountant).action_reject()
        self.assertEqual((request.state, first.charge_fapiao_request_id), ("rejected", self.Request))
        again = self.ask(first)
        again.with_user(self.clerk).action_cancel()
        self.assertEqual((again.state, first.charge_fapiao_request_id), ("cancelled", again))
        with self.assertRaisesRegex(ValidationError, "already in fapiao request"):
            self.ask(first)

    def test_typed_in_by_hand_voided_and_issued_again(self):
        request = self.ask(self.order())
        request.with_user(self.accountant).action_approve()
        self.assertEqual(request.state, "issuing")
        with self.assertRaisesRegex(UserError, "number"):
            request.with_user(self.accountant).action_mark_issued()
        request.with_user(self.accountant).write({"fapiao_number": "12345678", "fapiao_code": "044031900111"})
        request.with_user(self.accountant).action_mark_issued()
        first_invoice = request.invoice_id
        self.assertEqual((request.state, first_invoice.ref), ("issued", "12345678"))
        request.with_user(self.accountant).action_void()
        self.assertEqual((request.state, first_invoice.state, request.settlement_move_id.state),
                         ("voided", "cancel", "cancel"))
        request.with_user(self.accountant).title = "深圳某某科技有限公司"
        request.with_user(self.accountant).action_reissue()
        self.assertEqual(request.state, "issuing")
        self.assertNotEqual(request.invoice_id, first_invoice)
        self.assertEqual(request.invoice_id.state, "posted")

    def test_refunds_are_deducted_and_uninvoiced_components_left_out(self):
        order = self.order()  # 60 + 40
        refund = self.env["charge.refund"]._charge_refund_order(order, D("10"), "early stop")
        refund.with_user(self.accountant)._charge_process()
        self.company.charge_fapiao_service = False
        request = self.ask(order)
        self.assertEqual(request.amount_total, 54.0, "the electricity paid, less its share of the refund")
        request.with_user(self.accountant).action_approve()
        self.assertEqual(len(request.invoice_id.invoice_line_ids), 1)

    def test_only_invoicing_users_review(self):
        request = self.ask(self.order())
        with self.assertRaises(AccessError):
            request.with_user(self.clerk).action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.accountant).write({"state": "issued"})
        with self.assertRaises(AccessError):
            request.with_user(self.clerk).write({"title": "x"})
        self.assertEqual(request.state, "pending")
