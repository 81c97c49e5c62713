"""Checks of the values a tariff is made of, shared by the car and e-bike
engines. Pure Python; errors are :class:`.tou_grid.TariffError`."""
from decimal import Decimal, InvalidOperation

from .tou_grid import TariffError

SNAPSHOT_FORMAT = 1


def as_decimal(value, field_name):
    """``value`` as a finite Decimal; floats go through their shortest text form (0.35 -> Decimal("0.35"))."""
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, bool):
            raise TypeError(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, (int, str)):
            number = Decimal(value)
        else:
            raise TypeError(value)
    except (InvalidOperation, TypeError, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise TariffError("number", f"{field_name}: {value!r} is not a finite number",
                          field=field_name, value=str(value))
    return number


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_non_negative(value, field_name):
    """Raise "negative_price" when ``value`` < 0."""
    if value < 0:
        raise TariffError("negative_price", f"{field_name} cannot be negative ({value})",
                          field=field_name, value=str(value))


def check_currency_digits(digits):
    """Raise "currency_digits" unless ``digits`` is an integer in 0..6."""
    if not is_int(digits) or not 0 <= digits <= 6:
        raise TariffError("currency_digits", f"currency digits must be 0..6, not {digits!r}", digits=digits)


def required(data, key):
    """``data[key]``, or TariffError "snapshot"."""
    try:
        return data[key]
    except (KeyError, TypeError):
        raise TariffError("snapshot", f"the tariff snapshot has no {key!r}", key=key) from None


def check_snapshot_format(data):
    """Raise "snapshot" unless ``data`` is a snapshot of the current format."""
    if required(data, "format") != SNAPSHOT_FORMAT:
        raise TariffError("snapshot", f"unknown tariff snapshot format {data['format']!r}", key="format")
