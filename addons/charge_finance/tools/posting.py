"""Journal entries of wallet ledger lines, without the ORM.

A wallet ledger line (``charge.wallet.transaction``) moves money between
the three buckets of a wallet (withdrawable cash, on-account cash, gift).
This module turns such a movement, described by a :class:`Fact`, into the
lines of a balanced journal entry, each a :class:`LineSpec` keyed by an
account *role* (``cash_liability``, ``revenue_service``, ``tax_service``,
``receivable``...). The models map the roles to the company's accounts and
create the ``account.move``.

The rule behind every entry: the wallet liability accounts move exactly as
the wallets do (a wallet credit is a liability credit), so that their
balances always equal the sum of the wallet balances; only the other side
depends on the kind of movement:

========== ==================================================================
kind       counterpart of the liability lines
========== ==================================================================
recharge   withdrawable: recharge clearing (the provider's, online); on-account: the owner's receivable
gift       marketing expense
payment    revenue per fee component, net of tax, and the output tax
reversal   the same as the payment it reverses, with the opposite sign
refund     like a reversal: revenue and tax given back, per fee component
recharge_refund  withdrawable cash paid back: the (provider's) clearing
withdrawal withdrawals payable (the payout, net of the fee, is an entry of its own)
adjustment cash: the adjustment account; gift: marketing expense
card_fee   card fee revenue
========== ==================================================================

A payment (or its reversal) of an order whose revenue was already booked by
the order's own entry settles the order's receivable instead
(``Fact.settles``). Orders no wallet paid are booked by :func:`order_lines`
(a receivable or the stored-value card liability against revenue and tax),
stored-value card loads by :func:`card_load_lines`.

Amounts are :class:`~decimal.Decimal`; a line's ``amount`` is signed like an
accounting balance: positive is a debit, negative a credit. Fee components
are signed in the direction of revenue: positive for a payment, negative
for a reversal. Tax keys and revenue keys are opaque to this module (the
models put account, repartition line, taxes and tags in them); lines with
the same role, partner and key are merged by :func:`summarize`.
"""
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0")
KINDS = ("recharge", "gift", "payment", "reversal", "adjustment", "card_fee", "refund", "recharge_refund",
         "withdrawal")
COMPONENTS = ("electricity", "service", "reservation", "occupancy")
LIABILITY_ROLES = ("cash_liability", "gift_liability")
ROLES = LIABILITY_ROLES + (
    "clearing", "receivable", "marketing_expense", "adjustment", "card_fee", "order_receivable", "card_liability",
    "withdrawal_payable", "withdrawal_fee",
    *(f"revenue_{name}" for name in COMPONENTS), *(f"tax_{name}" for name in COMPONENTS),
)
# roles whose lines keep their partner in a daily summary entry: the
# receivable must stay per customer; everything else is summed per account
SUMMARY_PARTNER_ROLES = frozenset({"receivable", "order_receivable"})

ERROR_CODES = ("kind", "bucket", "sign", "components", "component", "unbalanced")


class PostingError(ValueError):
    """A fact that cannot make a balanced entry; ``code`` is one of :data:`ERROR_CODES`."""

    def __init__(self, code, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class TaxPart:
    """The output tax of a fee component on one tax repartition line."""
    key: object
    amount: Decimal
    base: Decimal


@dataclass(frozen=True)
class Component:
    """A fee component of an order: its price-included amount (``gross``),
    split into the revenue (``net``) and the taxes on it."""
    name: str
    gross: Decimal
    net: Decimal
    key: object = None
    taxes: tuple = ()

    def check(self):
        if self.name not in COMPONENTS:
            raise PostingError("component", component=self.name)
        taxes = sum((tax.amount for tax in self.taxes), ZERO)
        if self.net + taxes != self.gross:
            raise PostingError("component", component=self.name, gross=str(self.gross), net=str(self.net),
                               taxes=str(taxes))


@dataclass(frozen=True)
class Fact:
    """What a ledger line did: its kind, the signed movement of each bucket,
    the wallet owner (any hashable, None for a group without contact) and,
    for payments and reversals, the order's fee components. ``settles`` (an
    order's key) marks a payment or reversal of an order whose revenue its
    own entry booked on a receivable: the line settles (or reopens) that
    receivable instead of booking revenue again. ``clearing`` (an opaque
    key: the models put an account in it) is where a paid recharge's money
    waits, when not the company's recharge clearing: an online recharge's
    payment provider has its own."""
    kind: str
    withdrawable: Decimal = ZERO
    on_account: Decimal = ZERO
    gift: Decimal = ZERO
    partner: object = None
    components: tuple = ()
    settles: object = None
    clearing: object = None

    @property
    def cash(self):
        return self.withdrawable + self.on_account

    @property
    def total(self):
        return self.cash + self.gift


@dataclass(frozen=True)
class LineSpec:
    """A journal item: an account role, a signed amount (debit positive), the
    partner, the opaque key (taxes of a revenue line, repartition of a tax
    line) and, for a tax line, the signed base it was computed on."""
    role: str
    amount: Decimal
    partner: object = None
    key: object = None
    tax_base: Decimal = ZERO


def _recharge(fact):
    if fact.gift:
        raise PostingError("bucket", kind=fact.kind, bucket="gift")
    return [LineSpec("clearing", fact.withdrawable, fact.partner, fact.clearing),
            LineSpec("receivable", fact.on_account, fact.partner)]


def _recharge_refund(fact):
    """Withdrawable cash paid back out of the wallet (negative; positive when
    a failed refund puts it back): the clearing account it was received on."""
    if fact.gift or fact.on_account:
        raise PostingError("bucket", kind=fact.kind, bucket="gift" if fact.gift else "on_account")
    return [LineSpec("clearing", fact.withdrawable, fact.partner, fact.clearing)]


def _withdrawal(fact):
    """Cash asked for (negative), or given back by a cancelled request
    (positive): what the operator owes the member until it pays it out."""
    if fact.gift:
        raise PostingError("bucket", kind=fact.kind, bucket="gift")
    return [LineSpec("withdrawal_payable", fact.cash, fact.partner)]


def _gift(fact):
    if fact.cash:
        raise PostingError("bucket", kind=fact.kind, bucket="cash")
    return [LineSpec("marketing_expense", fact.gift, fact.partner)]


def _sale(fact):
    """Revenue and output tax of a payment (components positive) or of a
    reversal (components negative): together they balance the movement; a
    payment of an order already booked on a receivable credits it instead."""
    expected = 1 if fact.kind == "payment" else -1
    if fact.total * -expected <= 0:
        raise PostingError("sign", kind=fact.kind, amount=str(fact.total))
    if fact.settles is not None:
        return [LineSpec("order_receivable", fact.total, fact.partner, fact.settles)]
    gross = sum((component.gross for component in fact.components), ZERO)
    if gross != -fact.total:
        raise PostingError("components", amount=str(-fact.total * expected), components=str(gross * expected))
    return component_lines(fact.components, fact.partner)


def component_lines(components, partner=None):
    """The revenue lines (net of tax) and output tax lines of ``components``,
    credits for positive components, debits for negative ones."""
    lines = []
    for component in components:
        component.check()
        lines.append(LineSpec(f"revenue_{component.name}", -component.net, partner, component.key))
        lines.extend(LineSpec(f"tax_{component.name}", -tax.amount, partner, tax.key, -tax.base)
                     for tax in component.taxes)
    return lines


def _adjustment(fact):
    return [LineSpec("adjustment", fact.cash, fact.partner),
            LineSpec("marketing_expense", fact.gift, fact.partner)]


def _card_fee(fact):
    return [LineSpec("card_fee", fact.total, fact.partner)]


COUNTERPARTS = {
    "recharge": _recharge,
    "gift": _gift,
    "payment": _sale,
    "reversal": _sale,
    "adjustment": _adjustment,
    "card_fee": _card_fee,
    "refund": _sale,
    "recharge_refund": _recharge_refund,
    "withdrawal": _withdrawal,
}


def check_balanced(lines):
    """Raise unless ``lines`` sum to zero."""
    total = sum((line.amount for line in lines), ZERO)
    if total:
        raise PostingError("unbalanced", difference=str(total))
    return lines


def entry_lines(fact):
    """The lines of the journal entry of one ledger line, zero lines left out."""
    if fact.kind not in COUNTERPARTS:
        raise PostingError("kind", kind=fact.kind)
    lines = [LineSpec("cash_liability", -fact.cash, fact.partner),
             LineSpec("gift_liability", -fact.gift, fact.partner)]
    lines += COUNTERPARTS[fact.kind](fact)
    return check_balanced([line for line in lines if line.amount])


def order_lines(debit_role, components, partner=None, key=None):
    """The lines of the entry booking an order's revenue (or a change of it)
    that no wallet paid: ``debit_role`` (``order_receivable`` or
    ``card_liability``) takes the gross amount, revenue and tax the rest.
    Negative components (a reduced price) make the opposite entry."""
    if debit_role not in ("order_receivable", "card_liability"):
        raise PostingError("kind", kind=debit_role)
    gross = sum((component.gross for component in components), ZERO)
    lines = [LineSpec(debit_role, gross, partner, key)] + component_lines(components, partner)
    return check_balanced([line for line in lines if line.amount])


def card_load_lines(amount, partner=None):
    """A stored-value card sold or topped up at the counter: the money
    received (recharge clearing) against the card liability."""
    if amount <= 0:
        raise PostingError("sign", kind="card_load", amount=str(amount))
    return [LineSpec("clearing", amount, partner), LineSpec("card_liability", -amount, partner)]


def withdrawal_payout_lines(amount, fee, partner=None, clearing=None):
    """A withdrawal paid out: what was owed (``amount``) leaves the
    withdrawals payable; the money paid (``amount - fee``) leaves the
    clearing account it is paid from (``clearing``: an account key, or the
    company's), the fee is revenue."""
    if amount <= 0 or fee < 0 or fee >= amount:
        raise PostingError("sign", kind="withdrawal_payout", amount=str(amount), fee=str(fee))
    return check_balanced([line for line in (
        LineSpec("withdrawal_payable", amount, partner), LineSpec("clearing", -(amount - fee), partner, clearing),
        LineSpec("withdrawal_fee", -fee, partner)) if line.amount])


def component_difference(booked, target):
    """{component: target - booked} of the components whose amount changed;
    ``booked`` and ``target`` map component names to Decimals (missing is 0)."""
    names = [name for name in COMPONENTS if name in booked or name in target]
    difference = {name: target.get(name, ZERO) - booked.get(name, ZERO) for name in names}
    return {name: amount for name, amount in difference.items() if amount}


def summarize(lines, partner_roles=SUMMARY_PARTNER_ROLES):
    """Merge ``lines`` by role, key and (for ``partner_roles`` only) partner,
    in the order they first appear; merged lines that cancel out are left out."""
    merged = {}
    for line in lines:
        partner = line.partner if line.role in partner_roles else None
        group = (line.role, partner, line.key)
        if group in merged:
            amount, tax_base = merged[group]
            merged[group] = (amount + line.amount, tax_base + line.tax_base)
        else:
            merged[group] = (line.amount, line.tax_base)
    return check_balanced([LineSpec(role, amount, partner, key, tax_base)
                           for (role, partner, key), (amount, tax_base) in merged.items() if amount])


def summary_lines(facts, partner_roles=SUMMARY_PARTNER_ROLES):
    """The lines of one summary entry for many ledger lines."""
    return summarize((line for fact in facts for line in entry_lines(fact)), partner_roles)


def role_totals(lines):
    """{role: signed total} of ``lines``, roles without amount left out."""
    totals = {}
    for line in lines:
        totals[line.role] = totals.get(line.role, ZERO) + line.amount
    return {role: amount for role, amount in totals.items() if amount}


def merge_tax_lines(lines):
    """``lines`` with the tax lines of the same key (account, repartition
    line, tags, taxes) and partner merged into one, at the place of the
    first, amounts and bases added up (the output tax of two fee components
    taxed alike is one journal item, as Odoo makes one tax item per tax of
    an invoice); other lines are kept as they are."""
    merged = {}
    result = []
    for line in lines:
        if not line.role.startswith("tax_"):
            result.append(line)
            continue
        group = (line.key, line.partner)
        if group in merged:
            index = merged[group]
            first = result[index]
            result[index] = LineSpec(first.role, first.amount + line.amount, first.partner, first.key,
                                     first.tax_base + line.tax_base)
        else:
            merged[group] = len(result)
            result.append(line)
    return [line for line in result if line.amount or not line.role.startswith("tax_")]


def scale(lines, count):
    """``lines`` (of one entry) times ``count``: the lines of ``count`` entries alike."""
    return [LineSpec(line.role, line.amount * count, line.partner, line.key, line.tax_base * count) for line in lines]
