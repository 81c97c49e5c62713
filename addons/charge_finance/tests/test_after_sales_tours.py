from odoo.tests import HttpCase, new_test_user, tagged

from .common import ChargeFinanceCase
from .test_tours import CHARGE_MODULES


@tagged("post_install", "-at_install")
class TestAfterSalesTours(ChargeFinanceCase, HttpCase):
    """After-sales and fapiao in the web client, in Chinese: a clerk
    approves a partial refund, an invoicing user issues a fapiao."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(CHARGE_MODULES, ["zh_CN"])
        cls.accountant = new_test_user(cls.env, login="charge_tour_invoicing",
                                       groups="account.group_account_user,charge_base.group_charge_user",
                                       company_id=cls.company.id, company_ids=[cls.company.id])
        (cls.user | cls.accountant).lang = "zh_CN"
        cls.li_wallet._recharge(200)

    def setUp(self):
        super().setUp()
        self.order = self.pay(self.li_wallet, electricity=30.0, service=20.0)

    def test_clerk_approves_a_partial_refund(self):
        request = self.env["charge.refund.request"].create({
            "order_id": self.order.id, "amount_requested": 20.0, "reason": "充电中途跳枪"})
        self.start_tour("/odoo/action-charge_finance.charge_refund_request_action", "charge_finance_after_sales_tour",
                        login=self.user.login)
        self.assertEqual((request.state, request.decision, request.refund_ids.amount), ("finance", "partial", 12.5))

    def test_invoicing_user_issues_a_fapiao(self):
        self.company.charge_fapiao_provider = "demo"
        request = self.env["charge.fapiao.request"]._charge_request(self.li, self.order, "李雷")
        self.start_tour("/odoo/action-charge_finance.charge_fapiao_request_action", "charge_finance_fapiao_tour",
                        login=self.accountant.login)
        self.assertEqual(request.state, "issued")
        self.assertEqual(request.invoice_id.state, "posted")
