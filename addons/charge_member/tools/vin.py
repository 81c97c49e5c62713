"""Vehicle identification numbers (ISO 3779, GB 16735), without the ORM.

A VIN has 17 characters: digits and latin letters except I, O and Q. The 9th
character is a check digit ('0'-'9' or 'X') computed from the others; vehicles
in the field sometimes carry a VIN that fails it (imports, typos on the
registration), so :func:`check_vin` does not require it and the caller may
only warn with :func:`vin_check_digit_ok`.

Errors are :class:`VinError` with one of the codes of :data:`ERROR_CODES`;
every error has the param ``vin`` (the normalised text), plus:

- ``empty``: nothing left after normalisation;
- ``length``: not 17 characters (``length``, ``expected``);
- ``characters``: a character that is not a digit or a latin letter, or is
  I, O or Q (``character``, ``position`` counted from 1).
"""
from odoo.addons.charge_base.tools.coded_error import CodedError

VIN_LENGTH = 17
CHECK_DIGIT_POSITION = 9  # counted from 1
ERROR_CODES = ("empty", "length", "characters")

# Transliteration of letters (I, O and Q are not used) and weights by position.
TRANSLITERATION = {
    **{str(digit): digit for digit in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}
WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


class VinError(CodedError):
    """An invalid VIN."""


def normalize_vin(text):
    """The VIN without surrounding blanks, upper-cased; ``None`` gives ``""``."""
    return (text or "").strip().upper()


def check_vin(text):
    """Return the normalised VIN, or raise VinError. The check digit is not required.

    >>> check_vin(" 1m8gdm9axkp042788 ")
    '1M8GDM9AXKP042788'
    """
    vin = normalize_vin(text)
    if not vin:
        raise VinError("empty", "the VIN is empty", vin=vin)
    if len(vin) != VIN_LENGTH:
        raise VinError("length", f"VIN {vin!r} has {len(vin)} characters instead of {VIN_LENGTH}",
                       vin=vin, length=len(vin), expected=VIN_LENGTH)
    for position, character in enumerate(vin, start=1):
        if character not in TRANSLITERATION:
            raise VinError("characters", f"VIN {vin!r}: {character!r} at position {position} is not allowed "
                           "(digits and latin letters except I, O and Q)",
                           vin=vin, character=character, position=position)
    return vin


def vin_check_digit(vin):
    """The check digit ('0'-'9' or 'X') that the 9th character of ``vin`` should be.

    ``vin`` is normalised first; raise VinError when it is not a valid VIN.

    >>> vin_check_digit("1M8GDM9A0KP042788")
    'X'
    """
    vin = check_vin(vin)
    remainder = sum(TRANSLITERATION[character] * weight for character, weight in zip(vin, WEIGHTS)) % 11
    return "X" if remainder == 10 else str(remainder)


def vin_check_digit_ok(vin):
    """True when the 9th character of ``vin`` is its check digit; False as well for an invalid VIN."""
    try:
        expected = vin_check_digit(vin)
    except VinError:
        return False
    return normalize_vin(vin)[CHECK_DIGIT_POSITION - 1] == expected
