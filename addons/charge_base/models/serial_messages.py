"""The user's-language wording of :class:`..tools.serials.SerialError`."""
from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)

MESSAGES = {
    "length": _lt("serial “%(serial)s” must have %(min)s to %(max)s characters"),
    "characters": _lt(
        "serial “%(serial)s” may only contain letters, digits, '-' and '_', "
        "and must start with a letter or a digit"
    ),
    "quantity": _lt("the quantity must be between 1 and %(limit)s, not %(quantity)s"),
    "start": _lt("the first number cannot be negative (%(start)s)"),
    "width": _lt("the number width must be at least 1 (%(width)s)"),
    "overflow": _lt("the last number %(last)s does not fit in %(width)s digits"),
    "connector_number": _lt("a connector number must be between 1 and %(max)s, not %(number)s"),
}


def serial_error_message(env, error):
    """Text of a SerialError in the language of ``env`` (English for an unknown code)."""
    message = MESSAGES.get(error.code)
    return env._(message) % error.params if message else str(error)
