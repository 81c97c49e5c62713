import logging
from decimal import Decimal

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.charge_base.tools.local_time import local_date, local_midnight_utc

from ..tools import posting
from ..tools.posting import COMPONENTS, PostingError

_logger = logging.getLogger(__name__)
# a change of these fields may change what an order already booked must book
REBOOK_FIELDS = {"state", "payment_state", "occupancy_open", *(f"amount_{name}" for name in COMPONENTS)}
# concurrency errors are the transaction's to retry, not a posting error of the order
RETRY_ERRORS = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected, pg_errors.LockNotAvailable)


class ChargeOrder(models.Model):
    """The revenue of the orders no wallet paid, in the general ledger.

    A completed order paid from its wallet is booked by its wallet payment
    line. Any other completed order (unpaid, a non-member tag, a back-office
    start, a stored-value card) gets a revenue entry of its own: a receivable
    (or the stored-value card liability) against revenue per fee component
    and output tax. When such an order is voided, its payment reversed, or
    its price changed, a reversing or adjusting entry follows. The order row
    is locked while an entry is made, so its revenue is booked once."""
    _inherit = "charge.order"

    charge_move_ids = fields.One2many("account.move", "charge_order_id", string="Journal Entries", readonly=True,
                                      groups="account.group_account_readonly")
    charge_move_count = fields.Integer(compute="_compute_charge_move_count", string="Entries",
                                       groups="account.group_account_readonly")
    charge_post_pending = fields.Boolean(string="Posting Pending", readonly=True, index=True, copy=False,
                                         help="The order's revenue, or a change of it, waits for its journal entry.")
    charge_posting_error = fields.Text(string="Posting Error", readonly=True, copy=False,
                                       groups="account.group_account_readonly",
                                       help="Why the last attempt to post the order failed; the posting job "
                                            "tries again.")

    def _compute_charge_move_count(self):
        counts = dict(self.env["account.move"].sudo()._read_group(
            [("charge_order_id", "in", self.ids)], ["charge_order_id"], ["__count"]))
        for order in self:
            order.charge_move_count = counts.get(order._origin, 0)

    def action_view_charge_moves(self):
        self.ensure_one()
        name = self.env._("Journal Entries")
        domain = [("charge_order_id", "=", self.id)]
        return {"type": "ir.actions.act_window", "res_model": "account.move", "name": name, "view_mode": "list,form",
                "domain": domain, "context": {"create": False}}

    # Triggers -----------------------------------------------------------------------------

    def _on_order_completed(self):
        """After the wallet payment: what no wallet paid is booked now (per
        document) or by the daily job."""
        super()._on_order_completed()
        self._charge_book()

    def write(self, vals):
        result = super().write(vals)
        # only a completed or voided order can have books to change (an open or abnormal one waits for its
        # outcome): the device listener's writes on running orders cost no query here
        settled = self.filtered(lambda o: o.state in ("completed", "voided")) if REBOOK_FIELDS & vals.keys() else ()
        if settled and settled.ids:
            self.env["account.move"].flush_model(["charge_order_id"])
            self.env.cr.execute(SQL("SELECT DISTINCT charge_order_id FROM account_move WHERE charge_order_id = ANY(%s)",
                                    settled.ids))
            booked = self.browse(row[0] for row in self.env.cr.fetchall())
            booked._charge_book()
        return result

    def _charge_book(self):
        """Flag the orders whose books must change; those of the companies
        posting per document are posted by the posting queue once this
        transaction commits (models/posting_queue.py), the others by the
        daily job. Never posts here: a device event never waits for a
        journal entry."""
        orders = self.sudo().filtered(lambda o: o._charge_next_step(check=False) is not None)
        if not orders:
            return
        orders.write({"charge_post_pending": True})
        if any(company.charge_posting_mode == "document" for company in orders.company_id):
            self.env["charge.wallet.transaction"]._charge_trigger_queue()

    # What to book -------------------------------------------------------------------------

    def _charge_fee_amounts(self):
        """{component: Decimal} of the order's fee components; they must add up to its total."""
        self.ensure_one()
        digits = self.company_id.currency_id.decimal_places
        amounts = {name: Decimal(str(self[f"amount_{name}"] or 0)).quantize(Decimal(1).scaleb(-digits))
                   for name in COMPONENTS}
        total = Decimal(str(self.amount_total or 0)).quantize(Decimal(1).scaleb(-digits))
        if sum(amounts.values()) != total:
            raise UserError(self.env._(
                "Order %(order)s cannot be posted: its fee components add up to %(components)s, not to its "
                "total %(total)s.", order=self.name, components=sum(amounts.values()), total=total))
        return amounts

    def _charge_components(self, company, cache, sign=1):
        """The order's fee components, times ``sign`` (-1 for a reversal), each
        split into revenue and output tax (shared with the wallet payment lines)."""
        self.ensure_one()
        return self._charge_split(company, {name: sign * amount for name, amount in self._charge_fee_amounts().items()},
                                  cache)

    @api.model
    def _charge_split(self, company, amounts, cache):
        """The :class:`~..tools.posting.Component` of each non-zero signed
        gross amount of ``amounts``; ``cache`` keeps the tax splits of a batch."""
        if "accounts" not in cache:  # read once per batch
            cache["accounts"] = company._charge_role_accounts()
        accounts = cache["accounts"]
        components = []
        for name in COMPONENTS:
            amount = amounts.get(name)
            if not amount:
                continue
            tax = company[f"charge_tax_{name}_id"]
            key = (name, tax.id, amount)
            if key not in cache:
                cache[key] = tax._charge_component(name, amount, company, accounts[f"revenue_{name}"])
            components.append(cache[key])
        return tuple(components)

    def _charge_wallet_paid(self):
        """True when a wallet payment line of the order books its revenue."""
        return any(line.type == "payment" for line in self.sudo().wallet_transaction_ids)

    def _charge_next_step(self, check=True):
        """What the books of the order need now: None, ("revenue", amounts),
        ("adjustment", differences) or ("reversal", entries to reverse).
        ``check=False`` only tells whether something is needed (no error)."""
        self.ensure_one()
        moves = self.sudo().charge_move_ids.filtered(lambda m: m.state == "posted")
        final = self.state == "completed" and not self.occupancy_open
        if not moves:
            if not final or self.payment_state not in ("none", "unpaid", "on_card") or self._charge_wallet_paid():
                return None
            if not check:
                return ("revenue", None) if self.amount_total or any(self[f"amount_{n}"] for n in COMPONENTS) else None
            amounts = self._charge_fee_amounts()
            return ("revenue", amounts) if any(amounts.values()) else None
        if self.state == "voided" or self.payment_state == "reversed":
            target = {}
        elif final:
            try:
                target = self._charge_fee_amounts()
            except UserError:
                if not check:
                    return ("adjustment", None)
                raise
        else:
            return None  # abnormal again, or waiting for the gun: the books wait for the outcome
        difference = posting.component_difference(moves._charge_booked_amounts(), target)
        if not difference:
            return None
        if not any(target.values()):
            return ("reversal", moves.filtered(lambda m: m.charge_order_kind != "reversal" and not any(
                r.state == "posted" for r in m.reversal_move_ids)))
        return ("adjustment", difference)

    def _charge_debit(self):
        """(role, partner) of the debit side of the order's entries: the
        stored-value card liability, or the receivable of whoever owes."""
        self.ensure_one()
        if self.payment_state == "on_card" or self.card_id.card_type == "stored_value" and not self.wallet_id:
            return "card_liability", self.card_id.partner_id or self.partner_id
        return "order_receivable", self._charge_receivable_partner()

    def _charge_receivable_partner(self):
        """Who owes an order no wallet paid: the paying wallet's owner (the
        member, or the group's contact), else the customer, else the holder
        partner of the pile's id tag, else the company's walk-in customer."""
        self.ensure_one()
        wallet = self.wallet_id.sudo()
        if wallet:
            return wallet.partner_id or wallet.group_id.partner_id
        if self.partner_id:
            return self.partner_id
        if self.id_tag:
            tag = self.env["charge.pile.id.tag"].sudo().with_context(active_test=False).search(
                [("pile_id", "=", self.pile_id.id), ("tag", "=", self.id_tag), ("partner_id", "!=", False)], limit=1)
            if tag:
                return tag.partner_id
        return self.company_id._charge_walkin_partner()

    # Posting ------------------------------------------------------------------------------

    def _charge_post_orders(self):
        """Post what each order needs, each on a savepoint of its own: an
        order that cannot be posted stays pending with its error, and
        neither the others nor the caller (a device event) fail for it."""
        moves = self.env["account.move"]
        to_notify = self.env["res.company"]  # a failure, or an error cleared: the accountants' activity changes
        for order in self.sudo():
            company = order.company_id
            if not company._charge_finance_ready():
                continue  # kept pending: posted once the company's wallet accounting is configured
            if order.charge_posting_error:
                to_notify |= company
            try:
                with self.env.cr.savepoint():
                    moves |= order._charge_post_order()
            except RETRY_ERRORS:
                raise
            except Exception as error:  # noqa: BLE001 - any posting error leaves the order pending
                message = str(error.args[0]) if isinstance(error, UserError) and error.args else str(error)
                _logger.warning("Order %s could not be posted: %s", order.name, message)
                order.write({"charge_post_pending": True, "charge_posting_error": message})
                to_notify |= company
        for company in to_notify:
            try:
                with self.env.cr.savepoint():
                    self.env["charge.wallet.transaction"]._charge_notify_failures(company)
            except RETRY_ERRORS:
                raise
            except Exception:  # noqa: BLE001 - telling the accountants never stops the posting either
                _logger.exception("The posting failures of company %s could not be notified.", company.name)
        return moves

    def _charge_lock(self):
        """Lock the order rows until the end of the transaction (and read them again)."""
        self.env.cr.execute(SQL("SELECT id FROM charge_order WHERE id = ANY(%s) ORDER BY id FOR UPDATE", self.ids))
        self.invalidate_recordset()
        self.env["account.move"].invalidate_model(["charge_order_id", "state", "charge_order_amounts"])

    def _charge_post_order(self):
        """Lock the order and make the entry its books need (superuser)."""
        self.ensure_one()
        self._charge_lock()
        step = self._charge_next_step()
        moves = self.env["account.move"]
        if step:
            kind, data = step
            company = self.company_id
            env = company._charge_in_operator_lang(self).env
            tz = company._charge_tz()
            if kind == "reversal":
                moves = data._charge_reverse_order_entries(
                    self, local_date(fields.Datetime.now(), tz), env._("Reversal of order %s", self.name))
            else:
                day = local_date(self.stop_date or fields.Datetime.now(), tz) if kind == "revenue" \
                    else local_date(fields.Datetime.now(), tz)
                ref = self.name if kind == "revenue" else env._("Adjustment of order %s", self.name)
                moves = self.env["account.move"]._charge_create_order_entry(
                    self, kind, day, ref, self._charge_entry_lines(data), data)
            moves.line_ids._charge_reconcile_orders()
        self.write({"charge_post_pending": False, "charge_posting_error": False})
        return moves

    def _charge_entry_lines(self, amounts):
        """The LineSpecs booking the signed gross ``amounts`` per component."""
        company = self.company_id
        role, partner = self._charge_debit()
        components = self._charge_split(company, amounts, {})
        try:
            return posting.order_lines(role, components, partner.id or None,
                                       key=self.id if role == "order_receivable" else None)
        except PostingError as error:
            raise UserError(self.env._("Order %(order)s cannot be posted (%(reason)s).", order=self.name,
                                       reason=f"{error.code}: {error.params}")) from error

    def _charge_revenue_booked(self):
        """Lock the order and tell whether its own entry booked its revenue
        (its wallet payments then settle the receivable)."""
        self.ensure_one()
        self._charge_lock()
        self.env.cr.execute(SQL("""
            SELECT 1 FROM account_move
             WHERE charge_order_id = %s AND charge_order_kind = 'revenue' AND state = 'posted' LIMIT 1
        """, self.id))
        return bool(self.env.cr.fetchone())

    def _charge_revenue_booked_ids(self):
        """Lock the orders and return the ids of those whose own entry booked
        their revenue (``_charge_revenue_booked`` for a batch)."""
        if not self:
            return set()
        self._charge_lock()
        self.env["account.move"].flush_model(["charge_order_id", "charge_order_kind", "state"])
        self.env.cr.execute(SQL("""
            SELECT DISTINCT charge_order_id FROM account_move
             WHERE charge_order_id = ANY(%s) AND charge_order_kind = 'revenue' AND state = 'posted'
        """, self.ids))
        return {row[0] for row in self.env.cr.fetchall()}

    # Jobs ---------------------------------------------------------------------------------

    @api.model
    def _charge_post_pending_orders(self, companies, up_to=None):
        """Post the pending orders of ``companies``: in daily mode those that
        ended before today (before ``up_to`` when given), in document mode
        all of them (orders an error or a missing configuration held back)."""
        moves = self.env["account.move"]
        for company in companies:
            if not company._charge_finance_ready():
                continue
            domain = [("company_id", "=", company.id), ("charge_post_pending", "=", True)]
            if company.charge_posting_mode == "daily":
                tz = company._charge_tz()
                before = up_to or local_midnight_utc(local_date(fields.Datetime.now(), tz), tz)
                domain += ["|", ("stop_date", "<", before), ("stop_date", "=", False)]
            moves |= self.sudo().search(domain, order="stop_date, id")._charge_post_orders()
        return moves
