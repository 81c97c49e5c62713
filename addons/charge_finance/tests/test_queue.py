from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ChargeFinanceCase


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestPostingQueue(ChargeFinanceCase):
    """One entry per document: the transaction writing a ledger line (a
    StopTransaction paying its order) makes no journal entry; it triggers the
    posting queue for after its commit, and the queue posts the waiting
    documents in batches. A document that fails waits with its error while
    the others of its batch are posted, and is tried again later."""

    post_queue_at_once = False  # the queue as it runs: triggered, then run by the scheduled action

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"charge_min_start_amount": 1.0, "charge_card_fee": 0.0})
        cls.env["charge.card"].create({"name": "CARD1001", "partner_id": cls.li.id, "company_id": cls.company.id})
        cls.li_wallet._recharge(100)
        cls.tax_account = cls.chart.ref("tax_received")
        cls.cron = cls.env.ref("charge_finance.ir_cron_post_queue")

    @property
    def Line(self):
        return self.env["charge.wallet.transaction"]

    def trigger_count(self):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])

    def test_a_stop_transaction_commits_without_an_entry_and_the_queue_posts_it(self):
        self.post_queue()  # the recharge of the setup
        Move = self.env["account.move"]
        moves, triggers = Move.search_count([]), self.trigger_count()
        order = self.card_charge()
        self.env.cr.flush()  # what committing the device transaction runs first (its precommit hooks)
        self.assertEqual((order.state, order.payment_state), ("completed", "paid"))
        line = order.wallet_transaction_ids
        self.assertEqual(line.type, "payment")
        self.assertEqual(Move.search_count([]), moves, "no journal entry in the device transaction")
        self.assertFalse(line.posted)
        self.assertGreater(self.trigger_count(), triggers, "the transaction triggers the queue")
        self.assertIn("_notifydb", [func.__name__ for func in self.env.cr.postcommit._funcs],
                      "the cron workers are woken up after the commit")

        # the scheduled action, as a cron worker runs it: the queue posts the payment
        with self.enter_registry_test_mode():
            self.assertIs(self.cron.method_direct_trigger(), True)
        self.env.invalidate_all()
        self.assertTrue(line.posted)
        move = self.entry(line)
        self.assertEqual((move.state, move.journal_id), ("posted", self.company.charge_wallet_journal_id))
        self.assertEqual(Move.search_count([]), moves + 1)
        self.assertEqual(self.reconciliation()["cash"][1:], (0.0, 87.0, 0.0), "nothing waits, nothing differs")

    def test_the_queue_creates_the_entries_of_a_batch_together(self):
        lines = self.li_wallet.transaction_ids | self.pay(self.li_wallet, electricity=7.0, service=3.0) \
            .wallet_transaction_ids | self.wang_wallet._recharge(50)
        self.assertEqual(lines.mapped("posted"), [False] * 3)
        AccountMove = type(self.env["account.move"])
        create = AccountMove._charge_create_entries
        batches = []

        def counting_create(records, company, entries):
            batches.append(len(entries))
            return create(records, company, entries)

        with patch.object(AccountMove, "_charge_create_entries", counting_create):
            self.assertEqual(self.Line._cron_post_queue(batch_size=2), 3)
        self.assertEqual(batches, [2, 1], "3 documents in batches of 2: the entries of a batch made together")
        self.assertEqual(len(lines.sudo().move_ids), 3, "one entry per document")
        self.assertEqual(set(lines.sudo().move_ids.mapped("state")), {"posted"})

    def test_a_failing_document_waits_with_its_error_and_the_others_are_posted(self):
        self.post_queue()
        self.tax_account.active = False  # the output VAT account: an order payment cannot be posted
        payment = self.pay(self.li_wallet, electricity=7.0, service=3.0).wallet_transaction_ids
        recharges = self.wang_wallet._recharge(50) | self.li_wallet._recharge(20, on_account=True)
        self.assertEqual((payment | recharges).mapped("posted"), [False] * 3, "nothing posted before the queue")
        self.assertEqual(self.Line._cron_post_queue(), 3, "one batch, tried again document by document")
        for recharge in recharges:
            self.assertEqual(self.entry(recharge).state, "posted")
            self.assertFalse(recharge.sudo().charge_posting_error)
        self.assertFalse(payment.posted)
        self.assertIn("archived", payment.sudo().charge_posting_error)
        self.assertTrue(payment.sudo().charge_posting_failed_on)
        self.assertEqual(self.Line.search([("charge_posting_error", "!=", False)]), payment,
                         "the Posting Failed filter of the ledger lists it")

        # fixed: a failed document is tried again once its retry delay passed, not at every run
        self.tax_account.active = True
        self.assertEqual(self.Line._cron_post_queue(), 0)
        self.assertFalse(payment.posted)
        with freeze_time("2026-11-21 12:11:00"):
            self.assertEqual(self.Line._cron_post_queue(), 1)
        self.env.invalidate_all()
        self.assertEqual(self.entry(payment).state, "posted")
        self.assertFalse(payment.sudo().charge_posting_error)
        self.assertFalse(payment.sudo().charge_posting_failed_on)

    def test_an_order_no_wallet_paid_waits_for_the_queue(self):
        order = self.make_order(self.wang_wallet, electricity=7.0, service=3.0)  # an empty wallet
        order._on_order_completed()
        self.env.cr.flush()
        self.assertEqual(order.payment_state, "unpaid")
        self.assertTrue(order.charge_post_pending)
        self.assertFalse(order.sudo().charge_move_ids, "no entry in the transaction completing the order")
        self.post_queue()
        self.assertFalse(order.charge_post_pending)
        move = order.sudo().charge_move_ids
        self.assertEqual((len(move), move.state, move.charge_order_kind), (1, "posted", "revenue"))
