"""The settle queue: settlement out of the device transaction.

A StopTransaction processed by the device listener only closes the session
and writes what the occupancy rule needs on the order (its stop, end reason,
occupancy): the order stays *Stopping*, marked ``settle_pending``, and the
queue's scheduled action is triggered (``ir.cron._trigger``: a trigger row
written in the same transaction, the cron workers woken up after its commit).
The queue then settles what waits (pricing, checks, completion and, with
charge_member, the payment), oldest stop first, company by company in the
operator's language, in batches: ``_settle`` runs on the whole batch, each
batch in a transaction of its own (committed by ``ir.cron._commit_progress``).
A batch that fails is settled again one order at a time, so that a bad order
keeps its error (``settle_error``) and waits while the others are settled; it
is tried again after ``RETRY_DELAY``.

Why: settling costs ≈ 20 ms of Odoo CPU per order; inside the listener's
transaction, a stop storm (2,000 StopTransactions in 20 s) left the
StopTransactions and the heartbeats behind them waiting tens of seconds.

Settling later ends the order as settling at once did: what happens between
the stop and the queue (the gun unplugged, the pile's amount, a clerk's
action) is kept on the order and the settlement reads it; an order that
leaves the open states by other means (a clerk settles it on its last
reading, marks it abnormal, ...) is no longer waiting (see ``write``).
"""
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from .charge_order import OPEN_STATES

_logger = logging.getLogger(__name__)

QUEUE_CRON = "charge_billing.cron_settle_queue"
PRECOMMIT_KEY = "charge_billing.settle_queue"
BATCH_SIZE = 200
RETRY_DELAY = timedelta(minutes=10)
MAX_CONFLICTS = 5  # serialization failures a run of the cron takes a batch again for
QUEUE_FIELDS = ["settle_pending", "settle_error"]


class ChargeOrder(models.Model):
    _inherit = "charge.order"

    settle_pending = fields.Boolean(
        string="Waiting for Settlement", readonly=True, copy=False,
        help="The charge has ended: the order waits for the settle queue to price, check and complete it.")
    settle_error = fields.Text(string="Settlement Error", readonly=True, copy=False,
                               help="Why the settle queue could not settle the order; it tries again later.")

    _settle_queue = models.Index("(company_id, stop_date, id) WHERE settle_pending IS TRUE")

    def write(self, vals):
        if vals.get("state") and vals["state"] not in OPEN_STATES and "settle_pending" not in vals:
            # settled, flagged or voided, by the queue or by a clerk: no longer waiting
            vals = {**vals, "settle_pending": False, "settle_error": False}
        return super().write(vals)

    # The queue ----------------------------------------------------------------------

    @api.model
    def _charge_trigger_settle(self):
        """Have the settle queue run once the current transaction commits:
        one trigger per transaction, written when the transaction flushes.
        The listener flushes at every frame (a savepoint each), which clears
        the precommit hooks: that a trigger was written is kept with the
        postcommit hooks (until the commit or the rollback), so that a batch
        of StopTransactions writes one trigger row and wakes the cron workers
        once (each wake-up opens a database connection)."""
        cr = self.env.cr
        if cr.precommit.data.get(PRECOMMIT_KEY) or cr.postcommit.data.get(PRECOMMIT_KEY):
            return
        cr.precommit.data[PRECOMMIT_KEY] = True
        env = self.env

        def trigger():
            cron = env.ref(QUEUE_CRON, raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()
            cr.postcommit.data[PRECOMMIT_KEY] = True

        cr.precommit.add(trigger)

    @api.model
    def _cron_settle_queue(self, batch_size=BATCH_SIZE):
        """The queue: settle the orders waiting for their settlement, oldest
        stop first, company by company, ``batch_size`` at a time. Run by the
        scheduled action, each batch is committed on its own; called directly
        (tests, benchmark, shell), nothing is committed. Returns how many
        orders were settled or failed."""
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        handled, conflicts = 0, 0
        for company in self._charge_settle_companies():
            while True:
                try:
                    orders = self.sudo()._charge_settle_batch(company, batch_size)
                    if orders:
                        company._charge_in_operator_lang(orders)._charge_settle_safely()
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                    # a row the batch writes (a wallet, a connector) changed since the batch's snapshot: the
                    # cron takes the batch again in a new transaction (called directly, the caller retries)
                    if not in_cron or conflicts >= MAX_CONFLICTS:
                        raise
                    conflicts += 1
                    self.env.cr.rollback()
                    continue
                handled += len(orders)
                if in_cron and orders:
                    if not self.env["ir.cron"]._commit_progress(len(orders)):
                        # out of time: the scheduler runs the job again at once for the rest
                        self.env["ir.cron"]._commit_progress(remaining=1)
                        return handled
                if len(orders) < batch_size:
                    break
        return handled

    @api.model
    def _charge_settle_companies(self):
        """The companies having orders waiting (the partial index answers)."""
        self.flush_model(["company_id", "settle_pending"])
        self.env.cr.execute(SQL("SELECT DISTINCT company_id FROM charge_order WHERE settle_pending IS TRUE"))
        return self.env["res.company"].sudo().browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _charge_settle_batch(self, company, limit):
        """The company's next orders waiting for their settlement, oldest stop
        first, locked (orders another transaction holds are skipped); an order
        whose settlement failed waits ``RETRY_DELAY`` before it is taken again."""
        self.flush_model(["company_id", "settle_pending", "settle_error", "stop_date"])
        self.env.cr.execute(SQL("""
            SELECT id
              FROM charge_order
             WHERE company_id = %(company)s AND settle_pending IS TRUE
               AND (settle_error IS NULL OR write_date < %(retry)s)
          ORDER BY stop_date, id
             LIMIT %(limit)s
               FOR UPDATE SKIP LOCKED
        """, company=company.id, retry=fields.Datetime.now() - RETRY_DELAY, limit=limit))
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _charge_settle_safely(self):
        """Settle the waiting orders ``self`` together (``_settle`` on the
        whole batch), in a savepoint; when the batch fails, one order at a
        time, so that a bad order keeps its error and waits while the others
        are settled. Returns the orders settled."""
        waiting = self.filtered(lambda o: o.state in OPEN_STATES)
        # an order a clerk took out of the open states meanwhile is not waiting any more
        self._charge_settle_done(self - waiting)
        queue, settled, failed = [waiting] if waiting else [], self.browse(), []
        while queue:
            batch = queue.pop(0)
            try:
                with self.env.cr.savepoint():
                    batch._settle()
                settled |= batch
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception as error:  # noqa: BLE001 - a bad order never stops the others
                if len(batch) > 1:
                    queue[:0] = list(batch)
                    continue
                failed.append((batch, error))
        self._charge_settle_done(settled)
        for order, error in failed:
            order._charge_settle_failed(error)
        # the open views of these orders show their bill now (one bus message for the batch)
        self._notify_live(settled.ids)
        return settled

    def _charge_settle_done(self, orders):
        if orders:
            self.env.cr.execute(SQL(
                "UPDATE charge_order SET settle_pending = FALSE, settle_error = NULL "
                "WHERE id = ANY(%s) AND (settle_pending OR settle_error IS NOT NULL)", orders.ids))
            orders.invalidate_recordset(QUEUE_FIELDS)

    def _charge_settle_failed(self, error):
        """Keep the error of a failed settlement on the order ``self``, log it;
        it waits ``RETRY_DELAY`` (counted from now) before the queue tries again."""
        self.ensure_one()
        text = str(error) if isinstance(error, UserError) else f"{type(error).__name__}: {error}"
        _logger.warning("Order %s could not be settled: %s", self.name, text,
                        exc_info=not isinstance(error, UserError))
        self.env.cr.execute(SQL("UPDATE charge_order SET settle_error = %s, write_date = %s WHERE id = %s",
                                text, fields.Datetime.now(), self.id))
        self.invalidate_recordset(QUEUE_FIELDS + ["write_date"])

    def _charge_settle_now(self):
        """Settle at once those of the orders that wait (a clerk acts on them:
        they are settled first, as they would have been at their stop)."""
        pending = self.filtered("settle_pending")
        if pending:
            self.env.cr.execute(SQL("SELECT id FROM charge_order WHERE id = ANY(%s) FOR UPDATE", pending.ids))
            for company in pending.company_id:
                orders = pending.filtered(lambda o, company=company: o.company_id == company)
                company._charge_in_operator_lang(orders.sudo())._charge_settle_safely()

    # Clerks' actions on an order waiting for its settlement ------------------------------

    def action_stop(self):
        for order in self.filtered("settle_pending"):
            raise UserError(self.env._("Order %s has stopped: it is waiting for its settlement.", order.name))
        return super().action_stop()

    def action_mark_abnormal(self):
        # the order is first settled as it would have been at its stop, then marked
        self._charge_action()._charge_settle_now()
        return super().action_mark_abnormal()
