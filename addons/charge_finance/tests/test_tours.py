from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import ChargeFinanceCase

CHARGE_MODULES = ["web", "mail", "account", "charge_base", "charge_device", "charge_billing", "charge_member",
                  "charge_finance"]


@tagged("post_install", "-at_install")
class TestFinanceTours(ChargeFinanceCase, HttpCase):
    """The card loads and the order reconciliation in the web client, as a
    clerk and an accountant who work in Chinese."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(CHARGE_MODULES, ["zh_CN"])
        cls.accountant = new_test_user(cls.env, login="charge_tour_accountant",
                                       groups="account.group_account_user,charge_base.group_charge_user",
                                       company_id=cls.company.id, company_ids=[cls.company.id])
        (cls.user | cls.accountant).lang = "zh_CN"

    def test_clerk_sells_a_stored_value_card(self):
        card = self.env["charge.card"].create({"name": "SVTOUR01", "card_type": "stored_value",
                                               "partner_id": self.li.id, "company_id": self.company.id})
        self.start_tour("/odoo/action-charge_member.charge_card_action", "charge_finance_card_load_tour",
                        login=self.user.login)

        load = self.env["charge.card.load"].search([("card_id", "=", card.id)])
        self.assertRecordValues(load, [{"amount": 100.0, "kind": "sale", "state": "posted",
                                        "user_id": self.user.id, "company_id": self.company.id}])
        liability = self.company.charge_card_liability_account_id
        self.assertTrue(liability)
        self.assertEqual(load.move_id.state, "posted")
        self.assertEqual(self.by_account(load.move_id), {self.accounts["clearing"].code: 100.0,
                                                         liability.code: -100.0})

    def test_accountant_drills_from_the_order_reconciliation_to_the_entry_lines(self):
        # a member order of 10.00 the member's empty wallet cannot pay: unpaid, booked by an entry of its own
        stop = fields.Datetime.now() - timedelta(minutes=5)
        order = self.env["charge.order"].sudo().create({
            "pile_id": self.pile.id, "connector_id": self.connector1.id, "partner_id": self.li.id,
            "start_method": "card",
        })
        order.write({"amount_electricity": 7.0, "amount_service": 3.0, "amount_total": 10.0,
                     "start_date": stop - timedelta(hours=1), "stop_date": stop, "wallet_id": self.li_wallet.id,
                     "payment_state": "to_pay"})
        order._complete()
        self.assertEqual((order.state, order.payment_state), ("completed", "unpaid"))
        move = order.charge_move_ids
        self.assertEqual((len(move), move.state), (1, "posted"))

        self.start_tour("/odoo", "charge_finance_order_reconciliation_tour", login=self.accountant.login)
