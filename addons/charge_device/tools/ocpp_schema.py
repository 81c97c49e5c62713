"""Validation of OCPP 1.6 payloads against the JSON schemas shipped by the
``ocpp`` package.

``ocpp.messages.validate_payload`` is a coroutine in ocpp 2.x; we use the
package's synchronous ``get_validator`` (a cached Draft-4 validator per action)
and map schema failures to the OCPP-J error codes ourselves.
"""
import decimal
import json
from functools import lru_cache

from jsonschema.exceptions import ValidationError
from ocpp.messages import get_validator

from .ocpp_frames import (
    CALL, CALLRESULT, FORMATION_VIOLATION, NOT_IMPLEMENTED, OCCURENCE_CONSTRAINT_VIOLATION,
    PROPERTY_CONSTRAINT_VIOLATION, TYPE_CONSTRAINT_VIOLATION, FrameError,
)
from .schema_check import compile_check

OCPP_VERSION = "1.6"
# Actions whose schemas bound decimals: validate them with Decimal parsing, as
# the ocpp package does, or 21.4 may fail as 21.399999999999995.
DECIMAL_ACTIONS = {"SetChargingProfile", "RemoteStartTransaction", "GetCompositeSchedule"}

_ERROR_BY_KEYWORD = {
    "type": TYPE_CONSTRAINT_VIOLATION,
    "maxLength": TYPE_CONSTRAINT_VIOLATION,
    "required": OCCURENCE_CONSTRAINT_VIOLATION,
    "minItems": OCCURENCE_CONSTRAINT_VIOLATION,
    "maxItems": OCCURENCE_CONSTRAINT_VIOLATION,
    "enum": PROPERTY_CONSTRAINT_VIOLATION,
    "format": PROPERTY_CONSTRAINT_VIOLATION,
    "minimum": PROPERTY_CONSTRAINT_VIOLATION,
    "maximum": PROPERTY_CONSTRAINT_VIOLATION,
    "multipleOf": PROPERTY_CONSTRAINT_VIOLATION,
    "additionalProperties": FORMATION_VIOLATION,
}


@lru_cache(maxsize=None)
def _validator(message_type, action):
    parse_float = decimal.Decimal if action in DECIMAL_ACTIONS else float
    try:
        return get_validator(message_type, action, OCPP_VERSION, parse_float=parse_float)
    except (OSError, json.JSONDecodeError):
        return None


@lru_cache(maxsize=None)
def _fast_check(message_type, action):
    """The quick check of ``action``'s payloads (tools/schema_check.py), or None."""
    validator = _validator(message_type, action)
    if validator is None or action in DECIMAL_ACTIONS:
        return None
    return compile_check(validator.schema)


def known_action(action):
    """True when OCPP 1.6 defines ``action``."""
    return _validator(CALL, action) is not None


def _validate(message_type, action, payload, message_id):
    validator = _validator(message_type, action)
    if validator is None:
        raise FrameError(NOT_IMPLEMENTED, f"unknown OCPP 1.6 action {action!r}", message_id)
    fast = _fast_check(message_type, action)
    if fast is not None and fast(payload):
        return  # certainly valid; anything else goes through the full validator, which words the error
    if action in DECIMAL_ACTIONS:
        payload = json.loads(json.dumps(payload), parse_float=decimal.Decimal)
    try:
        validator.validate(payload)
    except ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "payload"
        raise FrameError(
            _ERROR_BY_KEYWORD.get(error.validator, FORMATION_VIOLATION),
            f"{action} {where}: {error.message}",
            message_id,
        ) from error


def validate_call(call):
    """Raise FrameError unless ``call.payload`` is valid for ``call.action``."""
    _validate(CALL, call.action, call.payload, call.message_id)


def validate_result(action, result):
    """Raise FrameError unless a CALLRESULT payload is valid for the CALL ``action``."""
    _validate(CALLRESULT, action, result.payload, result.message_id)
