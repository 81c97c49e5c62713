"""The user's-language wording of the pure modules' codes: wallet refusals
(:mod:`..tools.wallet_math`), authorisation reasons
(:mod:`..tools.authorization`, and charge_device's reasons for a pile that
cannot charge) and identity checks (plates, VINs, mobiles, PINs)."""
from odoo.exceptions import UserError
from odoo.tools import LazyTranslate

from odoo.addons.charge_device.models.operability_messages import MESSAGES as OPERABILITY_REASONS

_lt = LazyTranslate(__name__)

WALLET_ERRORS = {
    "negative": _lt("the amount %(amount)s is negative"),
    "zero": _lt("the amount is zero"),
    "digits": _lt("the amount %(amount)s has more than %(digits)s decimals"),
    "insufficient": _lt("%(amount)s is more than the %(available)s available (balance plus credit limit)"),
    "withdrawable_negative": _lt("the withdrawable cash would become %(amount)s"),
    "gift_negative": _lt("the gift balance would become %(amount)s"),
    "cash_short": _lt("%(amount)s is more than the %(cash)s the cash balance can give (down to its credit limit)"),
    "priority": _lt("unknown payment priority %(priority)s"),
    "not_withdrawable": _lt("%(amount)s is more than the %(available)s of withdrawable cash"),
}

AUTHORIZATION_REASONS = {
    "accepted": _lt("accepted"),
    "offline_whitelist": _lt("white-listed card started while the pile was offline"),
    "stored_value": _lt("stored-value card: the pile takes the fee from the card"),
    "unknown_tag": _lt("unknown card or tag"),
    "unbound": _lt("the card is bound to no member or group"),
    "card_lost": _lt("the card was reported lost"),
    "card_blacklisted": _lt("the card is black-listed"),
    "card_replaced": _lt("the card was replaced by another one"),
    "card_cancelled": _lt("the card is cancelled"),
    "member_frozen": _lt("the member is frozen"),
    "member_blacklisted": _lt("the member is black-listed"),
    "group_archived": _lt("the group is archived"),
    "not_group_member": _lt("the member no longer belongs to the card's group"),
    "concurrent": _lt("%(open)s charging session(s) already open, %(allowed)s allowed at once"),
    "day_count": _lt("daily limit of %(limit)s charges paid by the group reached (%(used)s)"),
    "month_count": _lt("monthly limit of %(limit)s charges paid by the group reached (%(used)s)"),
    "day_amount": _lt("daily group spending limit of %(limit)s reached (%(used)s)"),
    "month_amount": _lt("monthly group spending limit of %(limit)s reached (%(used)s)"),
    "insufficient_funds": _lt("%(available)s available, %(minimum)s needed to start"),
}

IDENTITY_ERRORS = {
    # plates
    "plate_empty": _lt("the plate is empty"),
    "plate_province": _lt("the plate %(plate)s does not start with a province abbreviation"),
    "plate_length": _lt("the plate %(plate)s has the wrong length"),
    "plate_characters": _lt("the plate %(plate)s contains characters a plate cannot have"),
    "plate_letters_io": _lt("the plate %(plate)s uses the letter I or O, which plates never use"),
    "plate_authority": _lt("the second character of plate %(plate)s must be a latin letter"),
    "plate_new_energy": _lt("the plate %(plate)s has 8 characters but is not a valid new-energy plate"),
    # VINs
    "vin_empty": _lt("the VIN is empty"),
    "vin_length": _lt("a VIN has 17 characters, %(vin)s has %(length)s"),
    "vin_characters": _lt("the VIN %(vin)s contains I, O, Q or a character that is not a letter or digit"),
    # mobiles
    "mobile_empty": _lt("the mobile number is empty"),
    "mobile_characters": _lt("the mobile number %(mobile)s contains characters other than digits"),
    "mobile_length": _lt("the mobile number %(mobile)s does not have 11 digits"),
    "mobile_prefix": _lt("%(mobile)s is not a mainland mobile number (1 then 3 to 9)"),
    # PINs
    "pin_length": _lt("a card PIN has 4 to 6 digits"),
    "pin_digits": _lt("a card PIN has digits only"),
}


def _render(env, text, params, fallback):
    if not text:
        return fallback
    try:
        return env._(text) % (params or {})
    except (KeyError, TypeError, ValueError):
        return env._(text)


def wallet_error(env, error):
    """A UserError in the user's language for a :class:`WalletError`."""
    message = _render(env, WALLET_ERRORS.get(error.code), error.params, error.code)
    return UserError(env._("The wallet refuses this: %s.", message))


def reason_text(env, code, params=None):
    """The wording of an authorisation reason code: a member rule, or the
    pile's state (charge_device's operability reasons, checked first)."""
    return _render(env, AUTHORIZATION_REASONS.get(code) or OPERABILITY_REASONS.get(code), params, code)


def identity_message(env, prefix, error):
    """The wording of a plate/VIN/mobile/PIN error (``prefix``: plate, vin, mobile, pin)."""
    key = f"{prefix}_{error.code}"
    return _render(env, IDENTITY_ERRORS.get(key), error.params, key)
