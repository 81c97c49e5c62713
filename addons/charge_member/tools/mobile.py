"""Mainland Chinese mobile numbers, without the ORM.

A mobile number has 11 digits: 1, then 3 to 9, then 9 digits. People type it
with blanks, dashes or parentheses, and sometimes with the country code 86 in
front (+86, 0086, or bare 86 before the 11 digits).

Errors are :class:`MobileError` with one of the codes of :data:`ERROR_CODES`;
every error has the param ``mobile`` (the text without separators), plus:

- ``empty``: nothing left after removing the separators;
- ``characters``: something else than digits and a leading '+' (``character``);
- ``length``: not 11 digits once the country code is removed (``length``,
  ``expected``);
- ``prefix``: another country code than 86 after '+' or '00' (``start``:
  ``""``), or a number that does not start with 13 to 19 (``start``: its
  first two digits).
"""
import re
import unicodedata

from odoo.addons.charge_base.tools.coded_error import CodedError

MOBILE_LENGTH = 11
COUNTRY_CODE = "86"
ERROR_CODES = ("empty", "characters", "length", "prefix")

_SEPARATORS = re.compile(r"[\s\-()]+")
_DIGITS = re.compile(r"[0-9]+")
_NATIONAL = re.compile(r"1[3-9][0-9]{9}")


class MobileError(CodedError):
    """An invalid mobile number."""


def normalize_mobile(text):
    """The 11 digits of a mainland mobile number, or raise MobileError.

    >>> normalize_mobile("+86 138-1234-5678"), normalize_mobile("(0086) 13812345678")
    ('13812345678', '13812345678')
    """
    # NFKC folds full-width digits, '＋', '（' and '）' typed with a Chinese input method.
    mobile = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    if not mobile:
        raise MobileError("empty", "the mobile number is empty", mobile=mobile)
    international = mobile.startswith("+")
    digits = mobile[1:] if international else mobile
    if not _DIGITS.fullmatch(digits):
        character = next((c for c in digits if not "0" <= c <= "9"), "+")
        raise MobileError("characters", f"mobile number {mobile!r}: {character!r} is not a digit",
                          mobile=mobile, character=character)
    if international or digits.startswith("00"):
        rest = digits if international else digits[2:]
        if not rest.startswith(COUNTRY_CODE):
            raise MobileError("prefix", f"mobile number {mobile!r}: only mainland numbers (+86) are accepted",
                              mobile=mobile, start="")
        national = rest[len(COUNTRY_CODE):]
    elif (len(digits) == len(COUNTRY_CODE) + MOBILE_LENGTH and digits.startswith(COUNTRY_CODE)
          and digits[len(COUNTRY_CODE)] == "1"):
        national = digits[len(COUNTRY_CODE):]
    else:
        national = digits
    if len(national) != MOBILE_LENGTH:
        raise MobileError("length", f"mobile number {mobile!r} has {len(national)} digits instead of {MOBILE_LENGTH}",
                          mobile=mobile, length=len(national), expected=MOBILE_LENGTH)
    if not _NATIONAL.fullmatch(national):
        raise MobileError("prefix", f"mobile number {mobile!r}: a mainland mobile number starts with 13 to 19",
                          mobile=mobile, start=national[:2])
    return national
