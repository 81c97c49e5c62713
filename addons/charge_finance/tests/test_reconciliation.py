from datetime import datetime

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import ChargeFinanceCase


@tagged("post_install", "-at_install")
class TestReconciliation(ChargeFinanceCase):
    """The wallet subledger against the general ledger."""

    def move_money(self):
        self.li_wallet._recharge(100)
        self.fleet_wallet._recharge(300, on_account=True)
        self.li_wallet._gift(20)
        order = self.pay(self.li_wallet, electricity=30.0, service=12.5, occupancy=2.5)
        self.pay(self.fleet_wallet, electricity=70.0, service=30.0, reservation=2.0)
        order._reverse_payment("duplicate")
        self.li_wallet._adjust(-10, note="refund in cash")
        self.li_wallet._adjust(-5, bucket="gift", note="expired bonus")

    def test_the_general_ledger_equals_the_wallets(self):
        self.move_money()
        cash, gift = self.wallet_totals()
        self.assertEqual((cash, gift), (288.0, 15.0))
        self.assertEqual(self.reconciliation(), {"cash": (cash, 0.0, cash, 0.0), "gift": (gift, 0.0, gift, 0.0)})
        self.assertEqual(self.gl_balance(self.accounts["cash_liability"]), cash)
        self.assertEqual(self.gl_balance(self.accounts["gift_liability"]), gift)

    def test_an_entry_outside_the_ledger_shows_as_a_difference(self):
        self.move_money()
        manual = self.env["account.move"].create({
            "journal_id": self.company.charge_wallet_journal_id.id, "line_ids": [
                Command.create({"account_id": self.accounts["cash_liability"].id, "balance": -7.0}),
                Command.create({"account_id": self.accounts["clearing"].id, "balance": 7.0})]})
        manual.action_post()
        row = self.env["charge.wallet.reconciliation"].search([("company_id", "=", self.company.id),
                                                               ("bucket", "=", "cash")])
        self.assertEqual((row.gl_balance - row.wallet_balance, row.difference), (7.0, 7.0))
        action = row.action_view_move_lines()
        self.assertEqual(action["display_name"], action["name"], "the web client shows the display name")
        self.assertTrue(action["name"].startswith("Journal Items of "))
        items = self.env["account.move.line"].search(action["domain"])
        self.assertIn(manual.line_ids.filtered(lambda item: item.balance < 0), items)
        self.assertEqual(items.account_id, self.accounts["cash_liability"])

    def test_lines_waiting_for_their_summary_are_counted(self):
        self.company.charge_posting_mode = "daily"
        self.move_money()
        cash, gift = self.wallet_totals()
        self.assertEqual(self.reconciliation(), {"cash": (0.0, cash, cash, 0.0), "gift": (0.0, gift, gift, 0.0)})
        row = self.env["charge.wallet.reconciliation"].search([("company_id", "=", self.company.id),
                                                               ("bucket", "=", "gift")])
        waiting = self.env["charge.wallet.transaction"].search(row.action_view_unposted()["domain"])
        self.assertEqual(set(waiting.mapped("type")), {"gift", "adjustment"},
                         "the lines that moved gift money")
        self.env["charge.wallet.transaction"]._cron_post_daily_summary(up_to=datetime(2100, 1, 1))
        self.assertEqual(self.reconciliation(), {"cash": (cash, 0.0, cash, 0.0), "gift": (gift, 0.0, gift, 0.0)})
        self.assertFalse(self.env["charge.wallet.transaction"].search(row.action_view_unposted()["domain"]))

    def test_a_draft_entry_is_not_posted(self):
        line = self.li_wallet._recharge(40)
        self.entry(line).button_draft()
        self.assertFalse(line.posted)
        self.assertEqual(self.reconciliation()["cash"], (0.0, 40.0, 40.0, 0.0))

    def test_who_reads_the_reconciliation(self):
        self.li_wallet._recharge(40)
        accountant = new_test_user(self.env, login="recon_accountant", groups="account.group_account_user",
                                   company_id=self.company.id, company_ids=[self.company.id])
        rows = self.env["charge.wallet.reconciliation"].with_user(accountant).search([])
        self.assertEqual(set(rows.mapped("bucket")), {"cash", "gift"})
        self.assertEqual(rows.company_id, self.company, "other companies' rows are not shown")
        self.assertTrue(self.env["charge.wallet.reconciliation"].with_user(self.manager).search([]))
        with self.assertRaises(AccessError):
            self.env["charge.wallet.reconciliation"].with_user(self.user).search([])
