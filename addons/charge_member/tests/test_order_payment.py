from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChargeMemberCase, iso


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestOrderPayment(ChargeMemberCase):

    def test_completed_order_is_paid_from_the_wallet(self):
        self.li_wallet._gift(5)
        order = self.charge("CARD1001")     # 10 kWh flat: 13.00
        self.assertEqual((order.state, order.amount_total, order.payment_state), ("completed", 13.0, "paid"))
        self.assertEqual((order.paid_cash, order.paid_gift), (13.0, 0.0), "cash pays first by default")
        self.assertEqual((self.li_wallet.cash_balance, self.li_wallet.gift_balance), (87.0, 5.0))
        line = order.wallet_transaction_ids
        self.assertEqual((line.type, line.amount, line.balance_after), ("payment", -13.0, 92.0))
        self.assertEqual(self.li.charge_last_charge_date.isoformat(" "), "2026-11-21 01:00:00")

    def test_gift_first_setting(self):
        self.company.charge_wallet_priority = "gift"
        self.li_wallet._gift(5)
        order = self.charge("CARD1001")
        self.assertEqual((order.paid_cash, order.paid_gift), (8.0, 5.0))

    def test_unpaid_then_settled_once_funds_suffice(self):
        self.li_wallet._adjust(-95, note="spent elsewhere")
        self.li_wallet.sudo().credit_limit = 5
        order = self.charge("CARD1001")     # 13.00 > 5 + 5
        self.assertEqual(order.payment_state, "unpaid")
        self.assertFalse(order.wallet_transaction_ids, "nothing is taken from a wallet that cannot pay")
        with self.assertRaisesRegex(UserError, "still cannot pay"):
            order.action_pay()
        self.li_wallet._recharge(3)
        order.action_pay()                  # 8 + 5 credit covers 13
        self.assertEqual(order.payment_state, "paid")
        self.assertEqual((self.li_wallet.balance, self.li_wallet.on_account_balance), (-5.0, -5.0))
        self.assertEqual(self.li_wallet.available_amount, 0.0)

    def test_wallet_pays_its_unpaid_orders_oldest_first(self):
        self.li_wallet._adjust(-95, note="spent elsewhere")
        first = self.charge("CARD1001", start="2026-11-21 00:00", stop="2026-11-21 00:30", kwh=5)   # 6.50 > 5
        self.assertEqual((first.state, first.amount_total), ("completed", 6.5))
        self.li.charge_max_sessions = 2
        second = self.charge("CARD1001", start="2026-11-21 01:00", stop="2026-11-21 01:30", kwh=10)  # 13.00
        self.assertEqual((first.payment_state, second.payment_state), ("unpaid", "unpaid"))
        self.li_wallet._recharge(10)
        self.li_wallet.action_pay_unpaid_orders()
        self.assertEqual((first.payment_state, second.payment_state), ("paid", "unpaid"))
        self.assertEqual(self.li_wallet.balance, 8.5)
        self.assertEqual(self.li_wallet.unpaid_order_count, 1)

    def test_reversal_restores_cash_and_gift_exactly(self):
        self.li_wallet._gift(5)
        self.company.charge_wallet_priority = "gift"
        self.li_wallet._recharge(7, on_account=True)
        before = (self.li_wallet.withdrawable_balance, self.li_wallet.on_account_balance,
                  self.li_wallet.gift_balance)
        order = self.charge("CARD1001")
        self.assertEqual(self.li_wallet.balance, 112.0 - 13.0)
        with self.assertRaisesRegex(UserError, "reason"):
            order._reverse_payment(" ")
        wizard = self.env["charge.order.reverse"].with_user(self.manager).create({
            "order_id": order.id, "reason": "pile metered a parked car"})
        wizard.action_confirm()
        self.assertEqual(order.payment_state, "reversed")
        after = (self.li_wallet.withdrawable_balance, self.li_wallet.on_account_balance, self.li_wallet.gift_balance)
        self.assertEqual(after, before)
        reversal = order.wallet_transaction_ids.filtered(lambda l: l.type == "reversal")
        self.assertEqual((reversal.amount, reversal.note, reversal.user_id), (13.0, "pile metered a parked car",
                                                                              self.manager))
        self.assertEqual(reversal.reversal_of_id.type, "payment")
        with self.assertRaisesRegex(UserError, "Only a completed, paid order"):
            order._reverse_payment("twice")

    def test_running_cost_stops_the_charge_at_the_available_amount(self):
        reply = self.start_tag("CARD1001", when="2026-11-21 11:00")
        transaction = reply["transactionId"]
        order = self.env["charge.order"].search([("session_id", "=", transaction)])
        self.meter(transaction, 50000, timestamp=iso("2026-11-21 11:10"))   # 65.00 so far: goes on
        self.assertEqual((order.state, order.running_amount), ("charging", 65.0))
        self.meter(transaction, 80000, timestamp=iso("2026-11-21 11:20"))   # 104.00 > 100: stopped
        self.assertEqual(order.state, "stopping")
        self.assertTrue(order.funds_stop_sent)
        self.assertEqual(order.stop_command_id.action, "RemoteStopTransaction")
        self.assertEqual(order.running_amount, 104.0)
        self.meter(transaction, 81000, timestamp=iso("2026-11-21 11:21"))
        commands = self.env["charge.device.command"].search([("action", "=", "RemoteStopTransaction"),
                                                             ("pile_id", "=", self.pile.id)])
        self.assertEqual(len(commands), 1, "one stop only")
        self.stop(transaction, 81000, timestamp=iso("2026-11-21 11:21"), reason="Remote")
        # the last minute went over the balance: the wallet pays it on its credit... or the order waits
        self.assertEqual(order.state, "completed")
        self.assertEqual(order.payment_state, "unpaid")
        self.li_wallet.sudo().credit_limit = 10
        order.action_pay()
        self.assertAlmostEqual(self.li_wallet.balance, -5.3)

    def test_a_second_running_order_counts_against_the_same_wallet(self):
        self.li.charge_max_sessions = 2
        first = self.start_tag("CARD1001", when="2026-11-21 11:00")
        self.meter(first["transactionId"], 40000, timestamp=iso("2026-11-21 11:10"), connector=1)  # 52.00
        self.env["charge.order"].search([("session_id", "=", first["transactionId"])]).sudo().running_amount = 52
        second = self.start_tag("CARD1001", when="2026-11-21 11:05", connector=2)
        order = self.env["charge.order"].search([("session_id", "=", second["transactionId"])])
        self.meter(second["transactionId"], 40000, timestamp=iso("2026-11-21 11:15"), connector=2)  # 52 > 48
        self.assertEqual(order.state, "stopping")

    def test_stored_value_card_is_not_paid_from_the_wallet(self):
        card = self.env["charge.card"].create({"name": "SV0001", "card_type": "stored_value",
                                               "partner_id": self.li.id, "company_id": self.company.id})
        order = self.charge(card.name)
        self.assertEqual((order.payment_state, order.wallet_id.id), ("on_card", False))
        self.assertEqual(self.li_wallet.balance, 100.0)

    def test_tags_that_are_no_members_are_not_paid(self):
        order = self.charge("CARD0001")
        self.assertEqual((order.state, order.payment_state), ("completed", "none"))

    def test_a_voided_order_is_not_paid(self):
        self.li_wallet._adjust(-95, note="spent elsewhere")
        order = self.charge("CARD1001")
        self.assertEqual(order.payment_state, "unpaid")
        order.write({"state": "voided"})
        self.assertEqual(order.payment_state, "none")
        self.li_wallet._recharge(50)
        self.assertEqual(self.li_wallet.unpaid_order_count, 0)
