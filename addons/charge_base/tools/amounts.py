"""Amounts of money typed by a user, checked before anything uses them.

An amount a clerk enters (a recharge, an adjustment, a prepaid amount, the
figures of a handled order) is taken as typed: more decimals than the
currency has is an error, never a rounding (0.005 is not 0.01, 1234.567 is
not 1234.57); a sign that makes no sense is an error; and no single operation
may move more than the company's maximum per operation (a typo of a few
zeros is refused, not booked).
"""
from decimal import Decimal, InvalidOperation, localcontext

from .coded_error import CodedError

POSITIVE = "positive"          # > 0: a recharge, a fee
NOT_NEGATIVE = "not_negative"  # >= 0: an adjusted order figure, an optional prepaid amount
NOT_ZERO = "not_zero"          # signed, not 0: an adjustment
SIGNS = (POSITIVE, NOT_NEGATIVE, NOT_ZERO)

ERROR_CODES = ("number", "digits", "not_positive", "negative", "zero", "maximum")


class AmountError(CodedError):
    """An entered amount refused; ``code`` is one of :data:`ERROR_CODES`."""

    def __init__(self, code, **params):
        super().__init__(code, f"{code}: {params}", **params)


def entered_amount(value, digits=2, sign=POSITIVE, maximum=None):
    """``value`` as an exact Decimal of ``digits`` decimals, or an AmountError.

    ``sign`` is one of :data:`SIGNS`; ``maximum`` (when given, > 0) bounds the
    absolute value. Floats are read through their shortest text form, so
    0.1 is 0.1 and 0.005 is 0.005.
    """
    if sign not in SIGNS:
        raise ValueError(f"unknown sign rule {sign!r}")
    try:
        amount = Decimal(str(value if value is not None else 0))
    except InvalidOperation:
        raise AmountError("number", amount=str(value)) from None
    if not amount.is_finite():
        raise AmountError("number", amount=str(value))
    if amount and -amount.normalize().as_tuple().exponent > digits:
        raise AmountError("digits", amount=str(amount), digits=digits)
    quantum = Decimal(1).scaleb(-digits)
    with localcontext() as context:
        context.prec = max(context.prec, amount.adjusted() + digits + 2)
        amount = amount.quantize(quantum)
    if sign == POSITIVE and amount <= 0:
        raise AmountError("not_positive", amount=str(amount))
    if sign == NOT_NEGATIVE and amount < 0:
        raise AmountError("negative", amount=str(amount))
    if sign == NOT_ZERO and amount == 0:
        raise AmountError("zero")
    if maximum is not None:
        limit = Decimal(str(maximum))
        if abs(amount) > limit:
            raise AmountError("maximum", amount=str(amount), maximum=str(limit.quantize(quantum)))
    return amount
