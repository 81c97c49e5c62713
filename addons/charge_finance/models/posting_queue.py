"""The posting queue of the companies posting one entry per document.

Posting never runs in the transaction that writes a ledger line or completes
an order (a StopTransaction processed by the device listener, a recharge):
that transaction only leaves the line unlinked (or the order *Posting
Pending*) and triggers the queue's scheduled action (``ir.cron._trigger``:
a trigger row written in the same transaction, and the cron workers woken up
after its commit). The queue then posts what waits, in batches, each batch
in a transaction of its own (committed by ``ir.cron._commit_progress``): the
entries of a batch are created by one ``create`` and posted together. A
batch that fails is posted again one document at a time, so that a bad
document keeps its error and waits while the others are posted; a failed
document is tried again by the queue after ``RETRY_DELAY`` (and by the daily
job). The queue takes what was written in the last ``WINDOW``: what is older
(a company configured late) is the daily job's.
"""
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

QUEUE_CRON = "charge_finance.ir_cron_post_queue"
PRECOMMIT_KEY = "charge_finance.posting_queue"
BATCH_SIZE = 200
RETRY_DELAY = timedelta(minutes=10)
WINDOW = timedelta(days=2)


class ChargeWalletTransaction(models.Model):
    _inherit = "charge.wallet.transaction"

    @api.model
    def _charge_trigger_queue(self):
        """Have the posting queue run once the current transaction commits
        (one trigger per transaction, written when the transaction flushes)."""
        precommit = self.env.cr.precommit
        if precommit.data.get(PRECOMMIT_KEY):
            return
        precommit.data[PRECOMMIT_KEY] = True
        env = self.env

        def trigger():
            cron = env.ref(QUEUE_CRON, raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()

        precommit.add(trigger)

    @api.model
    def _cron_post_queue(self, batch_size=BATCH_SIZE):
        """The queue: post, company by company, the ledger lines and the
        orders waiting in the companies posting per document, ``batch_size``
        at a time. Run by the scheduled action, each batch is committed on its
        own; called directly (tests, benchmark, shell), nothing is committed.
        Returns how many lines and orders were posted or failed."""
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        companies = self.env["res.company"].sudo().search([("charge_posting_mode", "=", "document")])
        handled = 0
        for company in companies.filtered(lambda c: c._charge_finance_ready()):
            while True:
                lines = self.sudo()._charge_queue_lines(company, batch_size)
                if lines:
                    lines._charge_post_safely(company, [lines], "_charge_post_each")
                orders = self.env["charge.order"].sudo()._charge_queue_orders(company, batch_size)
                if orders:
                    orders._charge_post_orders()
                done = len(lines) + len(orders)
                handled += done
                if in_cron and done:
                    if not self.env["ir.cron"]._commit_progress(done):
                        # out of time: the scheduler runs the job again at once for the rest
                        self.env["ir.cron"]._commit_progress(remaining=1)
                        return handled
                if len(lines) < batch_size and len(orders) < batch_size:
                    break
        return handled

    @api.model
    def _charge_queue_lines(self, company, limit):
        """The company's next unlinked lines of the queue's window, oldest
        first, locked (lines another transaction is posting are skipped);
        a line whose posting failed waits ``RETRY_DELAY`` before it is taken
        again."""
        now = fields.Datetime.now()
        self.flush_model(["company_id", "date", "charge_posting_failed_on"])
        self.env.cr.execute(SQL("""
            SELECT line.id
              FROM charge_wallet_transaction line
             WHERE line.company_id = %(company)s AND line.date >= %(since)s AND line.date < %(until)s
               AND (line.charge_posting_failed_on IS NULL OR line.charge_posting_failed_on < %(retry)s)
               AND NOT EXISTS (SELECT 1 FROM charge_wallet_transaction_move_rel rel
                                WHERE rel.transaction_id = line.id)
          ORDER BY line.date, line.id
             LIMIT %(limit)s
               FOR UPDATE OF line SKIP LOCKED
        """, company=company.id, since=now - WINDOW, until=self._charge_now_cutoff(), retry=now - RETRY_DELAY,
            limit=limit))
        return self.browse(row[0] for row in self.env.cr.fetchall())


class ChargeOrder(models.Model):
    _inherit = "charge.order"

    @api.model
    def _charge_queue_orders(self, company, limit):
        """The company's next orders waiting for their posting, oldest first,
        locked (orders another transaction holds are skipped); an order whose
        posting failed waits ``RETRY_DELAY`` before it is taken again."""
        self.flush_model(["company_id", "charge_post_pending", "charge_posting_error", "stop_date"])
        self.env.cr.execute(SQL("""
            SELECT id
              FROM charge_order
             WHERE company_id = %(company)s AND charge_post_pending
               AND (charge_posting_error IS NULL OR write_date < %(retry)s)
          ORDER BY stop_date, id
             LIMIT %(limit)s
               FOR UPDATE SKIP LOCKED
        """, company=company.id, retry=fields.Datetime.now() - RETRY_DELAY, limit=limit))
        return self.browse(row[0] for row in self.env.cr.fetchall())
