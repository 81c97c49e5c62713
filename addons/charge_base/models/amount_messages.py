"""Checking an amount a user typed, in the user's language (see :mod:`..tools.amounts`)."""
from odoo.exceptions import UserError
from odoo.tools import LazyTranslate

from ..tools.amounts import POSITIVE, AmountError, entered_amount

_lt = LazyTranslate(__name__)

MESSAGES = {
    "number": _lt("%(amount)s is not an amount"),
    "digits": _lt("%(amount)s has more than %(digits)s decimals; amounts are never rounded, enter it exactly"),
    "not_positive": _lt("the amount must be more than zero, not %(amount)s"),
    "negative": _lt("the amount cannot be negative (%(amount)s)"),
    "zero": _lt("the amount cannot be zero"),
    "maximum": _lt("%(amount)s is more than the %(maximum)s allowed per operation (see the charging settings)"),
}


def checked_amount(env, value, label, sign=POSITIVE, company=None):
    """``value`` as an exact Decimal in ``company``'s currency (the current
    company by default), or a UserError naming ``label`` (a field's label)."""
    company = company or env.company
    try:
        return entered_amount(value, company.currency_id.decimal_places, sign,
                              company.sudo().charge_max_operation_amount or None)
    except AmountError as error:
        message = MESSAGES.get(error.code)
        reason = env._(message) % error.params if message else str(error)
        raise UserError(env._("%(field)s: %(reason)s.", field=label, reason=reason)) from error


def checked_field_amount(record, field_name, sign=POSITIVE, company=None):
    """:func:`checked_amount` of ``record[field_name]``, named by the field's label."""
    label = record._fields[field_name]._description_string(record.env)
    return checked_amount(record.env, record[field_name], label, sign, company)
