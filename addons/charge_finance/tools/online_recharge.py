"""The rules of a company's online recharges, without the ORM.

A member recharging online picks one of the preset amounts (the buttons of
the recharge page, one of them selected by default) or types another one;
whatever the amount, it lies between the company's minimum and maximum.
Amounts are :class:`~decimal.Decimal` in the company's currency.
"""
from decimal import Decimal, InvalidOperation

ERROR_CODES = ("presets", "minimum", "maximum", "bounds", "default", "below", "above", "precision")


class RechargeRuleError(ValueError):
    """A setting or an amount the rules refuse; ``code`` is one of :data:`ERROR_CODES`."""

    def __init__(self, code, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


def parse_presets(text):
    """The preset amounts written as ``text`` ("50, 100, 200"; commas, the
    Chinese comma or spaces between them), in the order given, without
    repeats; an empty text has none."""
    amounts = []
    for word in (text or "").replace("，", ",").replace(",", " ").split():
        try:
            amount = Decimal(word)
        except InvalidOperation:
            raise RechargeRuleError("presets", value=word) from None
        if not amount.is_finite() or amount <= 0:
            raise RechargeRuleError("presets", value=word)
        if amount not in amounts:
            amounts.append(amount)
    return amounts


def check_settings(presets, default, minimum, maximum, digits=2):
    """Raise unless the settings hold together: a positive minimum, a maximum
    not below it, and the default and every preset between them."""
    if minimum <= 0:
        raise RechargeRuleError("minimum", minimum=minimum)
    if maximum < minimum:
        raise RechargeRuleError("bounds", minimum=minimum, maximum=maximum)
    for amount in presets:
        check_amount(amount, minimum, maximum, digits)
    if default:
        try:
            check_amount(default, minimum, maximum, digits)
        except RechargeRuleError as error:
            raise RechargeRuleError("default", default=default, minimum=minimum, maximum=maximum) from error


def check_amount(amount, minimum, maximum, digits=2):
    """Raise unless ``amount`` may be recharged: between ``minimum`` and
    ``maximum`` and with no more than ``digits`` decimals (what the currency
    can pay)."""
    if amount != amount.quantize(Decimal(1).scaleb(-digits)):
        raise RechargeRuleError("precision", amount=amount, digits=digits)
    if amount < minimum:
        raise RechargeRuleError("below", amount=amount, minimum=minimum)
    if amount > maximum:
        raise RechargeRuleError("above", amount=amount, maximum=maximum)
    return amount
