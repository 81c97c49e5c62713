from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ChargeFinanceCase

FAR_FUTURE = datetime(2100, 1, 1)


@tagged("post_install", "-at_install")
class TestDailySummary(ChargeFinanceCase):
    """One summary entry per company and local day, posted by the daily job."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.charge_posting_mode = "daily"
        cls.accountant = new_test_user(cls.env, login="wallet_accountant", company_id=cls.company.id,
                                       company_ids=[cls.company.id],
                                       groups="account.group_account_user,charge_base.group_charge_user")

    @property
    def Line(self):
        return self.env["charge.wallet.transaction"]

    def code(self, role):
        return self.accounts[role].code

    def test_the_job_posts_one_entry_per_past_day_and_nothing_twice(self):
        with freeze_time("2026-11-18 02:00:00"):  # 10:00 on the 18th in Shanghai
            day1 = (self.li_wallet._recharge(100) | self.wang_wallet._recharge(50)
                    | self.li_wallet._recharge(30, on_account=True) | self.wang_wallet._recharge(20, on_account=True))
        with freeze_time("2026-11-18 17:00:00"):  # 01:00 on the 19th
            orders = self.pay(self.li_wallet, electricity=7.0, service=3.0) | self.pay(
                self.wang_wallet, electricity=7.0, service=3.0)
            day2 = orders.wallet_transaction_ids | self.li_wallet._gift(5)
        with freeze_time("2026-11-19 16:30:00"):  # 00:30 on the 20th: today
            today = self.li_wallet._recharge(10)
        self.assertFalse((day1 | day2 | today).sudo().move_ids, "nothing is posted before the job runs")

        with freeze_time("2026-11-20 03:00:00"):
            self.Line._cron_post_daily_summary()
        first, second = day1.sudo().move_ids, day2.sudo().move_ids
        self.assertEqual((len(first), len(second)), (1, 1))
        self.assertEqual(first.charge_wallet_transaction_ids, day1)
        self.assertEqual(second.charge_wallet_transaction_ids, day2)
        self.assertEqual((str(first.date), str(second.date)), ("2026-11-18", "2026-11-19"))
        self.assertEqual((first.state, first.journal_id), ("posted", self.company.charge_wallet_journal_id))
        self.assertTrue(first.ref.startswith("Wallet summary 2026-11-18: "))
        self.assertIn("(4 lines)", first.ref)
        self.assertFalse(today.sudo().move_ids, "today's lines wait for tomorrow")

        receivable = self.li.with_company(self.company).property_account_receivable_id
        self.assertEqual(self.by_account(first), {self.code("cash_liability"): -200.0, self.code("clearing"): 150.0,
                                                  receivable.code: 50.0})
        cash = first.line_ids.filtered(lambda item: item.account_id == self.accounts["cash_liability"])
        self.assertEqual((len(cash), cash.partner_id), (1, self.env["res.partner"]), "summed without partner")
        by_partner = {item.partner_id: item.balance for item in first.line_ids if item.account_id == receivable}
        self.assertEqual(by_partner, {self.li: 30.0, self.wang: 20.0}, "receivables stay per customer")

        self.assertEqual(self.by_account(second), {
            self.code("cash_liability"): 20.0, self.code("gift_liability"): -5.0,
            self.code("marketing_expense"): 5.0, self.code("revenue_electricity"): -12.38,
            self.code("revenue_service"): -5.66, self.chart.ref("tax_received").code: -1.96,
        })
        taxes = second.line_ids.filtered("tax_repartition_line_id")
        self.assertEqual(sorted((item.tax_line_id.name, item.balance, item.tax_base_amount) for item in taxes),
                         [("VAT 13%", -1.62, -12.38), ("VAT 6%", -0.34, -5.66)], "one line per tax")

        moves = self.env["account.move"].search_count([("journal_id", "=", self.company.charge_wallet_journal_id.id)])
        with freeze_time("2026-11-20 04:00:00"):
            self.Line._cron_post_daily_summary()
        self.assertEqual(
            self.env["account.move"].search_count([("journal_id", "=", self.company.charge_wallet_journal_id.id)]),
            moves, "posted lines are never posted again")
        with freeze_time("2026-11-21 03:00:00"):
            self.Line._cron_post_daily_summary()
        self.assertEqual(str(today.sudo().move_ids.date), "2026-11-20")

    def test_accountants_post_everything_up_to_now(self):
        line = self.li_wallet._recharge(10)
        with self.assertRaises(AccessError):
            self.Line.with_user(self.user).action_post_pending()
        action = self.Line.with_user(self.accountant).action_post_pending()
        self.assertEqual(action["res_model"], "account.move")
        self.assertEqual(self.env["account.move"].search(action["domain"]), line.sudo().move_ids)
        action = self.Line.with_user(self.accountant).action_post_pending()
        self.assertEqual(action["tag"], "display_notification")

    def test_back_to_one_entry_per_document_posts_what_waits_first(self):
        waiting = self.li_wallet._recharge(10) | self.li_wallet._gift(2)
        self.company.charge_posting_mode = "document"
        self.assertEqual(len(waiting.sudo().move_ids), 1, "the waiting lines get their summary")
        line = self.li_wallet._recharge(7)
        self.assertEqual(len(line.sudo().move_ids), 1)
        self.assertNotEqual(line.sudo().move_ids, waiting.sudo().move_ids)

    def test_a_day_whose_movements_cancel_out_still_gets_its_entry(self):
        self.company.write({f"charge_tax_{name}_id": False
                            for name in ("electricity", "service", "reservation", "occupancy")})
        self.wang_wallet._recharge(20, on_account=True)
        self.Line._cron_post_daily_summary(up_to=FAR_FUTURE)
        order = self.pay(self.wang_wallet, electricity=7.0, service=3.0)
        reversal = order._reverse_payment("test charge")
        lines = order.wallet_transaction_ids
        self.assertEqual(lines.filtered(lambda item: item.type == "reversal"), reversal)
        self.Line._cron_post_daily_summary(up_to=FAR_FUTURE)
        move = lines.sudo().move_ids
        self.assertEqual((len(move), move.state, move.amount_total), (1, "posted", 0.0))
        self.assertEqual(move.charge_wallet_transaction_ids, lines)
