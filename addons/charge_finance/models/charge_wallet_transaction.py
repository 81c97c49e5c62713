import logging
from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from odoo.addons.charge_base.tools.local_time import local_date, local_midnight_utc

from ..tools import posting
from ..tools.posting import COMPONENTS, LineSpec, PostingError

_logger = logging.getLogger(__name__)
RELATION = "charge_wallet_transaction_move_rel"
POSTED_LINES = SQL("""
    SELECT rel.transaction_id
      FROM charge_wallet_transaction_move_rel rel
      JOIN account_move move ON move.id = rel.move_id
     WHERE move.state = 'posted'
""")


class ChargeWalletTransaction(models.Model):
    """Posting of the wallet ledger to accounting. A line is posted once,
    by one journal entry of its own or by its day's summary entry; the
    entry links the line (a line is never written). A unique index on the
    link makes a second posting of a line fail, whoever attempts it."""
    _inherit = "charge.wallet.transaction"

    move_ids = fields.Many2many(
        "account.move", RELATION, "transaction_id", "move_id", string="Journal Entries", readonly=True,
        copy=False, groups="account.group_account_readonly")
    posted = fields.Boolean(compute="_compute_posted", search="_search_posted",
                            help="A posted journal entry records the line in accounting.")

    def init(self):
        super().init()
        create_index(self.env.cr, f"{RELATION}_transaction_unique", RELATION, ["transaction_id"], unique=True)

    @api.depends("move_ids.state")
    def _compute_posted(self):
        posted = set(self._charge_posted_ids())
        for line in self:
            line.posted = line.id in posted

    def _charge_posted_ids(self):
        if not self.ids:
            return []
        self.env["account.move"].flush_model(["state", "charge_wallet_transaction_ids"])
        self.env.cr.execute(SQL("%s AND rel.transaction_id = ANY(%s)", POSTED_LINES, list(self.ids)))
        return [row[0] for row in self.env.cr.fetchall()]

    def _search_posted(self, operator, value):
        if operator != "in" or not value:
            return NotImplemented
        self.env["account.move"].flush_model(["state", "charge_wallet_transaction_ids"])
        if value == {True}:
            return [("id", "any!", POSTED_LINES)]
        if value == {False}:
            return [("id", "not any!", POSTED_LINES)]
        return []

    @api.model_create_multi
    def create(self, vals_list):
        """A new line of a company posting per document is posted at once,
        in the same transaction: the ledger line and its entry exist together
        or not at all."""
        lines = super().create(vals_list)
        lines._charge_post_documents()
        return lines

    # Posting --------------------------------------------------------------------------

    def _charge_post_documents(self):
        """Post each line of the companies in document mode by an entry of its
        own. A company without its wallet accounting keeps the lines pending:
        the posting job posts them once it is configured."""
        for company, lines in self.grouped("company_id").items():
            if company.charge_posting_mode != "document":
                continue
            if not company._charge_finance_ready():
                # a company without a chart of accounts does not keep books here: nothing to warn about
                log = _logger.warning if self.env.registry.ready and company.chart_template else _logger.info
                log("Wallet ledger line(s) %s of company %s wait for posting: its wallet journal and accounts "
                    "are not configured.", ", ".join(lines.mapped("name")), company.name)
                continue
            lines.sudo()._charge_post_each(company)

    @api.model
    def _charge_post_pending(self, companies, up_to=None):
        """Post the lines still waiting in ``companies``: in daily mode one
        summary entry per day for the days before today (before ``up_to``
        when given); in document mode one entry per line (lines left over
        while the company was not configured). Returns the new entries."""
        moves = self.env["account.move"]
        for company in companies:
            if not company._charge_finance_ready():
                _logger.info("Company %s has no wallet accounting configured: nothing posted.", company.name)
                continue
            tz = company._charge_tz()
            daily = company.charge_posting_mode == "daily"
            before = up_to or (local_midnight_utc(local_date(fields.Datetime.now(), tz), tz) if daily else self._charge_now_cutoff())
            lines = self.sudo()._charge_pending(company, before)
            if lines:
                moves |= lines._charge_post_summaries(company) if daily else lines._charge_post_each(company)
        return moves

    @api.model
    def _charge_pending(self, company, before):
        """The company's unlinked lines dated before ``before``, locked; lines
        another transaction is posting right now are skipped."""
        self.flush_model(["company_id", "date"])
        self.env["account.move"].flush_model(["charge_wallet_transaction_ids"])
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
        entries = [
            (local_date(line.date, tz), line._charge_ref(), line, line._charge_entry_lines(company, cache))
            for line in self
        ]
        return self.env["account.move"]._charge_create_entries(company, entries)

    def _charge_post_summaries(self, company):
        """One posted summary entry per local day for the lines ``self``."""
        tz = company._charge_tz()
        cache = {}
        entries = []
        for day, lines in sorted(self.grouped(lambda line: local_date(line.date, tz)).items()):
            specs = posting.summarize(spec for line in lines for spec in line._charge_entry_lines(company, cache))
            # a day whose movements cancel out still gets its (empty) entry, linking its lines
            entries.append((day, lines._charge_summary_ref(company, day), lines,
                            specs or [LineSpec("cash_liability", Decimal(0))]))
        return self.env["account.move"]._charge_create_entries(company, entries)

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
        components = self._charge_components(company, cache) if self.type in ("payment", "reversal") else ()
        movement = self._movement()
        return posting.Fact(self.type, movement.withdrawable, movement.on_account, movement.gift,
                            partner=partner.id or None, components=components)

    def _charge_components(self, company, cache):
        """The order's fee components, positive for a payment, negative for a
        reversal, each split into revenue and output tax."""
        order = self.order_id
        if not order:
            raise UserError(self.env._("Wallet line %s pays no charging order: it cannot be posted.", self.name))
        wallet = self.wallet_id
        amounts = {name: wallet._decimal(order[f"amount_{name}"]) for name in COMPONENTS}
        if sum(amounts.values()) != wallet._decimal(order.amount_total):
            raise UserError(self.env._(
                "Order %(order)s cannot be posted: its fee components add up to %(components)s, not to its "
                "total %(total)s.", order=order.name, components=sum(amounts.values()), total=order.amount_total))
        sign = 1 if self.type == "payment" else -1
        accounts = cache.setdefault("accounts", company._charge_role_accounts())
        components = []
        for name, amount in amounts.items():
            if not amount:
                continue
            tax = company[f"charge_tax_{name}_id"]
            key = (name, tax.id, sign * amount)
            if key not in cache:
                cache[key] = tax._charge_component(name, sign * amount, company, accounts[f"revenue_{name}"])
            components.append(cache[key])
        return tuple(components)

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
        (one failing company does not hold the others back)."""
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
            return {"type": "ir.actions.client", "tag": "display_notification", "params": {
                "type": "info", "message": self.env._("No wallet ledger line was waiting for posting.")}}
        name = self.env._("Wallet Entries")
        return {"type": "ir.actions.act_window", "res_model": "account.move", "name": name,
                "view_mode": "list,form", "domain": [("id", "in", moves.ids)]}
