from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import ChargeMemberCase


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestOrderRepricing(ChargeMemberCase):
    """A paid order handled again (marked abnormal, then adjusted by hand)
    settles its new price with its wallet in the same step."""

    def buckets(self, wallet):
        return (wallet.withdrawable_balance, wallet.on_account_balance, wallet.gift_balance)

    def adjust(self, order, user=None, **figures):
        """Mark ``order`` abnormal as a clerk, then adjust its figures in the handling form as ``user``."""
        order.with_user(self.user).action_mark_abnormal()
        handle = self.env["charge.order.handle"].with_user(user or self.manager).with_context(
            default_order_id=order.id)
        with Form(handle) as form:
            form.method = "adjust"
            for name, value in figures.items():
                setattr(form, name, value)
            form.note = "metered a parked car: agreed with the driver"
        return form.record.action_confirm()

    def test_a_lower_price_gives_the_difference_back_in_the_same_step(self):
        self.company.charge_wallet_priority = "gift"
        self.li_wallet._gift(5)
        self.li_wallet._recharge(7, on_account=True)
        before = self.buckets(self.li_wallet)
        order = self.charge("CARD1001")     # 13.00: gift 5, on account 7, withdrawable 1
        self.assertRecordValues(order, [{"amount_electricity": 7.0, "amount_service": 6.0, "amount_total": 13.0,
                                         "paid_cash": 8.0, "paid_gift": 5.0, "payment_state": "paid"}])
        self.adjust(order, amount_electricity=1.5, amount_service=0.5)
        self.assertRecordValues(order, [{"state": "completed", "amount_total": 2.0, "payment_state": "paid",
                                         "paid_cash": 0.0, "paid_gift": 2.0}])
        refund = order.wallet_transaction_ids.filtered(lambda l: l.type == "reversal")
        # the gift pays first, so it is what the order keeps: the cash comes back whole
        self.assertRecordValues(refund, [{
            "amount": 11.0, "withdrawable_amount": 1.0, "on_account_amount": 7.0, "gift_amount": 3.0,
            "paid_electricity": -5.5, "paid_service": -5.5, "paid_reservation": 0.0, "paid_occupancy": 0.0,
            "user_id": self.manager.id, "reversal_of_id": order.wallet_transaction_ids.filtered(
                lambda l: l.type == "payment").id}])
        self.assertEqual(self.buckets(self.li_wallet), (before[0], before[1], before[2] - 2.0))
        # a later reversal gives back exactly what is still paid
        reversal = order._reverse_payment("customer complaint")
        self.assertRecordValues(reversal, [{"amount": 2.0, "gift_amount": 2.0, "paid_electricity": -1.5,
                                            "paid_service": -0.5}])
        self.assertEqual(self.buckets(self.li_wallet), before)
        self.assertEqual((order.paid_cash, order.paid_gift, order.payment_state), (0.0, 0.0, "reversed"))

    def test_cash_first_refund_gives_the_gift_back_first(self):
        self.li_wallet._gift(20)
        self.li_wallet._adjust(-95, note="spent elsewhere")     # withdrawable 5, gift 20
        order = self.charge("CARD1001")     # 13.00: cash 5, then gift 8
        self.assertEqual((order.paid_cash, order.paid_gift), (5.0, 8.0))
        self.adjust(order, amount_electricity=4.0, amount_service=2.0)
        self.assertRecordValues(order, [{"amount_total": 6.0, "paid_cash": 5.0, "paid_gift": 1.0}])
        self.assertEqual(self.buckets(self.li_wallet), (0.0, 0.0, 19.0))

    def test_a_higher_price_is_taken_from_the_wallet(self):
        order = self.charge("CARD1001")
        self.adjust(order, amount_electricity=12.0, amount_service=8.0)
        extra = order.wallet_transaction_ids.filtered(lambda l: l.type == "payment").sorted("id")[-1:]
        self.assertRecordValues(extra, [{"amount": -7.0, "paid_electricity": 5.0, "paid_service": 2.0}])
        self.assertRecordValues(order, [{"amount_total": 20.0, "paid_cash": 20.0, "payment_state": "paid"}])
        self.assertEqual(self.li_wallet.balance, 80.0)
        self.assertEqual(order._reverse_payment("refund").amount, 20.0)
        self.assertEqual(self.li_wallet.balance, 100.0)

    def test_a_higher_price_the_wallet_cannot_pay_is_refused(self):
        self.li_wallet._adjust(-87, note="spent elsewhere")
        order = self.charge("CARD1001")     # 13.00: the wallet is empty afterwards
        with self.assertRaisesRegex(UserError, "cannot pay the 7.00 more"), self.env.cr.savepoint():
            self.adjust(order, amount_electricity=12.0, amount_service=8.0)
        self.env.invalidate_all()
        self.assertRecordValues(order, [{"state": "completed", "amount_total": 13.0, "paid_cash": 13.0}])
        self.assertEqual(len(order.wallet_transaction_ids), 1)

    def test_only_a_manager_reprices_a_paid_order(self):
        order = self.charge("CARD1001")
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.adjust(order, user=self.user, amount_electricity=1.0, amount_service=1.0)
        self.env.invalidate_all()
        self.assertEqual((order.state, order.amount_total), ("completed", 13.0))
        # with the second review, a clerk proposes and a manager's approval moves the money
        self.company.charge_abnormal_review = True
        self.adjust(order, user=self.user, amount_electricity=1.0, amount_service=1.0)
        self.assertEqual((order.amount_total, order.paid_cash), (13.0, 13.0))
        order.handling_ids.filtered(lambda h: h.state == "to_review").with_user(self.manager).action_approve()
        self.assertRecordValues(order, [{"state": "completed", "amount_total": 2.0, "paid_cash": 2.0}])
        self.assertEqual(order.wallet_transaction_ids.sorted("id")[-1].user_id, self.manager)

    def test_an_unpaid_order_is_paid_at_its_new_price(self):
        self.li_wallet._adjust(-95, note="spent elsewhere")
        order = self.charge("CARD1001")     # 13.00 > 5
        self.assertEqual(order.payment_state, "unpaid")
        self.adjust(order, user=self.user, amount_electricity=3.0, amount_service=1.0)
        self.assertRecordValues(order, [{"amount_total": 4.0, "payment_state": "unpaid", "paid_cash": 0.0}])
        order.with_user(self.user).action_pay()
        self.assertRecordValues(order, [{"payment_state": "paid", "paid_cash": 4.0}])
        self.assertRecordValues(order.wallet_transaction_ids, [{"amount": -4.0, "paid_electricity": 3.0,
                                                                "paid_service": 1.0}])
