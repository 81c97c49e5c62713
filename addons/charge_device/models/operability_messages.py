"""The user's-language wording of :mod:`..tools.operability` reasons."""
from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)

MESSAGES = {
    "pile_archived": _lt("the pile is archived"),
    "pile_draft": _lt("the pile is not commissioned yet"),
    "pile_stopped": _lt("the pile is stopped"),
    "pile_retired": _lt("the pile is retired"),
    "pile_not_commissioned": _lt("the pile is not in operation"),
    "station_archived": _lt("the station is archived"),
    "station_not_approved": _lt("the station is not approved"),
    "station_not_operating": _lt("the station is not operating"),
    "area_archived": _lt("the area %(area)s is archived"),
    "pile_unavailable": _lt("the pile reports itself unavailable"),
    "connector_unknown": _lt("the pile has no connector %(connector)s"),
    "connector_inoperative": _lt("connector %(connector)s was made inoperative"),
    "connector_unavailable": _lt("connector %(connector)s is unavailable"),
    "no_connector": _lt("no connector of the pile can charge"),
}


def operability_text(env, reason, params=None):
    """Text of an operability reason code in the language of ``env`` (the code itself when unknown)."""
    message = MESSAGES.get(reason)
    if not message:
        return reason
    try:
        return env._(message) % (params or {})
    except (KeyError, TypeError, ValueError):
        return env._(message)
