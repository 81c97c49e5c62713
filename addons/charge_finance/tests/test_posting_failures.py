from datetime import datetime

from freezegun import freeze_time
from lxml import etree

from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import ChargeFinanceCase

FAR_FUTURE = datetime(2100, 1, 1)


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestPostingFailures(ChargeFinanceCase):
    """A posting that fails (an archived account, a tax on an archived
    account) never stops what wrote the ledger line: the line waits with its
    error, the accountants get one activity and a filter, the job posts it
    once the configuration is fixed, and one bad document never stops the
    others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"charge_min_start_amount": 1.0, "charge_card_fee": 0.0})
        cls.card = cls.env["charge.card"].create({"name": "CARD1001", "partner_id": cls.li.id,
                                                  "company_id": cls.company.id})
        cls.accountant = new_test_user(cls.env, login="posting_accountant", company_id=cls.company.id,
                                       company_ids=[cls.company.id],
                                       groups="account.group_account_user,charge_base.group_charge_user")
        cls.clerk = new_test_user(cls.env, login="posting_clerk", company_id=cls.company.id,
                                  company_ids=[cls.company.id], groups="charge_base.group_charge_user")
        cls.li_wallet._recharge(100)
        cls.tax_account = cls.chart.ref("tax_received")

    @property
    def Line(self):
        return self.env["charge.wallet.transaction"]

    def activities(self):
        return self.env["mail.activity"].search([("res_model", "=", "account.journal"),
                                                 ("res_id", "=", self.company.charge_wallet_journal_id.id)])

    def failed_filter_domain(self, user):
        """The domain of the "Posting Failed" filter of the ledger's search view as ``user`` gets it, or None."""
        arch = self.Line.with_user(user).get_view(view_type="search")["arch"]
        node = etree.fromstring(arch).find(".//filter[@name='posting_failed']")
        return None if node is None else safe_eval(node.get("domain"))

    def test_stop_transaction_pays_the_order_when_its_posting_fails(self):
        self.tax_account.active = False  # the output VAT account: an order payment cannot be posted
        order = self.card_charge()
        self.assertEqual((order.state, order.payment_state, order.amount_total), ("completed", "paid", 13.0))
        self.assertEqual(self.li_wallet.cash_balance, 87.0, "the wallet paid the order")
        line = order.wallet_transaction_ids
        self.assertEqual(line.type, "payment")
        self.assertFalse(line.posted)
        self.assertFalse(line.sudo().move_ids)
        self.assertIn("archived", line.sudo().charge_posting_error)
        self.assertTrue(line.sudo().charge_posting_failed_on)
        _gl, unposted, _wallets, difference = self.reconciliation()["cash"]
        self.assertEqual((unposted, difference), (-13.0, 0.0), "the waiting line is counted as not posted")

        # the accountants see it: one activity on the wallet journal, the filter, the error on the form
        activity = self.activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_warning"))
        self.assertTrue(activity.user_id.has_group("account.group_account_user"))
        self.assertIn("1 wallet line(s) could not be posted: ", str(activity.note))
        self.assertIn("archived", str(activity.note))
        domain = self.failed_filter_domain(self.accountant)
        self.assertEqual(self.Line.with_user(self.accountant).search(domain), line)
        self.assertIn("archived", line.with_user(self.accountant).charge_posting_error)
        form = self.Line.with_user(self.accountant).get_view(view_type="form")["arch"]
        self.assertIn('name="charge_posting_error"', form)
        self.assertIsNone(self.failed_filter_domain(self.clerk), "a clerk keeps no books")
        self.assertNotIn('name="charge_posting_error"', self.Line.with_user(self.clerk).get_view(
            view_type="form")["arch"])

        # a second failure adds to the same activity
        second = self.pay(self.li_wallet, electricity=5.0, service=3.0).wallet_transaction_ids
        self.assertFalse(second.posted)
        self.assertEqual(self.activities(), activity)
        self.assertIn("2 wallet line(s) could not be posted", str(activity.note))

        # fixed: the next run of the job posts both lines and closes the activity
        self.tax_account.active = True
        self.Line._cron_post_daily_summary()
        for posted in (line, second):
            move = self.entry(posted)
            self.assertEqual(move.state, "posted")
            self.assertFalse(posted.sudo().charge_posting_error)
            self.assertFalse(posted.sudo().charge_posting_failed_on)
        self.assertFalse(self.activities(), "nothing is left failing")
        self.assertFalse(self.Line.with_user(self.accountant).search(domain))
        self.assertEqual(self.reconciliation()["cash"][3], 0.0)

    def test_one_bad_document_does_not_stop_the_others(self):
        cash, tax = self.accounts["cash_liability"], self.tax_account
        (cash | tax).active = False
        payment = self.pay(self.li_wallet, electricity=7.0, service=3.0).wallet_transaction_ids
        recharges = self.wang_wallet._recharge(50) | self.li_wallet._recharge(20, on_account=True)
        lines = payment | recharges
        self.assertEqual(lines.mapped("posted"), [False] * 3)
        self.assertTrue(all(lines.sudo().mapped("charge_posting_error")))
        self.assertIn("3 wallet line(s) could not be posted", str(self.activities().note))
        cash.active = True  # half fixed: the output VAT account is still archived
        self.Line._cron_post_daily_summary()
        for recharge in recharges:
            self.assertEqual(self.entry(recharge).state, "posted")
            self.assertFalse(recharge.sudo().charge_posting_error)
        self.assertNotEqual(recharges[0].sudo().move_ids, recharges[1].sudo().move_ids, "one entry per document")
        self.assertFalse(payment.sudo().move_ids)
        self.assertIn(tax.code, payment.sudo().charge_posting_error)
        self.assertIn("1 wallet line(s) could not be posted", str(self.activities().note))
        # the accountants post pending lines by hand: the failing one fails again and is reported
        action = self.Line.with_user(self.accountant).action_post_pending()
        self.assertEqual(action["params"]["type"], "warning")
        self.tax_account.active = True
        self.Line.with_user(self.accountant).action_post_pending()
        self.assertEqual(len(self.entry(payment)), 1)
        self.assertFalse(payment.sudo().charge_posting_error)
        self.assertFalse(self.activities())

    def test_daily_mode_posts_each_day_on_its_own(self):
        self.company.charge_posting_mode = "daily"
        with freeze_time("2026-11-18 02:00:00"):  # the 18th in Shanghai: an order payment, which fails
            day1 = self.pay(self.li_wallet, electricity=7.0, service=3.0).wallet_transaction_ids \
                | self.wang_wallet._recharge(40)
        with freeze_time("2026-11-19 02:00:00"):  # the 19th: recharges only
            day2 = self.wang_wallet._recharge(50) | self.li_wallet._gift(5)
        self.tax_account.active = False
        self.Line._cron_post_daily_summary(up_to=FAR_FUTURE)
        summary = day2.sudo().move_ids
        self.assertEqual(len(summary), 1)
        self.assertEqual((summary.state, str(summary.date)), ("posted", "2026-11-19"))
        self.assertFalse(day1.sudo().move_ids, "the failing day waits, whole")
        self.assertEqual(len(set(day1.sudo().mapped("charge_posting_error"))), 1)
        self.assertIn("archived", day1[0].sudo().charge_posting_error)
        self.assertIn("2 wallet line(s) could not be posted", str(self.activities().note))
        self.tax_account.active = True
        self.Line._cron_post_daily_summary(up_to=FAR_FUTURE)
        entry = day1.sudo().move_ids
        self.assertEqual((len(entry), entry.state, str(entry.date)), (1, "posted", "2026-11-18"))
        self.assertFalse(any(day1.sudo().mapped("charge_posting_error")))
        self.assertFalse(self.activities())
        self.assertEqual(self.reconciliation()["cash"][3], 0.0)
