"""Mainland Chinese licence plates of cars (GA 36-2018), without the ORM.

A plate is a province abbreviation (one Chinese character), the letter of the
issuing authority (latin A-Z except I and O) and a serial:

- ``blue``: ordinary small car, 5 characters, digits or letters (粤B12345);
- ``green_small``: small new-energy car, 6 characters: a letter D, A, B, C or
  E (pure electric) or F, G, H, J or K (other new energy), then a letter or a
  digit, then 4 digits (粤BD12345, 粤BFA1234);
- ``green_large``: large new-energy vehicle, 6 characters: 5 digits, then D
  (pure electric) or F (other new energy) (粤B12345D).

Serial letters are never I or O. Other plates (yellow, coach 学, police 警,
trailer 挂, embassy, military...) are not accepted.

Errors are :class:`PlateError` with one of the codes of :data:`ERROR_CODES`;
every error has the param ``plate`` (the normalised text), plus:

- ``empty``: nothing left after normalisation;
- ``province``: the first character is not one of :data:`PROVINCES` (``province``);
- ``authority``: the second character is not a latin letter (``character``);
- ``characters``: a character of the serial is neither a latin letter nor a
  digit, e.g. 学, 警 or 挂 (``character``);
- ``letters_io``: the letter I or O after the province (``character``);
- ``length``: not 7 (ordinary) or 8 (new energy) characters (``length``);
- ``new_energy``: 8 characters, but neither a small nor a large new-energy
  serial (``serial``).
"""
import re
import unicodedata

from odoo.addons.charge_base.tools.coded_error import CodedError

# The 31 mainland provinces, autonomous regions and municipalities.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

BLUE = "blue"
GREEN_SMALL = "green_small"
GREEN_LARGE = "green_large"
KINDS = (BLUE, GREEN_SMALL, GREEN_LARGE)
NEW_ENERGY_KINDS = (GREEN_SMALL, GREEN_LARGE)

# First serial character of a small new-energy plate, and last one of a large one.
SMALL_PURE_ELECTRIC = "DABCE"
SMALL_OTHER_NEW_ENERGY = "FGHJK"
LARGE_NEW_ENERGY = "DF"

ERROR_CODES = ("empty", "province", "authority", "characters", "letters_io", "length", "new_energy")

# Separators people type inside a plate: spaces, middle dots, hyphens, full stops
# (full-width forms are folded by NFKC first).
_SEPARATORS = re.compile(r"[\s·•‧・\-.]+")
_LETTER = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # latin letters without I and O
_ALNUM = f"[{_LETTER}0-9]"
_GREEN_SMALL_SERIAL = re.compile(f"[{SMALL_PURE_ELECTRIC}{SMALL_OTHER_NEW_ENERGY}]{_ALNUM}[0-9]{{4}}")
_GREEN_LARGE_SERIAL = re.compile(f"[0-9]{{5}}[{LARGE_NEW_ENERGY}]")


class PlateError(CodedError):
    """An invalid licence plate."""


def normalize_plate(text):
    """The plate without blanks, middle dots, hyphens and full stops, latin letters upper-cased.

    Full-width letters and digits become ASCII; the province character is kept.
    ``None`` gives ``""``. No validation: see :func:`plate_kind`.

    >>> normalize_plate(" 粤b·123 45 ")
    '粤B12345'
    """
    text = unicodedata.normalize("NFKC", text or "")
    return _SEPARATORS.sub("", text).upper()


def _ascii_upper(character):
    return "A" <= character <= "Z"


def plate_kind(text):
    """The kind of a plate (one of :data:`KINDS`), normalised first; raise PlateError if invalid.

    >>> plate_kind("粤B12345"), plate_kind("粤BD12345"), plate_kind("粤B12345D")
    ('blue', 'green_small', 'green_large')
    """
    plate = normalize_plate(text)
    if not plate:
        raise PlateError("empty", "the plate is empty", plate=plate)
    province = plate[0]
    if province not in PROVINCES:
        raise PlateError("province", f"plate {plate!r}: {province!r} is not a mainland province abbreviation",
                         plate=plate, province=province)
    if len(plate) > 1 and not _ascii_upper(plate[1]):
        raise PlateError("authority", f"plate {plate!r}: the second character {plate[1]!r} must be a latin letter",
                         plate=plate, character=plate[1])
    for character in plate[2:]:
        if not (_ascii_upper(character) or "0" <= character <= "9"):
            raise PlateError("characters", f"plate {plate!r}: {character!r} is not a latin letter or a digit",
                             plate=plate, character=character)
    for character in plate[1:]:
        if character in "IO":
            raise PlateError("letters_io", f"plate {plate!r}: the letters I and O are not used on plates",
                             plate=plate, character=character)
    if len(plate) not in (7, 8):
        raise PlateError("length", f"plate {plate!r} has {len(plate)} characters instead of 7 or 8 (new energy)",
                         plate=plate, length=len(plate))
    serial = plate[2:]
    if len(plate) == 7:
        return BLUE  # any 5 letters (not I, O) or digits, checked above
    if _GREEN_SMALL_SERIAL.fullmatch(serial):
        return GREEN_SMALL
    if _GREEN_LARGE_SERIAL.fullmatch(serial):
        return GREEN_LARGE
    raise PlateError(
        "new_energy", f"plate {plate!r}: the serial {serial!r} of a new-energy plate must be D/A/B/C/E/F/G/H/J/K, "
        "a letter or a digit, then 4 digits (small vehicle), or 5 digits then D/F (large vehicle)",
        plate=plate, serial=serial,
    )


def is_new_energy(text):
    """True for a valid new-energy (green) plate; False for a blue or an invalid plate."""
    try:
        return plate_kind(text) in NEW_ENERGY_KINDS
    except PlateError:
        return False
