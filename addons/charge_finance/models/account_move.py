from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from ..tools import posting
from . import posting_link
from .account_move_batch import CHECK_ONCE
from .account_move_direct import DIRECT

# cr.cache key of the numbering formats memorised while a batch of wallet entries is made
SEQUENCE_MEMO = "charge_finance.sequence_memo"


class AccountMove(models.Model):
    """Journal entries posting the wallet ledger: each links the ledger lines
    it posts. The link is written from the entry's side only, in the
    module's own link table (posting_link): ledger lines are never written."""
    _inherit = "account.move"

    charge_wallet_transaction_ids = fields.Many2many(
        "charge.wallet.transaction", string="Wallet Ledger Lines", compute="_compute_charge_wallet_transaction_ids",
        search="_search_charge_wallet_transaction_ids")
    charge_wallet_transaction_count = fields.Integer(compute="_compute_charge_wallet_transaction_ids",
                                                     string="Wallet Lines")
    charge_wallet_journal = fields.Boolean(string="In a Wallet Journal", compute="_compute_charge_wallet_journal",
                                           search="_search_charge_wallet_journal",
                                           help="The entry is in the wallet journal of its company.")

    @api.depends("journal_id")
    def _compute_charge_wallet_journal(self):
        journals = self.env["res.company"].sudo().search([]).charge_wallet_journal_id
        for move in self:
            move.charge_wallet_journal = move.journal_id in journals

    def _search_charge_wallet_journal(self, operator, value):
        if operator != "in":
            return NotImplemented
        journals = self.env["res.company"].sudo().search([]).charge_wallet_journal_id
        return [("journal_id", "in" if True in value else "not in", journals.ids)]

    def _compute_charge_wallet_transaction_ids(self):
        links = posting_link.lines_by_move(self.env.cr, self._origin.ids)
        for move in self:
            line_ids = links.get(move._origin.id, [])
            move.charge_wallet_transaction_ids = self.env["charge.wallet.transaction"].browse(line_ids)
            move.charge_wallet_transaction_count = len(line_ids)

    def _search_charge_wallet_transaction_ids(self, operator, value):
        return posting_link.search_domain(operator, value, "move_id", "transaction_id")

    def action_view_charge_wallet_transactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("charge_member.charge_wallet_transaction_action")
        action.update(domain=[("move_ids", "in", self.ids)], context={"create": False})
        return action

    # Entries of the wallet ledger ---------------------------------------------------

    @api.model
    def _charge_create_entries(self, company, entries):
        """Create and post the wallet entries of ``company``; ``entries`` is a
        list of (date, ref, ledger lines, [LineSpec]). Returns the moves.

        The entries of a batch are made together: one ``create`` (without the
        analytic resynchronisation of new draft items, which has nothing to
        merge; the posting makes their analytic lines), one posting, and the
        journal's numbering format looked up once per journal and day
        (:meth:`_get_next_sequence_format`). The items come with the values
        Odoo would compute for them (:meth:`_charge_item_defaults`), the
        output tax of fee components taxed alike in one item, and Odoo's
        company check runs once per distinct set of values of the batch
        (models/account_move_batch.py). The posting queue's entries (context
        key ``DIRECT``) are written by SQL instead when they are plain
        (models/account_move_direct.py), as Odoo writes them."""
        labels = self._charge_labels(company)
        no_analytic = not self.env["account.analytic.distribution.model"].sudo().search_count(
            [("company_id", "in", [company.id, False])], limit=1)
        values = [self._charge_entry_values(company, date, ref, transactions, specs, labels)
                  for date, ref, transactions, specs in entries]
        if no_analytic:
            # no distribution model can give the items an analytic distribution: nothing to compute per item
            for vals in values:
                for command in vals["line_ids"]:
                    command[2].setdefault("analytic_distribution", False)
        if self.env.context.get(DIRECT) and self._charge_direct_ok(company, values):
            # plain entries of the posting queue: written by SQL as Odoo writes them (models/account_move_direct.py)
            moves = self._charge_insert_entries(company, values)
            moves._charge_link([transactions for _date, _ref, transactions, _specs in entries])
            return moves
        cache = self.env.cr.cache
        cache[SEQUENCE_MEMO] = {}
        try:
            moves = self.with_company(company).with_context(
                skip_invoice_sync=True, tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True,
                skip_analytic_sync=True, **{CHECK_ONCE: True},
            ).create(values)
            moves._charge_link([transactions for _date, _ref, transactions, _specs in entries])
            moves.with_context(skip_analytic_sync=False).action_post()
        finally:
            cache.pop(SEQUENCE_MEMO, None)
        return moves

    def _get_next_sequence_format(self):
        """While the wallet entries of a batch are made: the numbering format
        of the entry's journal and day is looked up once (three queries per
        entry and per call otherwise), and reused as long as this transaction
        holds the sequence (the sequence mixin's cache has its number: see
        ``_locked_increment``)."""
        memo = self.env.cr.cache.get(SEQUENCE_MEMO)
        if memo is None or not self.journal_id or not self.date:
            return super()._get_next_sequence_format()
        key = (self.journal_id.id, self.date, self.move_type, bool(self.origin_payment_id))
        if key in memo:
            format_string, values = memo[key]
            cache_key = (format_string.format(**values, seq=0), self[self._sequence_index] if self._sequence_index else False)
            seq = self._get_sequence_cache().get(cache_key)
            if seq is not None:
                return format_string, {**values, "seq": seq}
        format_string, values = super()._get_next_sequence_format()
        memo[key] = (format_string, {name: value for name, value in values.items() if name != "seq"})
        return format_string, values

    def _charge_link(self, transactions_per_move):
        """Link each entry of ``self`` to its ledger lines (a recordset per
        entry, in the same order). A line already posted (by a concurrent job)
        keeps its first link (the unique index) and the posting fails instead
        of counting it twice."""
        pairs = [(line_id, move.id) for move, lines in zip(self, transactions_per_move) for line_id in lines.ids]
        linked = posting_link.link(self.env.cr, pairs)
        self.invalidate_recordset(["charge_wallet_transaction_ids", "charge_wallet_transaction_count"])
        self.env["charge.wallet.transaction"].invalidate_model(["move_ids", "posted"])
        posted = [line_id for line_id, _move_id in pairs if line_id not in linked]
        if posted:
            names = self.env["charge.wallet.transaction"].browse(posted).mapped("name")
            raise UserError(self.env._("Wallet ledger line(s) %s are already posted.", ", ".join(names)))

    @api.model
    def _charge_entry_values(self, company, date, ref, transactions, specs, labels):
        return {
            "move_type": "entry",
            "company_id": company.id,
            "journal_id": company.charge_wallet_journal_id.id,
            "date": date,
            "ref": ref,
            "line_ids": [Command.create(self._charge_line_values(company, spec, labels))
                         for spec in posting.merge_tax_lines(specs)],
        }

    @api.model
    def _charge_post_own_entry(self, company, date, ref, specs):
        """Create and post, in the company's wallet journal, the entry of a
        document of its own (a card load, a withdrawal paid out) from its
        posting LineSpecs."""
        labels = self._charge_labels(company)
        move = self.with_company(company).with_context(
            skip_invoice_sync=True, tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True,
        ).create({
            "move_type": "entry", "company_id": company.id, "journal_id": company.charge_wallet_journal_id.id,
            "date": date, "ref": ref,
            "line_ids": [Command.create(self._charge_line_values(company, spec, labels)) for spec in specs],
        })
        move.action_post()
        return move

    @api.model
    def _charge_line_values(self, company, spec, labels):
        """Values of the journal item of a posting LineSpec, with the values
        Odoo would compute for the item of a journal entry (``entry``) given
        (see ``_charge_item_defaults``)."""
        balance = float(spec.amount)
        values = {**labels["item_defaults"], "name": labels.get(spec.role), "partner_id": spec.partner or False,
                  "balance": balance, "amount_currency": balance}
        if spec.role.startswith("tax_"):
            account_id, repartition_id, tag_ids, tax_ids, group_tax_id = spec.key
            values.update(
                display_type="tax", account_id=account_id, tax_repartition_line_id=repartition_id,
                tax_tag_ids=[Command.set(tag_ids)], tax_ids=[Command.set(tax_ids)], group_tax_id=group_tax_id,
                tax_base_amount=float(spec.tax_base), sequence=10000, quantity=False,
                name=self.env["account.tax.repartition.line"].browse(repartition_id).tax_id.name,
            )
            return values
        values.update(display_type="product", sequence=100, quantity=1.0, tax_ids=[])
        if spec.role == "receivable":
            partner = self.env["res.partner"].browse(spec.partner).with_company(company)
            values["account_id"] = (partner.property_account_receivable_id
                                    or company.partner_id.with_company(company).property_account_receivable_id).id
        elif spec.role == "clearing" and spec.key:
            values["account_id"] = spec.key  # a payment provider's clearing account
        else:
            values["account_id"] = labels["accounts"][spec.role].id
        if spec.role.startswith("revenue_") and spec.key:
            tax_ids, tag_ids = spec.key
            values.update(tax_ids=[Command.set(tax_ids)], tax_tag_ids=[Command.set(tag_ids)])
        return values

    @api.model
    def _charge_labels(self, company):
        """Labels of the journal items per role, in the operator's language,
        and the company's accounts per role under ``accounts``."""
        env = company._charge_in_operator_lang(self).env
        return {
            "accounts": company._charge_role_accounts(),
            "item_defaults": self._charge_item_defaults(company),
            "cash_liability": env._("Wallet cash"),
            "gift_liability": env._("Wallet gift money"),
            "clearing": env._("Paid recharges"),
            "receivable": env._("Recharges on account"),
            "marketing_expense": env._("Gift money"),
            "adjustment": env._("Wallet adjustments"),
            "card_fee": env._("Card fees"),
            "withdrawal_payable": env._("Withdrawals payable"),
            "withdrawal_fee": env._("Withdrawal fees"),
            "revenue_electricity": env._("Charging electricity"),
            "revenue_service": env._("Charging service fees"),
            "revenue_reservation": env._("Reservation fees"),
            "revenue_occupancy": env._("Occupancy fees"),
        }

    @api.model
    def _charge_item_defaults(self, company):
        """The values Odoo computes for every item of a journal entry of
        ``company`` in its own currency, without product (the ``_compute_*``
        methods of account.move.line: ``currency_id``, ``is_storno``,
        ``product_uom_id``, ``price_unit``; ``amount_currency`` is the
        balance): given with the values, they are not computed item by item
        when a batch of entries is created."""
        defaults = {"currency_id": company.currency_id.id, "product_uom_id": False, "price_unit": 0.0}
        if not company.account_storno:
            defaults["is_storno"] = False  # with storno accounting, Odoo decides per item
        return defaults
