from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import ChargeMemberCase


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestWizardForms(ChargeMemberCase):
    """The wallet and order wizards filled in as a clerk or a manager fills
    them in (``Form``, with the wizard's view, its defaults and onchanges)."""

    def open_form(self, action, user, **context):
        """The wizard of a button's ``action``, opened as ``user``."""
        return Form(self.env[action["res_model"]].with_user(user).with_context(action["context"], **context))

    def last_line(self, wallet):
        return wallet.transaction_ids.sorted("id")[-1]

    def test_recharge_on_account_from_the_member(self):
        context = {"active_model": "res.partner", "active_id": self.li.id}
        with Form(self.env["charge.wallet.recharge"].with_user(self.user).with_context(context)) as form:
            self.assertEqual((form.wallet_id, form.balance, form.mode), (self.li_wallet, 100.0, "paid"))
            form.amount = 50.0
            form.mode = "on_account"
            form.reference = "RCPT-0042"
            form.note = "fleet manager pays at month end"
        form.record.action_confirm()
        self.assertRecordValues(self.last_line(self.li_wallet), [{
            "type": "recharge", "withdrawable_amount": 0.0, "on_account_amount": 50.0, "gift_amount": 0.0,
            "amount": 50.0, "balance_after": 150.0, "reference": "RCPT-0042", "user_id": self.user.id,
            "note": "fleet manager pays at month end"}])
        self.assertRecordValues(self.li_wallet, [{"withdrawable_balance": 100.0, "on_account_balance": 50.0,
                                                  "balance": 150.0}])

    def test_recharge_refuses_an_amount_it_would_have_to_round(self):
        form = self.open_form(self.li_wallet.action_recharge(), self.user)
        form.amount = 10.005
        with self.assertRaisesRegex(UserError, "decimals"):
            form.save().action_confirm()
        self.assertEqual(len(self.li_wallet.transaction_ids), 1)

    def test_adjustment_of_the_gift_balance(self):
        with self.assertRaises(AccessError):
            self.env["charge.wallet.adjust"].with_user(self.user).create({
                "wallet_id": self.li_wallet.id, "amount": 8.0, "note": "a clerk's gesture"})
        with self.open_form(self.li_wallet.action_adjust(), self.manager) as form:
            self.assertEqual((form.wallet_id, form.cash_balance, form.bucket), (self.li_wallet, 100.0, "cash"))
            form.bucket = "gift"
            form.amount = 8.0
            form.note = "apology for the broken pile"
        form.record.action_confirm()
        self.assertRecordValues(self.last_line(self.li_wallet), [{
            "type": "adjustment", "withdrawable_amount": 0.0, "on_account_amount": 0.0, "gift_amount": 8.0,
            "gift_after": 8.0, "user_id": self.manager.id, "note": "apology for the broken pile"}])
        with self.open_form(self.li_wallet.action_adjust(), self.manager) as form:
            form.amount = -30.0
            form.note = "recharged twice by mistake"
        form.record.action_confirm()
        self.assertRecordValues(self.li_wallet, [{"withdrawable_balance": 70.0, "gift_balance": 8.0,
                                                  "balance": 78.0}])

    def test_reversal_of_a_paid_order(self):
        self.li_wallet._gift(5)
        self.company.charge_wallet_priority = "gift"
        order = self.charge("CARD1001")     # 13.00: gift 5, cash 8
        with self.open_form(order.action_open_reverse(), self.manager) as form:
            self.assertEqual((form.order_id, form.paid_cash, form.paid_gift), (order, 8.0, 5.0))
            form.reason = "the driver was charged for a parked car"
        form.record.action_confirm()
        self.assertRecordValues(order, [{"payment_state": "reversed", "paid_cash": 0.0, "paid_gift": 0.0,
                                         "reversal_reason": "the driver was charged for a parked car"}])
        self.assertRecordValues(self.last_line(self.li_wallet), [{
            "type": "reversal", "order_id": order.id, "withdrawable_amount": 8.0, "gift_amount": 5.0,
            "user_id": self.manager.id, "paid_electricity": -7.0, "paid_service": -6.0}])
        self.assertRecordValues(self.li_wallet, [{"balance": 105.0, "gift_balance": 5.0}])

    def test_remote_start_for_a_member(self):
        self.connector1.status = "available"
        context = {"active_model": "charge.connector", "active_id": self.connector1.id}
        with Form(self.env["charge.order.start"].with_user(self.user).with_context(context)) as form:
            form.partner_id = self.li
            self.assertEqual((form.is_member, form.id_tag, form.payer), (True, self.li.charge_app_tag, "member"))
        action = form.record.action_start()
        order = self.env["charge.order"].browse(action["res_id"])
        self.assertRecordValues(order, [{
            "state": "starting", "start_method": "backoffice", "partner_id": self.li.id, "id_tag": self.li.charge_app_tag,
            "wallet_id": self.li_wallet.id, "group_id": False, "card_id": False, "payment_state": "to_pay"}])

    def test_remote_start_refused_for_a_frozen_member(self):
        self.connector1.status = "available"
        self.li._charge_set_status("frozen", "unpaid bills")
        form = Form(self.env["charge.order.start"].with_user(self.user).with_context(
            active_model="charge.connector", active_id=self.connector1.id))
        form.partner_id = self.li
        with self.assertRaisesRegex(UserError, "cannot start"):
            form.save().action_start()
        self.assertFalse(self.env["charge.order"].search([("partner_id", "=", self.li.id)]))
