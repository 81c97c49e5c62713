"""Wallet arithmetic, without the ORM.

A wallet holds three buckets of money:

- *withdrawable* cash: recharged and paid for, the member may take it out;
- *on-account* cash: recharged on account (the member pays the operator
  later) or credited by an adjustment; it cannot be withdrawn, and it is
  the bucket that goes negative when the member charges on credit;
- *gift* money: bonuses, never withdrawable, never negative.

Every change of a wallet is a :class:`Movement` of the three buckets; a
wallet's :class:`Balance` is the sum of its movements. The functions here
decide the movement of a payment (which bucket pays first), of an
adjustment and of a reversal, and check the invariants; the models only
store the movements they return.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from odoo.addons.charge_base.tools.coded_error import CodedError

ZERO = Decimal("0")
CASH_FIRST = "cash"
GIFT_FIRST = "gift"
PRIORITIES = (CASH_FIRST, GIFT_FIRST)

ERROR_CODES = ("negative", "zero", "digits", "insufficient", "withdrawable_negative", "gift_negative",
               "cash_short", "priority", "not_withdrawable")


class WalletError(CodedError):
    """A movement the wallet refuses; ``code`` is one of :data:`ERROR_CODES`."""

    def __init__(self, code, **params):
        super().__init__(code, f"{code}: {params}", **params)


def money(value, digits=2):
    """``value`` as a Decimal of ``digits`` decimals; more decimals are an error, not a rounding."""
    amount = Decimal(str(value))
    quantum = Decimal(1).scaleb(-digits)
    if amount != amount.quantize(quantum, rounding=ROUND_HALF_UP):
        raise WalletError("digits", amount=str(amount), digits=digits)
    return amount.quantize(quantum)


@dataclass(frozen=True)
class Buckets:
    """An amount in each bucket."""
    withdrawable: Decimal = ZERO
    on_account: Decimal = ZERO
    gift: Decimal = ZERO

    @property
    def cash(self):
        return self.withdrawable + self.on_account

    @property
    def total(self):
        return self.cash + self.gift


@dataclass(frozen=True)
class Movement(Buckets):
    """Signed change of each bucket."""

    def __neg__(self):
        return Movement(-self.withdrawable, -self.on_account, -self.gift)

    def __add__(self, other):
        return Movement(self.withdrawable + other.withdrawable, self.on_account + other.on_account,
                        self.gift + other.gift)

    @property
    def is_zero(self):
        return not (self.withdrawable or self.on_account or self.gift)


@dataclass(frozen=True)
class Balance(Buckets):
    """What a wallet holds: the sum of its movements."""

    def available(self, credit_limit=ZERO):
        """What may still be spent: the balance plus the credit limit."""
        return self.total + Decimal(str(credit_limit))

    def apply(self, movement):
        """The balance after ``movement``; refuses to leave a bucket below its floor."""
        after = Balance(self.withdrawable + movement.withdrawable, self.on_account + movement.on_account,
                        self.gift + movement.gift)
        if after.withdrawable < 0:
            raise WalletError("withdrawable_negative", amount=str(after.withdrawable))
        if after.gift < 0:
            raise WalletError("gift_negative", amount=str(after.gift))
        return after

    @classmethod
    def of(cls, movements):
        """The balance made of ``movements``."""
        total = Movement()
        for movement in movements:
            total = total + movement
        return cls(total.withdrawable, total.on_account, total.gift)


def _positive(amount):
    amount = Decimal(str(amount))
    if amount < 0:
        raise WalletError("negative", amount=str(amount))
    if amount == 0:
        raise WalletError("zero")
    return amount


def recharge(amount, on_account=False):
    """Money paid in (withdrawable) or recharged on account (not withdrawable)."""
    amount = _positive(amount)
    return Movement(on_account=amount) if on_account else Movement(withdrawable=amount)


def cash_out(balance, amount, on_account=False):
    """Cash leaving the wallet (a recharge refunded, a withdrawal): the
    withdrawable cash, then, with ``on_account``, what the on-account bucket
    holds above zero; never gift money, never on credit."""
    amount = _positive(amount)
    from_account = max(balance.on_account, ZERO) if on_account else ZERO
    if amount > balance.withdrawable + from_account:
        raise WalletError("not_withdrawable", amount=str(amount), available=str(balance.withdrawable + from_account))
    from_withdrawable = min(amount, balance.withdrawable)
    return Movement(withdrawable=-from_withdrawable, on_account=-(amount - from_withdrawable))


def gift(amount):
    return Movement(gift=_positive(amount))


def payment(balance, amount, credit_limit=ZERO, priority=CASH_FIRST):
    """The movement paying ``amount`` out of ``balance``.

    With ``priority`` cash, positive on-account money pays first (it cannot be
    withdrawn, so the member keeps the money they could take out), then the
    withdrawable cash, then the gift; with gift, the gift pays first. What is
    still due is charged on credit: the on-account bucket goes negative, down
    to ``-credit_limit`` at most. A payment the balance and the credit limit
    together do not cover is refused whole (``insufficient``): an order is
    paid in full or not at all.
    """
    if priority not in PRIORITIES:
        raise WalletError("priority", priority=priority)
    amount = Decimal(str(amount))
    if amount < 0:
        raise WalletError("negative", amount=str(amount))
    if amount > balance.available(credit_limit):
        raise WalletError("insufficient", amount=str(amount),
                          available=str(balance.available(credit_limit)))
    due = amount
    taken = {"withdrawable": ZERO, "on_account": ZERO, "gift": ZERO}
    cash_order = (("on_account", max(balance.on_account, ZERO)), ("withdrawable", balance.withdrawable))
    gift_order = (("gift", balance.gift),)
    order = cash_order + gift_order if priority == CASH_FIRST else gift_order + cash_order
    for bucket, held in order:
        part = min(due, max(held, ZERO))
        taken[bucket] += part
        due -= part
    taken["on_account"] += due  # the rest on credit
    return Movement(-taken["withdrawable"], -taken["on_account"], -taken["gift"])


def adjustment(balance, amount, bucket="cash", credit_limit=ZERO):
    """A clerk's signed correction of the cash (or the gift) balance.

    A cash credit is on-account money (an operator's gesture is not money the
    member paid in); a cash debit takes the positive on-account money first,
    then the withdrawable cash, then puts the on-account bucket in debt. It
    never leaves a bucket below its floor: the withdrawable cash and the gift
    never below zero, the on-account cash never below ``-credit_limit``. So a
    cash debit is at most ``withdrawable + on_account + credit_limit``: a debt
    already on account is not money the wallet can give (``cash_short``).
    """
    amount = Decimal(str(amount))
    credit_limit = Decimal(str(credit_limit))
    if amount == 0:
        raise WalletError("zero")
    if bucket == "gift":
        movement = Movement(gift=amount)
        balance.apply(movement)
        return movement
    if amount > 0:
        return Movement(on_account=amount)
    due = -amount
    room = max(balance.withdrawable + balance.on_account + credit_limit, ZERO)
    if due > room:
        raise WalletError("cash_short", amount=str(due), cash=str(room))
    from_account = min(due, max(balance.on_account, ZERO))
    from_withdrawable = min(due - from_account, balance.withdrawable)
    on_credit = due - from_account - from_withdrawable
    return Movement(withdrawable=-from_withdrawable, on_account=-(from_account + on_credit))


def reversal(paid):
    """The movement that gives back exactly what ``paid`` (a payment movement) took."""
    return -paid


def repricing_refund(paid, amount, priority=CASH_FIRST):
    """The movement giving back what an order's payment ``paid`` (its net
    payment movement, negative) took beyond ``amount``, the order's new and
    lower price.

    The payment keeps what the payment rule would have taken for ``amount``
    out of the very buckets it took from, with the same ``priority``: the
    buckets it took from last are given back first (with cash first, the
    gift, then the withdrawable cash, then the on-account cash; with gift
    first, the other way round). So gift money never comes back as
    withdrawable cash, and a later full reversal (:func:`reversal` of the net
    payment) gives back exactly what is still paid.
    """
    taken = Balance(-paid.withdrawable, -paid.on_account, -paid.gift)
    amount = Decimal(str(amount))
    if amount < 0:
        raise WalletError("negative", amount=str(amount))
    if amount >= taken.total:
        raise WalletError("insufficient", amount=str(amount), available=str(taken.total))
    kept = payment(taken, amount, ZERO, priority)
    return kept + -paid


def fee(balance, amount, credit_limit=ZERO):
    """A fee (a card's) taken from the cash like a payment; gift money pays for charging only."""
    cash_only = Balance(balance.withdrawable, balance.on_account, ZERO)
    return payment(cash_only, _positive(amount), credit_limit, CASH_FIRST)
