from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from .common import ChargeFinanceCase


@tagged("post_install", "-at_install")
class TestDocumentPosting(ChargeFinanceCase):
    """One entry per ledger line, posted with the line."""

    def code(self, role):
        return self.accounts[role].code

    def test_paid_recharge_debits_the_clearing_account(self):
        with freeze_time("2026-11-20 17:30:00"):  # 01:30 on the 21st in Shanghai
            line = self.li_wallet._recharge(100, reference="WX-0001")
        move = self.entry(line)
        self.assertEqual((move.state, move.move_type, move.journal_id, str(move.date), move.ref),
                         ("posted", "entry", self.company.charge_wallet_journal_id, "2026-11-21", line.name))
        self.assertEqual(self.by_account(move), {self.code("cash_liability"): -100.0, self.code("clearing"): 100.0})
        self.assertEqual(move.line_ids.partner_id, self.li, "the liability is the member's")
        self.assertEqual(move.charge_wallet_transaction_ids, line)
        self.assertTrue(line.posted)
        self.assertEqual(self.env["charge.wallet.transaction"].search([("posted", "=", True),
                                                                       ("company_id", "=", self.company.id)]), line)
        self.assertFalse(self.env["charge.wallet.transaction"].search([("posted", "=", False),
                                                                       ("company_id", "=", self.company.id)]))

    def test_recharge_on_account_debits_the_owners_receivable(self):
        receivable = self.li.with_company(self.company).property_account_receivable_id
        move = self.entry(self.li_wallet._recharge(50, on_account=True))
        self.assertEqual(self.by_account(move), {self.code("cash_liability"): -50.0, receivable.code: 50.0})
        self.assertEqual(move.line_ids.filtered(lambda item: item.account_id == receivable).partner_id, self.li)
        move = self.entry(self.fleet_wallet._recharge(500, on_account=True))
        self.assertEqual(move.line_ids.partner_id, self.fleet_contact, "a group's receivable is its contact's")
        walk_in = self.env["charge.group"].create({"name": "Walk-in", "company_id": self.company.id})
        move = self.entry(walk_in.wallet_id._recharge(30, on_account=True))
        self.assertFalse(move.line_ids.partner_id, "a group without contact")
        self.assertEqual(move.line_ids.filtered(lambda item: item.balance > 0).account_id,
                         self.company.partner_id.with_company(self.company).property_account_receivable_id)

    def test_gift_money_is_a_marketing_expense(self):
        move = self.entry(self.li_wallet._gift(8))
        self.assertEqual(self.by_account(move), {self.code("gift_liability"): -8.0,
                                                 self.code("marketing_expense"): 8.0})
        move = self.entry(self.li_wallet._adjust(-3, bucket="gift", note="bonus withdrawn"))
        self.assertEqual(self.by_account(move), {self.code("gift_liability"): 3.0,
                                                 self.code("marketing_expense"): -3.0})

    def pay_mixed(self):
        """An order of 13.50 on four components paid with 10 of cash and 3.50 of gift money."""
        self.li_wallet._recharge(10)
        self.li_wallet._gift(5)
        return self.pay(self.li_wallet, electricity=7.0, service=3.0, reservation=2.0, occupancy=1.5)

    def test_payment_splits_revenue_and_vat_per_fee_component(self):
        order = self.pay_mixed()
        line = order.wallet_transaction_ids
        self.assertEqual((line.type, line.cash_amount, line.gift_amount), ("payment", -10.0, -3.5))
        move = self.entry(line)
        self.assertEqual(move.ref, f"{line.name} {order.name}")
        tax_account = self.chart.ref("tax_received").code
        self.assertEqual(self.by_account(move), {
            self.code("cash_liability"): 10.0, self.code("gift_liability"): 3.5,
            self.code("revenue_electricity"): -6.19, self.code("revenue_service"): -2.83,
            self.code("revenue_reservation"): -1.89, self.code("revenue_occupancy"): -1.38,
            tax_account: -1.21,
        })
        taxes = move.line_ids.filtered("tax_repartition_line_id")
        self.assertEqual(sorted((item.tax_line_id.name, item.balance, item.tax_base_amount) for item in taxes), [
            ("VAT 13%", -0.81, -6.19), ("VAT 6%", -0.28, -4.72), ("VAT 9%", -0.12, -1.38)],
            "one item per tax: service and reservation (both at 6 %) share theirs")
        for item in taxes:
            repartition = item.tax_line_id.invoice_repartition_line_ids
            self.assertEqual(item.tax_repartition_line_id, repartition.filtered(lambda r: r.repartition_type == "tax"))
            self.assertEqual(item.tax_tag_ids, item.tax_repartition_line_id.tag_ids)
        electricity = move.line_ids.filtered(lambda item: item.account_id == self.accounts["revenue_electricity"])
        self.assertEqual(electricity.tax_ids, self.vat13)
        self.assertEqual(electricity.tax_tag_ids.name, "invoice base 13")
        self.assertEqual(move.line_ids.partner_id, self.li)

    def test_reversal_mirrors_the_payment(self):
        order = self.pay_mixed()
        payment = self.entry(order.wallet_transaction_ids)
        reversal_line = order._reverse_payment("wrong connector")
        reversal = self.entry(reversal_line)
        self.assertEqual(self.by_account(reversal), {code: -amount for code, amount in self.by_account(payment).items()})
        taxes = reversal.line_ids.filtered("tax_repartition_line_id")
        self.assertEqual(taxes.mapped(lambda item: item.tax_repartition_line_id.document_type), ["refund"] * 3)
        self.assertEqual(set(taxes.tax_tag_ids.mapped("name")), {"refund tax 13", "refund tax 6", "refund tax 9"})
        self.assertEqual(sorted(taxes.mapped("tax_base_amount")), [1.38, 4.72, 6.19])
        self.assertEqual((self.li_wallet.cash_balance, self.li_wallet.gift_balance), (10.0, 5.0))

    def test_cash_adjustments_use_the_adjustment_account(self):
        self.assertEqual(self.accounts["adjustment"], self.company.charge_marketing_expense_account_id)
        account = self.accounts["marketing_expense"].copy({"code": "652000", "name": "Goodwill"})
        self.company.charge_adjustment_account_id = account
        move = self.entry(self.li_wallet._adjust(20, note="app outage"))
        self.assertEqual(self.by_account(move), {self.code("cash_liability"): -20.0, "652000": 20.0})
        move = self.entry(self.li_wallet._adjust(-5, note="double credit"))
        self.assertEqual(self.by_account(move), {self.code("cash_liability"): 5.0, "652000": -5.0})

    def test_card_fee_is_card_revenue(self):
        self.company.charge_card_fee = 20
        self.li_wallet._recharge(50)
        card = self.env["charge.card"].create({"name": "FEE0001", "partner_id": self.li.id,
                                               "company_id": self.company.id})
        move = self.entry(card._take_fee())
        self.assertEqual(self.by_account(move), {self.code("cash_liability"): 20.0, self.code("card_fee"): -20.0})

    def test_posting_never_writes_a_ledger_line(self):
        Line = type(self.env["charge.wallet.transaction"])
        with patch.object(Line, "write", autospec=True, side_effect=AssertionError("write")) as write:
            self.li_wallet._recharge(20)
            order = self.pay(self.li_wallet, electricity=5.0, service=3.0)
            order._reverse_payment("test")
            self.env.flush_all()
        self.assertFalse(write.called)
        self.assertEqual(len(self.li_wallet.transaction_ids.sudo().move_ids), 3)
        self.company.charge_posting_mode = "daily"
        lines = self.li_wallet._recharge(30) | self.li_wallet._gift(3)
        self.env.flush_all()
        with patch.object(Line, "write", autospec=True, side_effect=AssertionError("write")) as write, \
                patch.object(Line, "_write", autospec=True, side_effect=AssertionError("_write")) as low_write:
            self.env["charge.wallet.transaction"]._cron_post_daily_summary(up_to=datetime(2100, 1, 1))
            self.env.flush_all()
        self.assertFalse(write.called or low_write.called, "the summary links its lines without writing them")
        self.assertEqual(len(lines.sudo().move_ids), 1)

    def test_an_order_whose_components_miss_its_total_is_paid_and_waits(self):
        """A pricing bug never stops the payment (posting never blocks a
        device event): the line waits for posting, with the error, instead
        of being posted unbalanced."""
        self.li_wallet._recharge(20)
        order = self.make_order(self.li_wallet, electricity=7.0, service=5.0, total=13.0)
        self.assertEqual(order._pay_from_wallet(), order)
        line = order.wallet_transaction_ids
        self.assertEqual((line.type, line.amount), ("payment", -13.0))
        self.assertFalse(line.posted)
        self.assertIn("fee components add up to 12.00, not to its total 13.0", line.sudo().charge_posting_error)

    def test_a_line_is_posted_once_only(self):
        line = self.li_wallet._recharge(20)
        first = self.entry(line)
        entry = (first.date, "again", line, line._charge_entry_lines(self.company, {}))
        with self.assertRaisesRegex(UserError, "already posted"), self.env.cr.savepoint():
            self.env["account.move"]._charge_create_entries(self.company, [entry])
        other = self.env["account.move"].create({
            "journal_id": self.company.charge_wallet_journal_id.id, "line_ids": [
                Command.create({"account_id": self.accounts["clearing"].id, "balance": 1.0}),
                Command.create({"account_id": self.accounts["cash_liability"].id, "balance": -1.0})]})
        with self.assertRaisesRegex(UserError, "already posted"), self.env.cr.savepoint():
            other._charge_link([line])
        self.env.invalidate_all()
        self.assertEqual(line.sudo().move_ids, first, "the unique index keeps the first link only")
        self.assertEqual(self.env["charge.wallet.transaction"].search([("move_ids", "in", other.ids)]).ids, [])

    def test_entry_shows_its_ledger_lines(self):
        line = self.li_wallet._recharge(20)
        move = self.entry(line)
        self.assertEqual(move.charge_wallet_transaction_count, 1)
        action = move.action_view_charge_wallet_transactions()
        self.assertEqual(self.env["charge.wallet.transaction"].search(action["domain"]), line)


@tagged("post_install", "-at_install")
class TestUnconfiguredCompany(ChargeFinanceCase):
    """Money moves in a company without wallet accounting; its lines wait."""

    def test_lines_wait_until_the_company_is_configured(self):
        other = self.env["res.company"].create({"name": "Branchless Co", "currency_id": self.company.currency_id.id})
        env = self.env(context=dict(self.env.context, allowed_company_ids=[other.id]))
        member = env["res.partner"].create({"name": "Zhao", "charge_member": True, "charge_mobile": "13700137000",
                                            "company_id": other.id})
        wallet = member._charge_wallet()
        line = wallet._recharge(40)
        gift = wallet._gift(5)
        self.assertFalse((line | gift).sudo().move_ids)
        self.assertFalse(line.posted)
        env["charge.wallet.transaction"]._cron_post_daily_summary()
        self.assertFalse((line | gift).sudo().move_ids, "nothing to post with")
        env["account.chart.template"].try_loading("generic_coa", company=other, install_demo=False)
        self.assertTrue(other._charge_finance_ready())
        env["charge.wallet.transaction"]._cron_post_daily_summary()
        self.assertEqual(len(line.sudo().move_ids), 1)
        self.assertEqual(len(gift.sudo().move_ids), 1, "one entry per line in document mode")
        self.assertEqual(line.sudo().move_ids.company_id, other)
        before = self.env["account.move"].search_count([("company_id", "=", other.id)])
        env["charge.wallet.transaction"]._cron_post_daily_summary()
        self.assertEqual(self.env["account.move"].search_count([("company_id", "=", other.id)]), before)
