from datetime import datetime, timedelta
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .. import _post_init_hook
from .common import ChargeFinanceCase

STOP = datetime(2026, 11, 21, 3, 0)  # 11:00 in Shanghai


@tagged("post_install", "-at_install")
class TestOrderPosting(ChargeFinanceCase):
    """Completed orders no wallet paid are booked by entries of their own:
    receivable (or stored-value card liability) against revenue and VAT."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(cls.env, login="charge_accountant",
                                       groups="account.group_account_user,charge_base.group_charge_user",
                                       company_id=cls.company.id, company_ids=[cls.company.id])

    def setUp(self):
        super().setUp()
        freezer = freeze_time("2026-11-21 05:00:00")
        freezer.start()
        self.addCleanup(freezer.stop)

    # scenario helpers -----------------------------------------------------------------------------

    def complete(self, wallet=None, partner=None, card=None, group=None, id_tag=False, method="card",
                 total=None, **amounts):
        """An order of the bus pile completed as a device event would complete it."""
        owner = wallet and (wallet.partner_id or wallet.group_id.partner_id)
        order = self.env["charge.order"].sudo().create({
            "pile_id": self.pile.id, "connector_id": self.connector1.id, "id_tag": id_tag, "start_method": method,
            "partner_id": (partner or card and card.partner_id or owner or self.env["res.partner"]).id,
        })
        figures = {f"amount_{name}": amounts.get(name, 0.0)
                   for name in ("electricity", "service", "reservation", "occupancy")}
        payment_state = "on_card" if card and card.card_type == "stored_value" else ("to_pay" if wallet else "none")
        order.write({
            **figures, "amount_total": round(sum(figures.values()), 2) if total is None else total,
            "start_date": STOP - timedelta(hours=1), "stop_date": STOP, "wallet_id": wallet.id if wallet else False, "card_id": card.id if card else False,
            "group_id": group.id if group else False, "payment_state": payment_state,
        })
        order._complete()
        return order.with_env(self.env)

    def revenue_entry(self, order):
        moves = order.sudo().charge_move_ids
        self.assertEqual(len(moves), 1, f"{order.name} has its one revenue entry")
        self.assertEqual((moves.state, moves.charge_order_kind, moves.journal_id),
                         ("posted", "revenue", self.company.charge_wallet_journal_id))
        return moves

    def code(self, role):
        return self.accounts[role].code

    def receivable(self, partner):
        return partner.with_company(self.company).property_account_receivable_id

    def revenue_and_tax(self):
        """Revenue plus output tax booked by the wallet journal, credit positive."""
        accounts = {self.accounts[f"revenue_{name}"].id for name in ("electricity", "service", "reservation",
                                                                     "occupancy")}
        items = self.env["account.move.line"].search([
            ("company_id", "=", self.company.id), ("parent_state", "=", "posted"),
            ("journal_id", "=", self.company.charge_wallet_journal_id.id)])
        return -round(sum(i.balance for i in items if i.account_id.id in accounts or i.tax_repartition_line_id), 2)

    def order_report(self):
        self.env["charge.order.reconciliation"].invalidate_model()
        row = self.env["charge.order.reconciliation"].search([("company_id", "=", self.company.id)])
        self.assertEqual(len(row), 1)
        self.assertEqual(str(row.month), "2026-11-01")
        return row

    # who owes ------------------------------------------------------------------------------

    def test_non_member_tag_order_is_a_walkin_receivable(self):
        order = self.complete(id_tag="STRANGER1", electricity=7.0, service=3.0)
        walkin = self.company.charge_walkin_partner_id
        self.assertEqual(walkin.name, "Walk-in Customer")
        move = self.revenue_entry(order)
        self.assertEqual((str(move.date), move.ref, move.charge_order_id), ("2026-11-21", order.name, order))
        # 7.00 at 13 %: 6.19 + 0.81; 3.00 at 6 %: 2.83 + 0.17
        self.assertEqual(self.by_account(move), {
            self.receivable(walkin).code: 10.0, self.code("revenue_electricity"): -6.19,
            self.code("revenue_service"): -2.83, self.chart.ref("tax_received").code: -0.98})
        item = move.line_ids.filtered(lambda i: i.balance > 0)
        self.assertEqual((item.partner_id, item.charge_order_id), (walkin, order))
        self.assertFalse(order.charge_post_pending)
        self.assertEqual(order.with_user(self.accountant).charge_move_count, 1)

    def test_pile_id_tag_holder_partner_owes_its_orders(self):
        holder = self.env["res.partner"].create({"name": "Bus Depot", "company_id": self.company.id})
        self.pile.id_tag_ids.filtered(lambda t: t.tag == "CARD0001").partner_id = holder
        move = self.revenue_entry(self.complete(id_tag="CARD0001", electricity=5.0))
        self.assertEqual(move.line_ids.filtered(lambda i: i.balance > 0).partner_id, holder)

    def test_backoffice_start_without_member_is_a_walkin_receivable(self):
        order = self.complete(method="backoffice", service=8.0)
        self.assertEqual(order.payment_state, "none")
        move = self.revenue_entry(order)
        self.assertEqual(move.line_ids.filtered(lambda i: i.balance > 0).partner_id,
                         self.company.charge_walkin_partner_id)
        self.assertEqual(self.revenue_and_tax(), 8.0)

    def test_walkin_customer_is_a_company_setting_made_by_the_setup(self):
        other = self.env["res.company"].create({"name": "Other Charging Co"})
        self.assertFalse(other.charge_walkin_partner_id)
        other._charge_orders_setup()
        self.assertEqual(other.charge_walkin_partner_id.company_id, other)
        chosen = self.env["res.partner"].create({"name": "Cash Desk", "company_id": self.company.id})
        self.company.charge_walkin_partner_id = chosen
        move = self.revenue_entry(self.complete(id_tag="STRANGER2", electricity=3.0))
        self.assertEqual(move.line_ids.filtered(lambda i: i.balance > 0).partner_id, chosen)

    # unpaid, then paid ------------------------------------------------------------------------

    def test_unpaid_member_order_is_settled_when_paid(self):
        order = self.complete(self.li_wallet, electricity=7.0, service=3.0)
        self.assertEqual(order.payment_state, "unpaid")
        move = self.revenue_entry(order)
        receivable = self.receivable(self.li)
        self.assertEqual(self.by_account(move)[receivable.code], 10.0)
        self.assertEqual(self.revenue_and_tax(), 10.0)
        self.li_wallet._recharge(20)
        order.with_user(self.user).action_pay()
        self.assertEqual(order.payment_state, "paid")
        payment = order.wallet_transaction_ids.filtered(lambda l: l.type == "payment")
        self.assertEqual(self.by_account(self.entry(payment)), {self.code("cash_liability"): 10.0,
                                                                receivable.code: -10.0})
        self.assertEqual(self.revenue_and_tax(), 10.0, "the revenue is booked once")
        items = self.env["account.move.line"].search([("charge_order_id", "=", order.id)])
        self.assertEqual(len(items), 2)
        self.assertTrue(all(items.mapped("reconciled")))
        self.assertEqual(items.full_reconcile_id.reconciled_line_ids, items)
        self.assertEqual(order.sudo().charge_move_ids, move, "paying makes no second order entry")

    def test_reversed_payment_of_a_settled_order_cancels_its_revenue(self):
        order = self.complete(self.li_wallet, electricity=7.0, service=3.0)
        self.li_wallet._recharge(20)
        order.action_pay()
        reversal = order._reverse_payment("charged twice")
        receivable = self.receivable(self.li)
        self.assertEqual(self.by_account(self.entry(reversal)), {self.code("cash_liability"): -10.0,
                                                                 receivable.code: 10.0})
        moves = order.sudo().charge_move_ids.sorted("charge_order_seq")
        self.assertEqual(moves.mapped("charge_order_kind"), ["revenue", "reversal"])
        reverse = moves.filtered(lambda m: m.charge_order_kind == "reversal")
        self.assertEqual(reverse.reversed_entry_id, moves - reverse)
        self.assertEqual(self.revenue_and_tax(), 0.0)
        items = self.env["account.move.line"].search([("charge_order_id", "=", order.id)])
        self.assertEqual(len(items), 4)
        self.assertTrue(all(items.mapped("reconciled")))
        self.assertEqual(self.gl_balance(receivable), 0.0)
        self.assertEqual(self.li_wallet.balance, 20.0)

    def test_unpaid_group_order_is_owed_by_the_group(self):
        self.fleet.write({"member_ids": [(0, 0, {"partner_id": self.wang.id})]})
        order = self.complete(self.fleet_wallet, partner=self.wang, group=self.fleet, electricity=12.0)
        self.assertEqual(order.payment_state, "unpaid")
        move = self.revenue_entry(order)
        debit = move.line_ids.filtered(lambda i: i.balance > 0)
        self.assertEqual((debit.partner_id, debit.account_id, debit.balance),
                         (self.fleet_contact, self.receivable(self.fleet_contact), 12.0))
        self.fleet_wallet._recharge(50)
        order.action_pay()
        self.assertTrue(all(self.env["account.move.line"].search([("charge_order_id", "=", order.id)])
                            .mapped("reconciled")))
        self.assertEqual(self.gl_balance(self.receivable(self.fleet_contact)), 0.0)

    def test_order_paid_from_its_wallet_has_no_entry_of_its_own(self):
        self.li_wallet._recharge(50)
        order = self.complete(self.li_wallet, electricity=7.0, service=3.0)
        self.assertEqual(order.payment_state, "paid")
        self.assertFalse(order.sudo().charge_move_ids)
        self.assertEqual(self.revenue_and_tax(), 10.0)

    # stored-value cards -------------------------------------------------------------------------

    def test_stored_value_card_load_and_order(self):
        card = self.env["charge.card"].create({"name": "SV0001", "card_type": "stored_value",
                                               "partner_id": self.li.id, "company_id": self.company.id})
        wizard = Form(self.env["charge.card.load.wizard"].with_user(self.user).with_context(
            active_model="charge.card", active_id=card.id))
        wizard.kind = "sale"
        wizard.amount = 100
        wizard.save().action_confirm()
        load = self.env["charge.card.load"].search([("card_id", "=", card.id)])
        self.assertRecordValues(load, [{"amount": 100.0, "kind": "sale", "state": "posted", "user_id": self.user.id}])
        liability = self.company.charge_card_liability_account_id
        self.assertEqual((liability.account_type, liability.name), ("liability_current", "Stored-Value Card Liability"))
        self.assertEqual(self.by_account(load.move_id), {self.code("clearing"): 100.0, liability.code: -100.0})
        order = self.complete(card=card, electricity=7.0, service=3.0)
        self.assertEqual(order.payment_state, "on_card")
        move = self.revenue_entry(order)
        self.assertEqual(self.by_account(move)[liability.code], 10.0)
        self.assertEqual(self.gl_balance(liability), 90.0)
        self.assertEqual(self.revenue_and_tax(), 10.0)

    def test_card_load_amount_is_checked_and_only_on_stored_value_cards(self):
        card = self.env["charge.card"].create({"name": "SV0002", "card_type": "stored_value",
                                               "partner_id": self.li.id, "company_id": self.company.id})
        auth = self.env["charge.card"].create({"name": "AU0002", "card_type": "auth",
                                               "partner_id": self.li.id, "company_id": self.company.id})
        Wizard = self.env["charge.card.load.wizard"].with_user(self.user)
        for amount in (0.005, 1234.567, -5, 0):
            with self.assertRaises(UserError):
                Wizard.create({"card_id": card.id, "amount": amount}).action_confirm()
        with self.assertRaises(UserError):
            Wizard.create({"card_id": auth.id, "amount": 10}).action_confirm()
        with self.assertRaises(AccessError):
            self.env["charge.card.load"].with_user(self.user).create(
                {"card_id": card.id, "company_id": self.company.id, "amount": 10})
        self.assertFalse(self.env["charge.card.load"].search([]))

    # changes after posting ---------------------------------------------------------------------

    def test_voided_after_posting_is_reversed(self):
        order = self.complete(id_tag="STRANGER3", electricity=7.0, service=3.0)
        entry = self.revenue_entry(order)
        order.action_mark_abnormal()
        self.env["charge.order.handle"].with_user(self.manager).with_context(default_order_id=order.id).create(
            {"method": "void", "note": "test charge"}).action_confirm()
        self.assertEqual(order.state, "voided")
        moves = order.sudo().charge_move_ids
        reverse = moves - entry
        self.assertEqual((reverse.charge_order_kind, reverse.reversed_entry_id, reverse.state),
                         ("reversal", entry, "posted"))
        self.assertEqual(self.by_account(reverse), {code: -amount for code, amount in self.by_account(entry).items()})
        self.assertEqual(self.revenue_and_tax(), 0.0)
        self.assertTrue(all(self.env["account.move.line"].search([("charge_order_id", "=", order.id)])
                            .mapped("reconciled")))
        order._charge_book()
        self.assertEqual(order.sudo().charge_move_ids, moves, "a voided order is reversed once")

    def test_repriced_after_posting_gets_an_adjusting_entry(self):
        order = self.complete(id_tag="STRANGER4", electricity=7.0, service=3.0)
        entry = self.revenue_entry(order)
        order.action_mark_abnormal()
        self.assertEqual(order.sudo().charge_move_ids, entry, "an abnormal order keeps its books until handled")
        self.env["charge.order.handle"].with_user(self.manager).with_context(default_order_id=order.id).create(
            {"method": "adjust", "note": "agreed", "amount_electricity": 5.0, "amount_service": 3.0,
             "amount_occupancy": 1.0}).action_confirm()
        self.assertEqual((order.state, order.amount_total), ("completed", 9.0))
        adjustment = order.sudo().charge_move_ids - entry
        self.assertEqual(adjustment.charge_order_kind, "adjustment")
        self.assertEqual(adjustment.charge_order_amounts, {"electricity": "-2.00", "occupancy": "1.00"})
        walkin = self.receivable(self.company.charge_walkin_partner_id)
        self.assertEqual(self.by_account(adjustment)[walkin.code], -1.0)
        self.assertEqual(self.revenue_and_tax(), 9.0)
        self.assertEqual(self.order_report().revenue_difference, 0.0)

    def test_settled_order_repriced_keeps_its_receivable_at_zero(self):
        order = self.complete(self.li_wallet, electricity=7.0, service=3.0)
        self.li_wallet._recharge(20)
        order.action_pay()
        order.action_mark_abnormal()
        self.env["charge.order.handle"].with_user(self.manager).with_context(default_order_id=order.id).create(
            {"method": "adjust", "note": "agreed", "amount_electricity": 5.0, "amount_service": 3.0,
             "amount_occupancy": 0.0}).action_confirm()
        self.assertEqual((order.state, order.payment_state, order.amount_total), ("completed", "paid", 8.0))
        self.assertEqual(self.li_wallet.balance, 12.0, "the wallet got the difference back")
        self.assertEqual(self.revenue_and_tax(), 8.0)
        self.assertEqual(self.gl_balance(self.receivable(self.li)), 0.0)
        self.assertEqual(self.gl_balance(self.accounts["cash_liability"]), 12.0)
        self.assertTrue(all(self.env["account.move.line"].search([("charge_order_id", "=", order.id)])
                            .mapped("reconciled")))
        self.assertEqual(self.order_report().revenue_difference, 0.0)

    # errors and double posting ---------------------------------------------------------------

    def test_posting_error_leaves_the_order_pending(self):
        # the components miss the total: the order cannot be posted, the completion goes through
        order = self.complete(id_tag="STRANGER5", electricity=7.0, service=3.0, total=11.0)
        self.assertEqual(order.state, "completed")
        self.assertFalse(order.sudo().charge_move_ids)
        self.assertTrue(order.charge_post_pending)
        self.assertIn("cannot be posted", order.with_user(self.accountant).charge_posting_error)
        self.assertIn(order, self.env["charge.order"].with_user(self.accountant).search(
            [("charge_posting_error", "!=", False)]))
        self.assertEqual(self.order_report().revenue_difference, -11.0, "the report shows what is missing")
        # the accountants are told: one warning activity on the wallet journal
        journal = self.company.charge_wallet_journal_id
        activity = self.env["mail.activity"].search([("res_model", "=", "account.journal"), ("res_id", "=", journal.id)])
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_warning"))
        self.assertIn("1 order(s) could not be posted: ", str(activity.note))
        self.assertTrue(activity.user_id.has_group("account.group_account_user"))
        order.sudo().amount_total = 10.0
        action = self.env["charge.wallet.transaction"].with_user(self.accountant).action_post_pending()
        self.assertEqual(action["domain"], [("id", "in", self.revenue_entry(order).ids)])
        self.assertFalse(order.charge_post_pending)
        self.assertFalse(order.sudo().charge_posting_error)
        self.assertFalse(activity.exists() and activity.active, "nothing is left failing: the activity is done")

    def test_device_events_book_a_pile_tag_order(self):
        order = self.run_session(id_tag="CARD0001", start="2026-11-21 00:00", stop="2026-11-21 01:00")
        self.assertEqual((order.state, order.payment_state, order.session_id.state), ("completed", "none", "finished"))
        move = self.revenue_entry(order)
        self.assertEqual(round(sum(move.line_ids.filtered(lambda i: i.balance > 0).mapped("balance")), 2),
                         order.amount_total)
        self.assertEqual(self.order_report().revenue_difference, 0.0)

    def test_a_posting_error_never_fails_the_stop_transaction(self):
        ChargeOrder = type(self.env["charge.order"])
        with patch.object(ChargeOrder, "_charge_split", side_effect=UserError("tax misconfigured")):
            order = self.run_session(id_tag="CARD0001", start="2026-11-21 00:00", stop="2026-11-21 01:00")
        self.assertEqual((order.state, order.session_id.state), ("completed", "finished"))
        self.assertFalse(order.sudo().charge_move_ids)
        self.assertEqual((order.charge_post_pending, order.sudo().charge_posting_error),
                         (True, "tax misconfigured"))
        self.env["charge.wallet.transaction"]._cron_post_daily_summary()
        self.revenue_entry(order)
        self.assertFalse(order.sudo().charge_posting_error)

    def test_an_order_is_never_posted_twice(self):
        order = self.complete(id_tag="STRANGER6", electricity=4.0)
        entry = self.revenue_entry(order)
        order.sudo()._charge_post_order()
        self.env["charge.wallet.transaction"]._cron_post_daily_summary()
        self.assertEqual(order.sudo().charge_move_ids, entry)
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            entry.copy({"charge_order_id": order.id, "charge_order_seq": entry.charge_order_seq})
            self.env.flush_all()

    def test_a_reinstallation_finds_the_order_entries_again(self):
        order = self.complete(self.li_wallet, electricity=7.0, service=3.0)
        entry = self.revenue_entry(order)
        self.env.flush_all()
        # uninstalling drops the columns of the module's fields: the links are gone
        self.env.cr.execute("UPDATE account_move SET charge_order_id = NULL, charge_order_kind = NULL, "
                            "charge_order_seq = NULL, charge_order_amounts = NULL WHERE id = %s", [entry.id])
        self.env.cr.execute("UPDATE account_move_line SET charge_order_id = NULL WHERE move_id = %s", [entry.id])
        self.env.invalidate_all()
        self.assertFalse(order.sudo().charge_move_ids)
        self.env["account.move.line"].init()  # what the installation runs
        self.env.invalidate_all()
        self.assertEqual(order.sudo().charge_move_ids, entry)
        self.assertEqual(entry.charge_order_amounts, {"electricity": "7.00", "service": "3.00"})
        self.li_wallet._recharge(20)
        order.action_pay()
        self.assertEqual(self.revenue_and_tax(), 10.0, "the payment settles the receivable, no second revenue")
        self.assertTrue(all(self.env["account.move.line"].search([("charge_order_id", "=", order.id)])
                            .mapped("reconciled")))

    def test_the_installation_books_the_orders_completed_before(self):
        with patch.object(type(self.env["charge.order"]), "_charge_book"):  # as if charge_finance was not there
            order = self.complete(id_tag="STRANGER10", electricity=6.0)
        self.assertFalse(order.sudo().charge_move_ids)
        _post_init_hook(self.env)
        self.revenue_entry(order)
        _post_init_hook(self.env)
        self.assertEqual(len(order.sudo().charge_move_ids), 1)

    def test_daily_mode_posts_the_orders_of_the_days_before(self):
        self.company.charge_posting_mode = "daily"
        order = self.complete(id_tag="STRANGER7", electricity=6.0)
        self.assertTrue(order.charge_post_pending)
        self.assertFalse(order.sudo().charge_move_ids)
        self.env["charge.wallet.transaction"]._cron_post_daily_summary()
        self.assertFalse(order.sudo().charge_move_ids, "today's orders wait for tomorrow")
        with freeze_time("2026-11-21 17:00:00"):  # 01:00 on the 22nd in Shanghai
            self.env["charge.wallet.transaction"]._cron_post_daily_summary()
        self.assertEqual(str(self.revenue_entry(order).date), "2026-11-21")

    def test_daily_mode_unpaid_order_paid_the_same_day_is_booked_by_its_payment(self):
        self.company.charge_posting_mode = "daily"
        order = self.complete(self.li_wallet, electricity=7.0, service=3.0)
        self.li_wallet._recharge(20)
        order.action_pay()
        with freeze_time("2026-11-21 17:00:00"):
            self.env["charge.wallet.transaction"]._cron_post_daily_summary()
        self.assertFalse(order.sudo().charge_move_ids)
        self.assertFalse(order.charge_post_pending)
        self.assertEqual(self.revenue_and_tax(), 10.0)

    def test_daily_summary_settles_the_receivable_of_an_order_booked_before(self):
        self.company.charge_posting_mode = "daily"
        order = self.complete(self.li_wallet, electricity=7.0, service=3.0)
        with freeze_time("2026-11-21 17:00:00"):
            self.env["charge.wallet.transaction"]._cron_post_daily_summary()
        entry = self.revenue_entry(order)
        with freeze_time("2026-11-22 02:00:00"):
            self.li_wallet._recharge(20)
            order.action_pay()
        with freeze_time("2026-11-22 17:00:00"):
            self.env["charge.wallet.transaction"]._cron_post_daily_summary()
        payment = order.wallet_transaction_ids.filtered(lambda l: l.type == "payment")
        summary = self.entry(payment)
        self.assertEqual(self.by_account(summary), {self.code("cash_liability"): -10.0, self.code("clearing"): 20.0,
                                                    self.receivable(self.li).code: -10.0})
        items = self.env["account.move.line"].search([("charge_order_id", "=", order.id)])
        self.assertEqual(items.move_id, entry | summary)
        self.assertTrue(all(items.mapped("reconciled")))
        self.assertEqual(self.revenue_and_tax(), 10.0)

    # the report -------------------------------------------------------------------------------

    def test_reconciliation_report_agrees_with_the_orders(self):
        self.li_wallet._recharge(10)
        self.complete(self.li_wallet, electricity=6.0)                        # paid from the wallet
        unpaid = self.complete(self.li_wallet, electricity=7.0, service=3.0)  # unpaid: 4 left
        self.complete(self.wang_wallet, electricity=2.5, occupancy=1.5)       # unpaid
        self.complete(id_tag="STRANGER8", service=3.3)                        # walk-in
        voided = self.complete(id_tag="STRANGER9", service=9.9)
        voided.sudo().write({"state": "voided"})
        card = self.env["charge.card"].create({"name": "SV0003", "card_type": "stored_value",
                                               "partner_id": self.wang.id, "company_id": self.company.id})
        self.complete(card=card, electricity=4.4)
        row = self.order_report()
        self.assertRecordValues(row, [{"order_revenue": 27.7, "gl_revenue": 27.7, "revenue_difference": 0.0,
                                       "unpaid_amount": 14.0, "open_receivable": 14.0,
                                       "receivable_difference": 0.0}])
        self.li_wallet._recharge(6)
        unpaid.action_pay()
        self.assertRecordValues(self.order_report(), [{"order_revenue": 27.7, "gl_revenue": 27.7,
                                                       "unpaid_amount": 4.0, "open_receivable": 4.0}])
        orders = self.env["charge.order"].search(row.action_view_orders()["domain"])
        self.assertEqual(round(sum(orders.mapped("amount_total")), 2), 27.7)
        items = self.env["account.move.line"].search(row.action_view_revenue_items()["domain"])
        self.assertEqual(-round(sum(items.mapped("balance")), 2), 27.7)
        receivables = self.env["account.move.line"].search(row.action_view_receivable_items()["domain"])
        self.assertEqual(round(sum(receivables.mapped("amount_residual")), 2), 4.0)
        self.assertEqual(self.env["charge.order"].search(row.action_view_unpaid_orders()["domain"]).mapped(
            "partner_id"), self.wang)
        # the web client titles a window by its display name: each drill-down shows its own title
        titles = [(action["name"], action["display_name"]) for action in (
            row.action_view_orders(), row.action_view_unpaid_orders(), row.action_view_revenue_items(),
            row.action_view_receivable_items())]
        self.assertEqual(titles, [(title, title) for title in (
            "Completed Orders", "Unpaid Orders", "Revenue and Tax Items", "Order Receivables")])
