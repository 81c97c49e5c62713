"""The rules of members' withdrawals, without the ORM.

A member asks to withdraw an amount of cash; the company takes a fee (a rate
of the amount, rounded half-up to the cent) and pays the rest. A request is
refused below the company's minimum or when the company takes none. It is
processed automatically (a scheduled job pays it through the provider) when
the company allows it, the amount is within the single maximum for automatic
processing, and the member's automatic withdrawals of the day are below the
daily count; otherwise finance processes it by hand.
"""
from decimal import ROUND_HALF_UP, Decimal

ERROR_CODES = ("disabled", "minimum", "precision", "rate")


class WithdrawalRuleError(ValueError):
    def __init__(self, code, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


def fee(amount, rate, digits=2):
    """The fee of withdrawing ``amount`` at ``rate`` percent."""
    rate = Decimal(str(rate))
    if rate < 0 or rate >= 100:
        raise WithdrawalRuleError("rate", rate=rate)
    return (amount * rate / 100).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def check_request(amount, minimum, enabled=True, digits=2):
    """Raise unless ``amount`` may be asked for."""
    if not enabled:
        raise WithdrawalRuleError("disabled")
    if amount != amount.quantize(Decimal(1).scaleb(-digits)):
        raise WithdrawalRuleError("precision", amount=amount, digits=digits)
    if amount <= 0 or amount < minimum:
        raise WithdrawalRuleError("minimum", amount=amount, minimum=minimum)
    return amount


def automatic(amount, auto_enabled, auto_max, done_today, daily_count):
    """Whether a request is processed automatically."""
    return bool(auto_enabled) and amount <= auto_max and done_today < daily_count
