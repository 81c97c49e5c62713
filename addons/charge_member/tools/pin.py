"""PINs of charging cards, without the ORM.

A PIN is 4 to 6 ASCII digits. It is stored only as a salted PBKDF2-SHA256
hash, ``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``.

Errors are :class:`PinError` with one of the codes of :data:`ERROR_CODES`.
The PIN itself is never put in an error's message or params:

- ``length``: not 4 to 6 characters (``length``, ``min``, ``max``);
- ``digits``: a character that is not an ASCII digit (``min``, ``max``).
"""
import hashlib
import hmac
import os
import re

from odoo.addons.charge_base.tools.coded_error import CodedError

PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 6
ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 100_000
SALT_BYTES = 16
ERROR_CODES = ("length", "digits")

_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(r"(?:[0-9a-f]{2})+")
# Stored values with more iterations than this are refused rather than computed.
_MAX_ITERATIONS = 10_000_000


class PinError(CodedError):
    """An invalid PIN."""


def check_pin_format(pin):
    """Return ``pin`` when it is 4 to 6 ASCII digits, else raise PinError. Blanks are not removed."""
    bounds = {"min": PIN_MIN_LENGTH, "max": PIN_MAX_LENGTH}
    if pin is not None and not isinstance(pin, str):
        raise PinError("digits", f"the PIN must be a text of digits, not {type(pin).__name__}", **bounds)
    length = len(pin or "")
    if not PIN_MIN_LENGTH <= length <= PIN_MAX_LENGTH:
        raise PinError("length", f"the PIN has {length} characters instead of {PIN_MIN_LENGTH} to {PIN_MAX_LENGTH}",
                       length=length, **bounds)
    if not _DIGITS.fullmatch(pin):
        raise PinError("digits", "the PIN may only contain the digits 0-9", **bounds)
    return pin


def _derive(pin, salt, iterations):
    return hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, iterations)


def hash_pin(pin):
    """The storable hash of a valid PIN, with a new random salt; raise PinError for an invalid PIN."""
    check_pin_format(pin)
    salt = os.urandom(SALT_BYTES)
    return f"{ALGORITHM}${ITERATIONS}${salt.hex()}${_derive(pin, salt, ITERATIONS).hex()}"


def verify_pin(pin, stored):
    """True when ``pin`` matches the hash ``stored`` by :func:`hash_pin`.

    False for a PIN of the wrong format and for a malformed stored value
    (never raises); the hashes are compared in constant time.
    """
    if not isinstance(stored, str):
        return False
    parts = stored.split("$")
    if len(parts) != 4:
        return False
    algorithm, iterations, salt, expected = parts
    if (algorithm != ALGORITHM or not _DIGITS.fullmatch(iterations)
            or not _HEX.fullmatch(salt) or not _HEX.fullmatch(expected)):
        return False
    iterations = int(iterations)
    if not 1 <= iterations <= _MAX_ITERATIONS:
        return False
    try:
        check_pin_format(pin)
    except PinError:
        return False
    # A digest of the wrong length compares unequal.
    return hmac.compare_digest(_derive(pin, bytes.fromhex(salt), iterations), bytes.fromhex(expected))
