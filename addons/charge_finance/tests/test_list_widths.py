from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import ChargeFinanceCase
from .test_tours import CHARGE_MODULES


@tagged("post_install", "-at_install")
class TestListWidths(ChargeFinanceCase, HttpCase):
    """The clerk's busiest lists (orders, wallet ledger, piles) fit a 1440 px
    screen in Chinese: no horizontal scroll bar, no column title cut short."""

    browser_size = "1440x900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(CHARGE_MODULES, ["zh_CN"])
        cls.user.lang = "zh_CN"
        # a day's worth of realistic rows: a recharge, an order paid from the wallet, an unpaid one
        cls.li_wallet._recharge(200, reference="WX-20261207-0001")
        stop = fields.Datetime.now() - timedelta(minutes=5)
        for energy, paid in ((10.003, True), (23.456, False)):
            order = cls.env["charge.order"].sudo().create({
                "pile_id": cls.pile.id, "connector_id": cls.connector1.id, "partner_id": cls.li.id,
                "start_method": "card",
            })
            order.write({"amount_electricity": 7.0, "amount_service": 3.0, "amount_total": 10.0,
                         "energy_kwh": energy, "start_date": stop - timedelta(hours=1), "stop_date": stop,
                         **({"wallet_id": cls.li_wallet.id, "payment_state": "to_pay"} if paid else {})})
            order._complete()

    def assert_list_fits(self, action):
        self.start_tour(f"/odoo/action-{action}", "charge_list_fits_tour", login=self.user.login)

    def test_orders_fit(self):
        self.assert_list_fits("charge_billing.charge_order_action")

    def test_wallet_ledger_fits(self):
        self.assert_list_fits("charge_member.charge_wallet_transaction_action")

    def test_piles_fit(self):
        self.assert_list_fits("charge_base.charge_pile_action")
