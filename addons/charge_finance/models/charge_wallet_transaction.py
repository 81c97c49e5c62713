import logging
from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from odoo.addons.charge_base.tools.local_time import local_date, local_midnight_utc

from ..tools import posting
from ..tools.posting import LineSpec, PostingError
from . import posting_link
from .account_move_direct import DIRECT
from .posting_link import POSTED_LINES

_logger = logging.getLogger(__name__)
FAILURE_FIELDS = ["charge_posting_error", "charge_posting_failed_on"]


class ChargeWalletTransaction(models.Model):
    """Posting of the wallet ledger to accounting. A line is posted once,
    by one journal entry of its own or by its day's summary entry; the
    entry links the line (a line's figures are never written). A unique
    index on the link makes a second posting of a line fail, whoever
    attempts it. The links live in a table of the module's own, which an
    uninstall keeps (see posting_link). A posting that fails never stops
    what wrote the line: the line waits, with the error, for the next run."""
    _inherit = "charge.wallet.transaction"

    move_ids = fields.Many2many(
        "account.move", string="Journal Entries", compute="_compute_move_ids", search="_search_move_ids",
        groups="account.group_account_readonly")
    posted = fields.Boolean(compute="_compute_posted", search="_search_posted",
                            help="A posted journal entry records the line in accounting.")
    # the posting's own status, set by the posting runs (by SQL: a ledger line is never written)
    charge_posting_error = fields.Text(
        string="Posting Error", readonly=True, copy=False, groups="account.group_account_readonly",
        help="Why the last attempt to post the line failed; cleared once it is posted.")
    charge_posting_failed_on = fields.Datetime(
        string="Posting Failed On", readonly=True, copy=False, index="btree_not_null",
        groups="account.group_account_readonly")

    def init(self):
        super().init()
        posting_link.ensure_table(self.env.cr)

    def _compute_move_ids(self):
        links = posting_link.moves_by_line(self.env.cr, self.ids)
        for line in self:
            line.move_ids = self.env["account.move"].browse(links.get(line.id, ()))

    def _search_move_ids(self, operator, value):
        return posting_link.search_domain(operator, value, "transaction_id", "move_id")

    @api.depends("move_ids.state")
    def _compute_posted(self):
        posted = set(self._charge_posted_ids())
        for line in self:
            line.posted = line.id in posted

    def _charge_posted_ids(self):
        ids = [id_ for id_ in self.ids if isinstance(id_, int)]
        if not ids:
            return []
        self.env["account.move"].flush_model(["state"])
        self.env.cr.execute(SQL("%s AND rel.transaction_id = ANY(%s)", POSTED_LINES, ids))
        return [row[0] for row in self.env.cr.fetchall()]

    def _search_posted(self, operator, value):
        if operator != "in" or not value:
            return NotImplemented
        self.env["account.move"].flush_model(["state"])
        if value == {True}:
            return [("id", "any!", POSTED_LINES)]
        if value == {False}:
            return [("id", "not any!", POSTED_LINES)]
        return []

    @api.model
    def _create_with_balances(self, vals_list, balances):
        """A new line of a company posting per document waits for the
        posting queue, which runs after the transaction writing the line
        commits (see ``_charge_post_documents``): a StopTransaction paying
        its order never waits for a journal entry. (Every ledger line is
        written by this method, a direct ``create`` included.)"""
        lines = super()._create_with_balances(vals_list, balances)
        lines._charge_post_documents()
        return lines

    # Posting --------------------------------------------------------------------------

    def _charge_post_documents(self):
        """The lines of the companies in document mode wait for the posting
        queue (``_cron_post_queue``, an entry per line), triggered to run
        once this transaction commits. A company without its wallet
        accounting keeps the lines pending: the posting job posts them once
        it is configured."""
        queued = False
        for company, lines in self.grouped("company_id").items():
            if company.charge_posting_mode != "document":
                continue
            if not company._charge_finance_ready():
                # a company without a chart of accounts does not keep books here: nothing to warn about
                log = _logger.warning if self.env.registry.ready and company.chart_template else _logger.info
                log("Wallet ledger line(s) %s of company %s wait for posting: its wallet journal and accounts "
                    "are not configured.", ", ".join(lines.mapped("name")), company.name)
                continue
            queued = True
        if queued:
            self._charge_trigger_queue()

    @api.model
    def _charge_post_pending(self, companies, up_to=None):
        """Post the lines still waiting in ``companies``: in daily mode one
        summary entry per day for the days before today (before ``up_to``
        when given); in document mode one entry per line (lines left over
        while the company was not configured, or whose posting failed).
        Each day, each document, posts on its own: one that fails keeps its
        lines waiting with the error and the others are posted. Returns the
        new entries."""
        moves = self.env["account.move"]
        for company in companies:
            if not company._charge_finance_ready():
                _logger.info("Company %s has no wallet accounting configured: nothing posted.", company.name)
                continue
            tz = company._charge_tz()
            daily = company.charge_posting_mode == "daily"
            before = up_to or (local_midnight_utc(local_date(fields.Datetime.now(), tz), tz) if daily else self._charge_now_cutoff())
            lines = self.sudo()._charge_pending(company, before)
            if daily:
                days = lines.grouped(lambda line: local_date(line.date, tz))
                moves |= lines._charge_post_safely(company, [days[day] for day in sorted(days)],
                                                   "_charge_post_summaries")
            else:
                moves |= lines._charge_post_safely(company, [lines] if lines else [], "_charge_post_each")
        return moves

    def _charge_post_safely(self, company, batches, method, new_lines=False):
        """Post the ``batches`` (recordsets of lines) of ``company`` with their
        ``method``, each in a savepoint of its own: a batch of several
        documents that fails is posted again one line at a time, so that one
        bad document never stops the others; in daily mode a batch is a day
        (one document). The lines of a failing document keep waiting, with
        the error; posted lines lose theirs, and the accountants' activity
        of the company is brought up to date. ``new_lines``: lines just
        written, which have no error to clear. Returns the new entries."""
        moves = self.env["account.move"]
        failed, done = [], self.browse()
        queue = list(batches)
        while queue:
            batch = queue.pop(0)
            try:
                with self.env.cr.savepoint():
                    moves |= getattr(batch, method)(company)
                done |= batch
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception as error:  # noqa: BLE001 - a posting never stops what wrote the line
                if method == "_charge_post_each" and len(batch) > 1:
                    queue[:0] = list(batch)
                    continue
                failed.append((batch, error))
        for batch, error in failed:
            batch._charge_record_failure(company, error)
        cleared = 0 if new_lines else done._charge_clear_failure()
        if failed or cleared:
            try:
                with self.env.cr.savepoint():
                    self._charge_notify_failures(company)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception:  # noqa: BLE001 - telling the accountants never stops the posting either
                _logger.exception("The posting failures of company %s could not be notified.", company.name)
        return moves

    def _charge_record_failure(self, company, error):
        """Keep the error of a failed posting on the lines ``self``, log it."""
        text = str(error) if isinstance(error, UserError) else f"{type(error).__name__}: {error}"
        _logger.warning("Wallet ledger line(s) %s of company %s could not be posted: %s",
                        ", ".join(self.mapped("name")), company.name, text,
                        exc_info=not isinstance(error, UserError))
        self.env.cr.execute(SQL(
            "UPDATE charge_wallet_transaction SET charge_posting_error = %s, charge_posting_failed_on = %s "
            "WHERE id = ANY(%s)", text, fields.Datetime.now(), self.ids))
        self.invalidate_recordset(FAILURE_FIELDS)

    def _charge_clear_failure(self):
        """Forget the error of the lines ``self``, now posted; returns how many had one."""
        if not self:
            return 0
        self.env.cr.execute(SQL(
            "UPDATE charge_wallet_transaction SET charge_posting_error = NULL, charge_posting_failed_on = NULL "
            "WHERE id = ANY(%s) AND (charge_posting_error IS NOT NULL OR charge_posting_failed_on IS NOT NULL)",
            self.ids))
        count = self.env.cr.rowcount
        if count:
            self.invalidate_recordset(FAILURE_FIELDS)
        return count

    @api.model
    def _charge_notify_failures(self, company):
        """One open activity on the company's wallet journal, for its
        accountants, while wallet lines or orders of the company fail to post:
        "N wallet lines could not be posted: first error" (and the same for
        the orders). Marked done once none is left."""
        journal = company.sudo().charge_wallet_journal_id
        if not journal:
            return
        failing = self.sudo().search([("company_id", "=", company.id), ("charge_posting_failed_on", "!=", False)],
                                     order="date, id")
        orders = self.env["charge.order"].sudo().search(
            [("company_id", "=", company.id), ("charge_posting_error", "!=", False)], order="stop_date, id")
        activity_type = self.env.ref("mail.mail_activity_data_warning")
        activity = self.env["mail.activity"].sudo().search([
            ("res_model", "=", "account.journal"), ("res_id", "=", journal.id),
            ("activity_type_id", "=", activity_type.id), ("automated", "=", True),
        ], order="id", limit=1)
        env = company._charge_in_operator_lang(self).env
        if not failing and not orders:
            if activity:
                activity.action_feedback(feedback=env._("Every wallet ledger line and order is posted."))
            return
        summary = env._("Wallet lines or orders not posted")
        notes = []
        if failing:
            notes.append(env._("%(count)s wallet line(s) could not be posted: %(error)s", count=len(failing),
                               error=failing[0].charge_posting_error))
        if orders:
            notes.append(env._("%(count)s order(s) could not be posted: %(error)s", count=len(orders),
                               error=orders[0].charge_posting_error))
        note = Markup("<br/>").join(notes)
        if activity:
            activity.write({"summary": summary, "note": note})
            return
        accountant = self._charge_accountant(company)
        if not accountant:
            _logger.warning("Company %s has no accountant to tell that %s wallet lines and %s orders could not be "
                            "posted.", company.name, len(failing), len(orders))
            return
        journal.activity_schedule("mail.mail_activity_data_warning", summary=summary, note=note,
                                  user_id=accountant.id)

    @api.model
    def _charge_accountant(self, company):
        """The user the posting failures of ``company`` go to: its first
        accountant (full accounting features), else its first accounting
        administrator."""
        for xmlid in ("account.group_account_user", "account.group_account_manager"):
            group = self.env.ref(xmlid, raise_if_not_found=False)
            users = group.sudo().all_user_ids.filtered(
                lambda user: user.active and not user.share and company in user.company_ids
                and not user._is_superuser()) if group else group
            if users:
                return users.sorted("id")[0]
        return self.env["res.users"]

    @api.model
    def _charge_pending(self, company, before):
        """The company's unlinked lines dated before ``before``, locked; lines
        another transaction is posting right now are skipped."""
        self.flush_model(["company_id", "date"])
        self.env.cr.execute(SQL("""
            SELECT line.id
              FROM charge_wallet_transaction line
             WHERE line.company_id = %s AND line.date < %s
               AND NOT EXISTS (SELECT 1 FROM charge_wallet_transaction_move_rel rel
                                WHERE rel.transaction_id = line.id)
          ORDER BY line.date, line.id
               FOR UPDATE OF line SKIP LOCKED
        """, company.id, before))
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _charge_post_each(self, company):
        """One posted entry per line, dated on the line's local day."""
        tz = company._charge_tz()
        cache = {}
        self._charge_prepare(cache)
        entries = [
            (local_date(line.date, tz), line._charge_ref(), line, line._charge_entry_lines(company, cache))
            for line in self
        ]
        # plain entries are written by SQL (models/account_move_direct.py)
        return self.env["account.move"].with_context(**{DIRECT: True})._charge_create_entries(company, entries)

    def _charge_post_summaries(self, company):
        """One posted summary entry per local day for the lines ``self``."""
        tz = company._charge_tz()
        cache = {}
        self._charge_prepare(cache)
        entries = []
        for day, lines in sorted(self.grouped(lambda line: local_date(line.date, tz)).items()):
            specs = posting.summarize(lines._charge_summary_specs(company, cache))
            # a day whose movements cancel out still gets its (empty) entry, linking its lines
            entries.append((day, lines._charge_summary_ref(company, day), lines,
                            specs or [LineSpec("cash_liability", Decimal(0))]))
        # plain entries are written by SQL (models/account_move_direct.py)
        return self.env["account.move"].with_context(**{DIRECT: True})._charge_create_entries(company, entries)

    def _charge_summary_specs(self, company, cache):
        """The LineSpecs of the entries of the lines ``self``, as a summary
        adds them up: lines alike (``_charge_alike``) make the same entry, so
        the entry of the first of them is made and counted as many times as
        there are lines. The lines whose entry has a line kept per partner in
        a summary (a receivable), or that settle an order's receivable, are
        taken one by one."""
        booked = cache.get("revenue_booked") or set()
        for group in self._charge_alike():
            if booked.intersection(group.order_id.ids):
                rest = group
            else:
                specs = group[0]._charge_entry_lines(company, cache)
                if not any(spec.role in posting.SUMMARY_PARTNER_ROLES for spec in specs):
                    yield from posting.scale(specs, len(group))
                    continue
                yield from specs
                rest = group[1:]
            for line in rest:
                yield from line._charge_entry_lines(company, cache)

    def _charge_alike(self):
        """The lines ``self`` in groups (recordsets, oldest line first) of
        lines whose entries are the same but for the wallet owner: same kind,
        same movement of each bucket, same fee components paid, the same
        amounts of their order, the same clearing account (read by SQL, not
        line by line)."""
        if not self:
            return []
        self.flush_model([*(f"{bucket}_amount" for bucket in ("withdrawable", "on_account", "gift")),
                          *(f"paid_{name}" for name in posting.COMPONENTS), "type", "order_id", "wallet_id",
                          "clearing_account_id"])
        self.env["charge.order"].flush_model([*(f"amount_{name}" for name in posting.COMPONENTS), "amount_total",
                                              "company_id"])
        self.env.cr.execute(SQL("""
            SELECT array_agg(line.id ORDER BY line.date, line.id)
              FROM charge_wallet_transaction line
              JOIN charge_wallet wallet ON wallet.id = line.wallet_id
         LEFT JOIN charge_order o ON o.id = line.order_id
             WHERE line.id = ANY(%s)
          GROUP BY line.type, line.withdrawable_amount, line.on_account_amount, line.gift_amount,
                   line.paid_electricity, line.paid_service, line.paid_reservation, line.paid_occupancy,
                   line.order_id IS NULL, o.company_id, o.amount_electricity, o.amount_service,
                   o.amount_reservation, o.amount_occupancy, o.amount_total, wallet.company_id,
                   line.clearing_account_id
          ORDER BY min(line.date), min(line.id)
        """, self.ids))
        return [self.browse(ids) for ids, in self.env.cr.fetchall()]

    def _charge_prepare(self, cache):
        """Read once for the lines ``self`` of a batch what their entries need
        (kept in ``cache``, which the batch passes to each line)."""

    def _charge_entry_lines(self, company, cache):
        """The posting LineSpecs of this line's own entry."""
        self.ensure_one()
        try:
            return posting.entry_lines(self._charge_fact(company, cache))
        except PostingError as error:
            raise UserError(self._charge_posting_message(error)) from error

    def _charge_fact(self, company, cache):
        """The posting Fact of this line; ``cache`` keeps the tax splits of a batch."""
        self.ensure_one()
        wallet = self.wallet_id
        partner = wallet.partner_id or wallet.group_id.partner_id
        components = (self._charge_components(company, cache) if self.type in ("payment", "reversal", "refund")
                      else ())
        movement = self._movement()
        return posting.Fact(self.type, movement.withdrawable, movement.on_account, movement.gift,
                            partner=partner.id or None, components=components)

    def _charge_components(self, company, cache):
        """The order's fee components, positive for a payment, negative for a
        reversal, each split into revenue and output tax (``charge.order._charge_components``)."""
        order = self.order_id
        if not order:
            raise UserError(self.env._("Wallet line %s pays no charging order: it cannot be posted.", self.name))
        recorded = self._charge_paid_components()
        if recorded is not None:
            # what the line itself pays (a re-priced order's lines settle differences), signed as revenue
            return order._charge_split(company, recorded, cache)
        return order._charge_components(company, cache, sign=1 if self.type == "payment" else -1)

    def _charge_posting_message(self, error):
        params = error.params
        if error.code == "components":
            return self.env._(
                "Wallet line %(line)s cannot be posted: it moves %(amount)s but order %(order)s comes to "
                "%(components)s.", line=self.name, order=self.order_id.name, amount=params["amount"],
                components=params["components"])
        reason = f"{error.code}: {params}"
        return self.env._("Wallet line %(line)s cannot be posted (%(reason)s).", line=self.name, reason=reason)

    # Dates and references ------------------------------------------------------------------

    @api.model
    def _charge_now_cutoff(self):
        """The cutoff of "everything up to now": lines are dated to the second,
        so the lines of the current second are included."""
        return fields.Datetime.now() + timedelta(seconds=1)

    def _charge_ref(self):
        self.ensure_one()
        return f"{self.name} {self.order_id.name}" if self.order_id else self.name

    def _charge_summary_ref(self, company, day):
        env = company._charge_in_operator_lang(self).env
        names = self.sorted("id").mapped("name")
        return env._("Wallet summary %(day)s: %(first)s - %(last)s (%(count)s lines)", day=day, first=names[0],
                     last=names[-1], count=len(names))

    # Jobs and actions ----------------------------------------------------------------------

    @api.model
    def _cron_post_daily_summary(self, up_to=None):
        """Daily job: post what waits in every company, each company on its own
        (one failing company does not hold the others back): in document mode
        the lines whose posting failed are tried again, so that they are
        posted by the first run after the configuration is fixed."""
        for company in self.env["res.company"].sudo().search([]):
            try:
                with self.env.cr.savepoint():
                    self.sudo()._charge_post_pending(company, up_to=up_to)
            except (UserError, ValidationError) as error:
                _logger.error("Posting the wallet ledger of company %s failed: %s", company.name, error)

    @api.model
    def action_post_pending(self):
        """Accountants: post everything waiting in the selected companies, up to now."""
        if not self.env.user.has_group("account.group_account_user"):
            raise AccessError(self.env._("Only accountants post the wallet ledger."))
        moves = self._charge_post_pending(self.env.companies, up_to=self._charge_now_cutoff())
        if not moves:
            failing = self.sudo().search_count([("company_id", "in", self.env.companies.ids),
                                                ("charge_posting_failed_on", "!=", False)])
            if failing:
                return {"type": "ir.actions.client", "tag": "display_notification", "params": {
                    "type": "warning", "sticky": True, "message": self.env._(
                        "%s wallet ledger lines could not be posted: the Posting Failed filter of the wallet "
                        "ledger lists them with their error.", failing)}}
            return {"type": "ir.actions.client", "tag": "display_notification", "params": {
                "type": "info", "message": self.env._("No wallet ledger line was waiting for posting.")}}
        name = self.env._("Wallet Entries")
        return {"type": "ir.actions.act_window", "res_model": "account.move", "name": name,
                "view_mode": "list,form", "domain": [("id", "in", moves.ids)]}
