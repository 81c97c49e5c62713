"""Pile serials and connector codes.

A pile's serial is its identity on the device bus: it is the ``{serial}`` part of
the MQTT topics ``{prefix}/{serial}/up`` and ``{prefix}/{serial}/down`` and the
OCPP charge point identity. It must therefore be a single topic level without
wildcards or separators, and stay short enough for the devices' firmware.
"""
import re

from .coded_error import CodedError

SERIAL_MIN_LENGTH = 4
SERIAL_MAX_LENGTH = 32
SERIAL_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
MAX_BATCH_SIZE = 500
MAX_CONNECTORS = 99


class SerialError(CodedError):
    """A serial, or a batch of serials, that cannot be used."""


def check_serial(serial):
    """Return the serial without surrounding blanks, or raise SerialError."""
    serial = (serial or "").strip()
    if not SERIAL_MIN_LENGTH <= len(serial) <= SERIAL_MAX_LENGTH:
        raise SerialError(
            "length", f"serial {serial!r} must have {SERIAL_MIN_LENGTH} to {SERIAL_MAX_LENGTH} characters",
            serial=serial, min=SERIAL_MIN_LENGTH, max=SERIAL_MAX_LENGTH,
        )
    if not SERIAL_PATTERN.match(serial):
        raise SerialError(
            "characters", f"serial {serial!r} may only contain letters, digits, '-' and '_', "
            "and must start with a letter or a digit", serial=serial,
        )
    return serial


def numbered_codes(prefix, start, quantity, width, limit=MAX_BATCH_SIZE):
    """Codes ``prefix + zero-padded number`` for ``quantity`` consecutive numbers.

    >>> numbered_codes("B1-", 9, 2, 3)
    ['B1-009', 'B1-010']
    """
    prefix = (prefix or "").strip()
    if not 1 <= quantity <= limit:
        raise SerialError("quantity", f"quantity must be between 1 and {limit}, not {quantity}",
                          quantity=quantity, limit=limit)
    if start < 0:
        raise SerialError("start", f"the first number cannot be negative ({start})", start=start)
    if width < 1:
        raise SerialError("width", f"the number width must be at least 1 ({width})", width=width)
    last = start + quantity - 1
    if len(str(last)) > width:
        raise SerialError("overflow", f"the last number {last} does not fit in {width} digits",
                          last=last, width=width)
    return [f"{prefix}{number:0{width}d}" for number in range(start, last + 1)]


def serial_batch(prefix, start, quantity, width):
    """Pile serials for a batch, each checked with :func:`check_serial`.

    >>> serial_batch("SZ", 7, 3, 4)
    ['SZ0007', 'SZ0008', 'SZ0009']
    """
    return [check_serial(code) for code in numbered_codes(prefix, start, quantity, width)]


def connector_code(serial, number):
    """The code of connector ``number`` of a pile: serial + two-digit number.

    >>> connector_code("SZ0007", 2)
    'SZ000702'
    """
    if not 1 <= number <= MAX_CONNECTORS:
        raise SerialError("connector_number",
                          f"connector number must be between 1 and {MAX_CONNECTORS}, not {number}",
                          number=number, max=MAX_CONNECTORS)
    return f"{serial}{number:02d}"
