from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.charge_billing.models import row_insert

from ..tools.wallet_math import Movement, WalletError
from .member_messages import wallet_error

TRANSACTION_TYPES = [
    ("recharge", "Recharge"),
    ("gift", "Gift"),
    ("payment", "Order Payment"),
    ("reversal", "Order Reversal"),
    ("adjustment", "Adjustment"),
    ("card_fee", "Card Fee"),
    ("refund", "Order Refund"),
    ("recharge_refund", "Recharge Refund"),
    ("withdrawal", "Withdrawal"),
]
BUCKETS = ("withdrawable", "on_account", "gift")
# the fee components of an order (charge.order's amount_<component> fields)
FEE_COMPONENTS = ("electricity", "service", "reservation", "occupancy")
PAID_HELP = ("What this line pays of the order's fee component: positive for a payment, negative for what a "
             "reversal or a re-pricing gives back.")


class ChargeWalletTransaction(models.Model):
    """A line of a wallet's ledger. Lines are only ever added, by the
    wallet's own methods, each with the balances after it; nobody can change
    or delete one, not even an administrator: a mistake is corrected by a
    new line (an adjustment or a reversal)."""
    _name = "charge.wallet.transaction"
    _description = "Wallet Ledger Line"
    _order = "id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "reference", "partner_id.name", "group_id.name"]

    name = fields.Char(string="Number", required=True, readonly=True, copy=False, default="/", index="trigram")
    wallet_id = fields.Many2one("charge.wallet", string="Wallet", required=True, readonly=True, index=True,
                                ondelete="restrict")
    company_id = fields.Many2one(related="wallet_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id")
    partner_id = fields.Many2one(related="wallet_id.partner_id", store=True, string="Member", index=True)
    group_id = fields.Many2one(related="wallet_id.group_id", store=True, string="Group", index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    type = fields.Selection(TRANSACTION_TYPES, required=True, readonly=True, index=True)
    withdrawable_amount = fields.Monetary(string="Withdrawable Cash", readonly=True)
    on_account_amount = fields.Monetary(string="On-Account Cash", readonly=True)
    gift_amount = fields.Monetary(string="Gift", readonly=True)
    cash_amount = fields.Monetary(string="Cash", compute="_compute_totals", store=True, precompute=True)
    amount = fields.Monetary(string="Amount", compute="_compute_totals", store=True, precompute=True)
    withdrawable_after = fields.Monetary(string="Withdrawable After", readonly=True)
    on_account_after = fields.Monetary(string="On-Account After", readonly=True)
    gift_after = fields.Monetary(string="Gift After", readonly=True)
    cash_after = fields.Monetary(string="Cash After", readonly=True)
    balance_after = fields.Monetary(string="Balance After", readonly=True)
    order_id = fields.Many2one("charge.order", string="Charging Order", readonly=True, index=True,
                               ondelete="restrict")
    card_id = fields.Many2one("charge.card", string="Card", readonly=True, index=True, ondelete="restrict")
    reversal_of_id = fields.Many2one("charge.wallet.transaction", string="Reverses", readonly=True,
                                     ondelete="restrict")
    # the order's fee components this line pays: together they come to the line's amount, sign reversed
    paid_electricity = fields.Monetary(string="Electricity Paid", readonly=True, help=PAID_HELP)
    paid_service = fields.Monetary(string="Service Paid", readonly=True, help=PAID_HELP)
    paid_reservation = fields.Monetary(string="Reservation Fee Paid", readonly=True, help=PAID_HELP)
    paid_occupancy = fields.Monetary(string="Occupancy Fee Paid", readonly=True, help=PAID_HELP)
    user_id = fields.Many2one("res.users", string="Operator", readonly=True, default=lambda self: self.env.user)
    reference = fields.Char(readonly=True, help="The receipt, voucher or bank reference behind the movement.")
    note = fields.Text(readonly=True)

    # a wallet's ledger newest first (its list and form): without it the first page of a wallet walks the
    # whole ledger backwards on the primary key
    _wallet_ledger = models.Index("(wallet_id, id DESC)")

    @api.depends("withdrawable_amount", "on_account_amount", "gift_amount")
    def _compute_totals(self):
        for line in self:
            line.cash_amount = line.withdrawable_amount + line.on_account_amount
            line.amount = line.cash_amount + line.gift_amount

    def _movement(self):
        self.ensure_one()
        return Movement(*(self.wallet_id._decimal(self[f"{bucket}_amount"]) for bucket in BUCKETS))

    def _charge_paid_components(self):
        """{component: Decimal} the fee components of its order this payment or
        reversal line pays, signed as revenue (positive for a payment), or
        None for a line written before lines recorded them."""
        self.ensure_one()
        amounts = {name: self.wallet_id._decimal(self[f"paid_{name}"]) for name in FEE_COMPONENTS}
        return amounts if any(amounts.values()) else None

    @api.model_create_multi
    def create(self, vals_list):
        """Lines written directly: their wallets are locked and their balances
        read from the ledger, then as ``_create_with_balances``."""
        wallets = self.env["charge.wallet"].browse({vals["wallet_id"] for vals in vals_list})
        wallets._lock()
        return self._create_with_balances(vals_list, wallets._balances())

    @api.model
    def _create_with_balances(self, vals_list, balances):
        """Write the lines, each with the balances after it, in the order
        given, starting from ``balances`` ({wallet id: Balance}) that the
        caller read under the wallets' lock (``charge.wallet._post`` does,
        and does not lock and sum again); a wallet missing from it is locked
        and read here. A line that would leave withdrawable cash or gift money
        below zero is refused. Every line is written here: extend this method,
        not ``create``, to act on new lines."""
        wallets = self.env["charge.wallet"].browse({vals["wallet_id"] for vals in vals_list})
        balances = {wallet_id: balances[wallet_id] for wallet_id in wallets.ids if wallet_id in balances}
        unknown = wallets.filtered(lambda wallet: wallet.id not in balances)
        if unknown:
            unknown._lock()
            balances.update(unknown._balances())
        names = self._next_names(vals_list, wallets)
        for vals in vals_list:
            wallet = wallets.browse(vals["wallet_id"])
            movement = Movement(*(wallet._decimal(vals.get(f"{bucket}_amount", 0)) for bucket in BUCKETS))
            if movement.is_zero:
                raise UserError(self.env._("A wallet ledger line moves money: this one moves none."))
            try:
                after = balances[wallet.id].apply(movement)
            except WalletError as error:
                raise wallet_error(self.env, error) from error
            balances[wallet.id] = after
            vals.update(withdrawable_after=after.withdrawable, on_account_after=after.on_account,
                        gift_after=after.gift, cash_after=after.cash, balance_after=after.total)
            if vals.get("name", "/") == "/":
                vals["name"] = names[wallet.company_id.id].pop(0)
        # the ORM's create itself (the lock and the balances are this method's), by one INSERT when it can
        lines = self._charge_insert(vals_list, wallets)
        if lines is None:
            lines = super().create(vals_list)
        lines.flush_recordset()
        return lines

    @api.model
    def _charge_insert(self, vals_list, wallets):
        """The lines ``vals_list`` (balances after them and numbers given) of
        ``wallets`` written by one INSERT (charge_billing's ``row_insert``),
        their related columns (company, member, group) and totals (cash,
        amount) written as the ORM computes them, every amount rounded in the
        wallet's currency. None when the model has stored fields this does not
        know (the caller then uses ``create``)."""
        rows, currencies = [], []
        for vals in vals_list:
            wallet = wallets.browse(vals["wallet_id"])
            currency = wallet.currency_id
            withdrawable, on_account, gift = (currency.round(float(vals.get(f"{bucket}_amount") or 0.0))
                                              for bucket in BUCKETS)
            cash = withdrawable + on_account  # as _compute_totals, on the values as the cache holds them
            rows.append(dict(vals, company_id=wallet.company_id.id, partner_id=wallet.partner_id.id,
                             group_id=wallet.group_id.id, cash_amount=cash, amount=cash + gift))
            currencies.append(currency)
        return row_insert.insert_rows(self, rows, currencies, allowed_modules=(__name__,))

    @api.model
    def _next_names(self, vals_list, wallets):
        """{company id: [numbers]} for the lines of ``vals_list`` without one,
        in order: the numbers a company's sequence gives, drawn together (one
        query) when it is a standard sequence without date ranges."""
        wanted = {}
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = wallets.browse(vals["wallet_id"]).company_id
                wanted[company] = wanted.get(company, 0) + 1
        names = {}
        for company, count in wanted.items():
            Sequence = self.env["ir.sequence"].with_company(company)
            sequence = Sequence.sudo().search([("code", "=", "charge.wallet.transaction"),
                                               ("company_id", "in", [company.id, False])], order="company_id", limit=1)
            if count == 1 or not sequence or sequence.implementation != "standard" or sequence.use_date_range:
                names[company.id] = [Sequence.next_by_code("charge.wallet.transaction") for _index in range(count)]
                continue
            self.env.cr.execute(SQL("SELECT nextval(%s) FROM generate_series(1, %s)",
                                    f"ir_sequence_{sequence.id:03d}", count))
            # fetched before reading the sequence's prefix (which may query the database on the same cursor)
            numbers = sorted(row[0] for row in self.env.cr.fetchall())
            prefix, suffix = sequence._get_prefix_suffix()
            names[company.id] = [f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in numbers]
        return names

    def write(self, vals):
        raise UserError(self.env._("Wallet ledger lines cannot be changed. Correct a mistake with an "
                                   "adjustment or a reversal."))

    @api.ondelete(at_uninstall=True)
    def _unlink_never(self):
        raise UserError(self.env._("Wallet ledger lines cannot be deleted."))
