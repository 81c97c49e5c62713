"""The wallet entries of the posting queue written by SQL, as Odoo writes them.

The queue makes one journal entry per wallet ledger line. Through the ORM,
creating and posting such an entry costs about 13 ms of CPU, nearly all of it
the ORM's own machinery around the ~70 columns of an entry and its 4 to 8
items (cache updates, computes, defaults), not anything the entry needs. The
entries of a wallet journal are plain: the company's currency, no analytic
distribution, taxes due at once, no lock date and no hash chain involved,
nothing reversed (no storno). For a batch of such entries,
:meth:`AccountMove._charge_insert_entries` writes the posted entries and
their items with the values Odoo computes for them (``_compute_amount``,
``_compute_totals``, ``_compute_amount_residual``, ``_compute_split_sequence``,
``_compute_invoice_partner_display_info``...), numbers them as ``_post``
would (``sequence.mixin._locked_increment``: the first number of a sequence
taken under the unique index, the next ones from the transaction's sequence
cache) and raises the partners' customer rank as ``_post`` does.

Anything out of the plain case goes through the ORM (``_charge_direct_ok``),
which makes the entry or raises what it raises: a journal archived, with a
hash chain or a foreign currency; analytic distribution models; a locked
date; an archived account, an account, tax or partner of another company; a
cash-basis or group tax; an unbalanced entry; and any module that adds a
stored field to entries or items (the field sets are the ones below). The
test ``test_direct_posting`` compares, column by column, the entries written
here with those the ORM makes for the same lines.
"""
import re
from datetime import date as date_type

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.translate import code_translations

# context key: the entries of _charge_create_entries are written by SQL when they can be
DIRECT = "charge_direct_posting"

# the stored fields of entries and items this module writes (those of the modules installed with the charge addons);
# another module adding one makes the queue post through the ORM
MOVE_FIELDS = frozenset("""
    access_token always_tax_exigible amount_residual amount_residual_signed amount_tax amount_tax_signed amount_total
    amount_total_in_currency_signed amount_total_signed amount_untaxed amount_untaxed_in_currency_signed
    amount_untaxed_signed auto_post auto_post_origin_id auto_post_until charge_fapiao_request_id charge_order_amounts
    charge_order_id
    charge_order_kind charge_order_seq checked commercial_partner_id company_id create_date create_uid currency_id date
    delivery_date fapiao fiscal_position_id id inalterable_hash incoterm_location invoice_cash_rounding_id
    invoice_currency_rate invoice_date invoice_date_due invoice_incoterm_id invoice_origin invoice_partner_display_name
    invoice_payment_term_id invoice_source_email invoice_user_id is_manually_modified is_move_sent journal_id
    made_sequence_gap message_main_attachment_id move_type name narration origin_payment_id partner_bank_id partner_id
    partner_shipping_id payment_reference payment_state posted_before preferred_payment_method_line_id qr_code_method
    quick_edit_total_amount ref reversed_entry_id secure_sequence_number sending_data sequence_number sequence_prefix
    state statement_line_id tax_cash_basis_origin_move_id tax_cash_basis_rec_id taxable_supply_date write_date write_uid
    adjusting_entries_move_ids adjusting_entry_origin_move_ids matched_payment_ids transaction_ids
""".split())
LINE_FIELDS = frozenset("""
    account_id amount_currency amount_residual amount_residual_currency analytic_distribution balance charge_order_id
    collapse_composition collapse_prices company_currency_id company_id create_date create_uid credit currency_id date
    date_maturity debit deductible_amount discount discount_amount_currency discount_balance discount_date display_type
    extra_tax_data full_reconcile_id group_tax_id id invoice_date is_imported is_storno journal_id matching_number
    move_id move_name name no_followup parent_state partner_id payment_id price_subtotal price_total price_unit
    product_id product_uom_id quantity reconcile_model_id reconciled ref sequence statement_id statement_line_id
    tax_base_amount tax_group_id tax_line_id tax_repartition_line_id write_date write_uid tax_ids tax_tag_ids
""".split())
MOVE_COLUMNS = ("id", "journal_id", "company_id", "currency_id", "create_uid", "write_uid", "ref", "state", "move_type",
                "auto_post", "payment_state", "invoice_partner_display_name", "date", "invoice_date_due",
                "invoice_currency_rate", "amount_untaxed", "amount_tax", "amount_total", "amount_residual",
                "amount_untaxed_signed", "amount_untaxed_in_currency_signed", "amount_tax_signed",
                "amount_total_signed", "amount_total_in_currency_signed", "amount_residual_signed",
                "always_tax_exigible", "checked", "posted_before", "made_sequence_gap", "is_manually_modified",
                "create_date", "write_date", "name", "sequence_prefix", "sequence_number")
# the values _charge_line_values gives an item (besides the relational commands), as columns
LINE_VALUES = ("name", "partner_id", "balance", "amount_currency", "account_id", "display_type", "sequence",
               "quantity", "price_unit", "currency_id", "product_uom_id", "tax_repartition_line_id", "group_tax_id",
               "tax_base_amount", "charge_order_id")
KNOWN_VALUES = frozenset(LINE_VALUES) | {"tax_ids", "tax_tag_ids", "is_storno", "analytic_distribution"}


def _stored(model):
    return {name for name, field in model._fields.items()
            if field.store and (field.column_type or field.type == "many2many")}


def _m2m_ids(commands):
    """The ids of a list of ``Command.set`` commands (what _charge_line_values gives)."""
    ids = []
    for command in commands or ():
        if command[0] != 6:
            raise ValueError(command)
        ids = list(command[2])
    return ids


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.model
    def _charge_direct_ok(self, company, values):
        """Whether the entries ``values`` (of ``_charge_entry_values``) of
        ``company`` are plain enough to be written by SQL (see the module's
        docstring); if not, the ORM makes them (and raises what it raises)."""
        journal = company.charge_wallet_journal_id
        if (not journal or not journal.active or journal.restrict_mode_hash_table
                or journal.currency_id not in (company.currency_id, journal.currency_id.browse())
                or journal.is_self_billing):
            return False
        if _stored(self) != MOVE_FIELDS or _stored(self.env["account.move.line"]) != LINE_FIELDS:
            return False
        if self.env["account.analytic.distribution.model"].sudo().search_count(
                [("company_id", "in", [company.id, False])], limit=1):
            return False
        currency = company.currency_id
        account_ids, tax_ids, partner_ids, days = set(), set(), set(), set()
        for vals in values:
            if vals["journal_id"] != journal.id or vals["company_id"] != company.id or vals["move_type"] != "entry" \
                    or not isinstance(vals["date"], date_type):
                return False
            days.add(vals["date"])
            total = 0.0
            for command in vals["line_ids"]:
                line = command[2]
                if not KNOWN_VALUES.issuperset(line) or line["currency_id"] != currency.id \
                        or line.get("analytic_distribution") or line.get("is_storno") \
                        or line["amount_currency"] != line["balance"]:
                    return False
                total += currency.round(line["balance"])
                account_ids.add(line["account_id"])
                tax_ids.update(_m2m_ids(line.get("tax_ids")))
                if line.get("partner_id"):
                    partner_ids.add(line["partner_id"])
            if not currency.is_zero(total):
                return False
        if any(company._get_violated_lock_dates(day, True, journal) for day in days):  # the tax lock date too
            return False
        companies = company.sudo().parent_ids
        partners = self.env["res.partner"].sudo().browse(partner_ids)
        if any(partner.company_id and partner.company_id not in companies for partner in partners):
            return False
        accounts = self.env["account.account"].sudo().browse(account_ids)
        if any(not account.active or not (account.company_ids & companies) or account.account_type == "off_balance"
               or account.currency_id not in (company.currency_id, account.currency_id.browse())
               for account in accounts):
            return False
        taxes = self.env["account.tax"].sudo().browse(tax_ids)
        return not any(tax.company_id.root_id != company.root_id or tax.tax_exigibility == "on_payment"
                       or tax.amount_type not in ("percent", "division", "fixed") for tax in taxes)

    @api.model
    def _charge_insert_entries(self, company, values):
        """Write the posted entries ``values`` (of ``_charge_entry_values``,
        in their order) of ``company`` and their items; returns the entries."""
        if not values:
            return self.browse()
        cr = self.env.cr
        journal = company.charge_wallet_journal_id
        currency = company.currency_id
        uid = self.env.uid
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        created_by = code_translations.get_python_translations("account", self.env.lang or "en_US").get(
            "#Created by: %s", "#Created by: %s") % self.env.user.name
        no_followup = journal.type == "general"
        checked = journal.type == "general" or self._is_user_able_to_review()
        accounts = {account.id: account for account in self.env["account.account"].sudo().browse(
            {command[2]["account_id"] for vals in values for command in vals["line_ids"]})}
        repartitions = self.env["account.tax.repartition.line"].sudo()
        cr.execute(SQL("SELECT nextval('account_move_id_seq') FROM generate_series(1, %s)", len(values)))
        move_ids = [row[0] for row in cr.fetchall()]
        total_lines = sum(len(vals["line_ids"]) for vals in values)
        cr.execute(SQL("SELECT nextval('account_move_line_id_seq') FROM generate_series(1, %s)", total_lines))
        line_ids = iter([row[0] for row in cr.fetchall()])
        totals_cache = {}
        moves, lines, tax_rel, tag_rel, ranks = [], [], [], [], {}
        for move_id, vals in zip(move_ids, values):
            total = 0.0
            for command in vals["line_ids"]:
                line = command[2]
                line_id = next(line_ids)
                balance = currency.round(line["balance"])
                account = accounts[line["account_id"]]
                taxes = _m2m_ids(line.get("tax_ids"))
                tags = _m2m_ids(line.get("tax_tag_ids"))
                residual = balance if account.reconcile or account.account_type in (
                    "asset_cash", "liability_credit_card") else 0.0
                subtotal = total_included = 0.0
                if line["display_type"] == "product":
                    subtotal, total_included = self._charge_line_totals(company, line["amount_currency"], balance,
                                                                        taxes, totals_cache)
                repartition_id = line.get("tax_repartition_line_id") or None
                tax_line_id = tax_group_id = None
                if repartition_id:
                    tax = repartitions.browse(repartition_id).tax_id
                    tax_line_id, tax_group_id = tax.id, tax.tax_group_id.id or None
                if balance > 0:
                    total += balance
                lines.append((
                    line_id, move_id, journal.id, company.id, currency.id, line.get("sequence", 10),
                    account.id, line["currency_id"], line.get("partner_id") or None, uid, uid, vals["ref"],
                    line.get("name") or None, line["display_type"], vals["date"], max(balance, 0.0),
                    max(-balance, 0.0), balance, currency.round(line["amount_currency"]), residual, residual,
                    line.get("quantity") or 0.0,
                    line.get("price_unit"), subtotal, total_included, 0.0, False, False, no_followup, now, now,
                    100.0, tax_line_id, tax_group_id, repartition_id, line.get("group_tax_id") or None,
                    currency.round(line.get("tax_base_amount") or 0.0) if repartition_id else None,
                    line.get("product_uom_id") or None,
                    line.get("charge_order_id") or None,
                ))
                tax_rel.extend((line_id, tax_id) for tax_id in taxes)
                tag_rel.extend((line_id, tag_id) for tag_id in tags)
                if line.get("partner_id") and account.account_type in ("asset_receivable", "liability_payable"):
                    rank = "customer_rank" if account.account_type == "asset_receivable" else "supplier_rank"
                    ranks.setdefault((move_id, rank), set()).add(line["partner_id"])
            moves.append((move_id, journal.id, company.id, currency.id, uid, uid, vals.get("ref"), "posted", "entry",
                          "no", "not_paid", created_by, vals["date"], today, 0.0, 0.0, 0.0, total,
                          0.0, 0.0, 0.0, 0.0, total, total, 0.0, True, checked, True, False, False, now, now))
        names = self._charge_number(journal, moves)
        cr.execute(SQL("""
            INSERT INTO account_move_line (id, move_id, journal_id, company_id, company_currency_id, sequence,
                                           account_id, currency_id, partner_id, create_uid, write_uid, ref, name,
                                           display_type, date, debit, credit, balance, amount_currency,
                                           amount_residual, amount_residual_currency, quantity, price_unit,
                                           price_subtotal, price_total, discount, is_storno, reconciled,
                                           no_followup, create_date, write_date, deductible_amount, tax_line_id,
                                           tax_group_id, tax_repartition_line_id, group_tax_id, tax_base_amount,
                                           product_uom_id, charge_order_id, move_name, parent_state)
                 VALUES %s
        """, SQL(", ").join(SQL("%s", (*line, names[line[1]], "posted")) for line in lines)))
        if tax_rel:
            cr.execute(SQL("INSERT INTO account_move_line_account_tax_rel (account_move_line_id, account_tax_id) "
                           "VALUES %s", SQL(", ").join(SQL("%s", pair) for pair in tax_rel)))
        if tag_rel:
            cr.execute(SQL("INSERT INTO account_account_tag_account_move_line_rel (account_move_line_id, "
                           "account_account_tag_id) VALUES %s", SQL(", ").join(SQL("%s", pair) for pair in tag_rel)))
        self.env["account.move"].invalidate_model()
        self.env["account.move.line"].invalidate_model()
        counts = {}
        for (_move_id, rank), partner_ids in ranks.items():
            for partner_id in partner_ids:
                counts[(partner_id, rank)] = counts.get((partner_id, rank), 0) + 1
        Partner = self.env["res.partner"].sudo()
        for (partner_id, rank), count in counts.items():
            partner = Partner.browse(partner_id)
            (partner | partner.commercial_partner_id)._increase_rank(rank, count)
        return self.browse(move_ids)

    @api.model
    def _charge_line_totals(self, company, amount_currency, balance, tax_ids, cache):
        """(price_subtotal, price_total) of a product item of an entry (of
        ``balance`` in the company's currency), as ``account.move.line.
        _compute_totals`` computes them (``_prepare_product_base_line_for_taxes_computation``
        of an entry; ``is_refund`` as ``_compute_is_refund`` tells it for an
        item of an entry reversing nothing)."""
        key = (amount_currency, balance, tuple(tax_ids))
        if key not in cache:
            AccountTax = self.env["account.tax"]
            taxes = AccountTax.browse(tax_ids)
            uses = set(taxes.mapped("type_tax_use"))
            if {"sale", "purchase"} <= uses:
                is_refund = balance >= 0
            else:
                use = taxes[:1].type_tax_use
                is_refund = (use == "sale" and balance >= 0) or (use == "purchase" and balance <= 0)
            base_line = AccountTax._prepare_base_line_for_taxes_computation(
                None, price_unit=amount_currency, quantity=1.0, discount=0.0, rate=1.0 if balance else 0.0, sign=1,
                special_mode="total_excluded", tax_ids=taxes, currency_id=company.currency_id, is_refund=is_refund)
            AccountTax._add_tax_details_in_base_line(base_line, company)
            AccountTax._round_base_lines_tax_details([base_line], company)
            cache[key] = (company.currency_id.round(base_line["tax_details"]["total_excluded_currency"]),
                          company.currency_id.round(base_line["tax_details"]["total_included_currency"]))
        return cache[key]

    def _charge_number(self, journal, moves):
        """Name and insert the entry rows ``moves`` (tuples of the columns of
        ``MOVE_COLUMNS`` but the last three), numbered in their order as
        ``_post`` numbers entries (``sequence.mixin._locked_increment``): the
        first number of a sequence this transaction does not hold yet is
        taken by inserting its row alone, under the sequence's unique index
        (retried with the next number if another transaction took it), the
        next ones come from the transaction's sequence cache. Returns {entry
        id: name}."""
        cache = self._get_sequence_cache()
        regex = re.compile(self._make_regex_non_capturing(self._sequence_fixed_regex.replace(r"?P<seq>", "")))
        formats = {}
        names, rest = {}, []
        for move in moves:
            day = move[12]
            if day not in formats:
                # the rows numbered so far are in the table before the journal's last number is looked up
                self._charge_insert_moves(rest)
                rest = []
                draft = self.new({"journal_id": journal.id, "date": day, "move_type": "entry", "company_id": move[2]})
                format_string, format_values = draft._get_next_sequence_format()
                last = format_values.pop("seq")
                formats[day] = (format_string, format_values, last,
                                (format_string.format(**format_values, seq=0), journal))
            format_string, format_values, last, cache_key = formats[day]
            if cache_key in cache:
                cache[cache_key] += 1
                name = format_string.format(**format_values, seq=cache[cache_key])
                rest.append((*move, *self._charge_split_name(regex, name)))
                names[move[0]] = name
                continue
            self._charge_insert_moves(rest)  # the rows of the sequence before, in their order
            rest = []
            seq = last
            while True:
                seq += 1
                name = format_string.format(**format_values, seq=seq)
                try:
                    with self.env.cr.savepoint(flush=False):
                        # a number another transaction took is expected here, not an error to log
                        self._charge_insert_moves([(*move, *self._charge_split_name(regex, name))],
                                                  log_exceptions=False)
                    break
                except (pg_errors.ExclusionViolation, pg_errors.UniqueViolation):
                    continue
            cache = self._get_sequence_cache()  # a rolled back savepoint clears the transaction's caches
            cache[cache_key] = seq
            names[move[0]] = name
        self._charge_insert_moves(rest)
        return names

    @api.model
    def _charge_split_name(self, regex, name):
        """(name, sequence_prefix, sequence_number) as ``_compute_split_sequence`` splits a name."""
        matching = regex.match(name)
        return name, name[:matching.start(1)], int(matching.group(1) or 0)

    @api.model
    def _charge_insert_moves(self, rows, log_exceptions=True):
        if rows:
            self.env.cr.execute(SQL("INSERT INTO account_move (%s) VALUES %s",
                                    SQL(", ").join(SQL.identifier(name) for name in MOVE_COLUMNS),
                                    SQL(", ").join(SQL("%s", row) for row in rows)), log_exceptions=log_exceptions)
