"""Validation of OCPP 1.6 payloads against the JSON schemas shipped by the
``ocpp`` package (``ocpp/v16/schemas``), with ``jsonschema`` (synchronous:
``ocpp.messages.validate_payload`` is a coroutine in ocpp 2.x).

The pile validates the commands it receives (and answers a CALLERROR like a
real charge point would), the replies to its own calls (to report platform
replies that break the schema) and, in strict mode, what it sends.
"""
import importlib.util
import json
import os
import threading
from decimal import Decimal

try:
    import jsonschema
except ImportError:  # validation is then off; the simulator still runs
    jsonschema = None


class PayloadError(ValueError):
    """A payload that fails its schema; ``code`` is the OCPP-J CALLERROR code."""

    def __init__(self, code, description):
        super().__init__(description)
        self.code = code
        self.description = description


# jsonschema keyword that failed -> CALLERROR code (OCPP-J 1.6, 4.2.3).
_ERROR_CODES = {
    "type": "TypeConstraintViolation",
    "required": "OccurenceConstraintViolation",
    "minItems": "OccurenceConstraintViolation",
    "maxItems": "OccurenceConstraintViolation",
    "additionalProperties": "FormationViolation",
    "enum": "PropertyConstraintViolation",
    "maxLength": "PropertyConstraintViolation",
    "minLength": "PropertyConstraintViolation",
    "maximum": "PropertyConstraintViolation",
    "minimum": "PropertyConstraintViolation",
    "multipleOf": "PropertyConstraintViolation",
    "format": "PropertyConstraintViolation",
}


def default_schema_dir():
    """``ocpp/v16/schemas`` of the installed ``ocpp`` package (found without
    importing it), or None."""
    spec = importlib.util.find_spec("ocpp")
    if not spec or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "v16", "schemas")
    return path if os.path.isdir(path) else None


class SchemaValidator:
    """Checks payloads of an action (request) or of its reply (response)."""

    def __init__(self, schema_dir=None):
        self.schema_dir = schema_dir or default_schema_dir()
        self._validators = {}
        self._lock = threading.Lock()

    @property
    def available(self):
        return bool(jsonschema and self.schema_dir)

    def has_schema(self, action, response=False):
        return bool(self.schema_dir) and os.path.isfile(self._path(action, response))

    def _path(self, action, response):
        return os.path.join(self.schema_dir, f"{action}{'Response' if response else ''}.json")

    def _validator(self, action, response):
        key = (action, response)
        with self._lock:
            if key not in self._validators:
                validator = None
                if self.available and os.path.basename(action) == action and action.isidentifier():
                    path = self._path(action, response)
                    if os.path.isfile(path):
                        with open(path, encoding="utf-8-sig") as file:
                            text = file.read()
                        # multipleOf on decimals (charging schedules) only works with Decimal
                        decimal = '"multipleOf"' in text
                        schema = json.loads(text, parse_float=Decimal if decimal else float)
                        cls = jsonschema.validators.validator_for(schema, jsonschema.Draft4Validator)
                        validator = (cls(schema, format_checker=cls.FORMAT_CHECKER), decimal)
                self._validators[key] = validator
            return self._validators[key]

    def check(self, action, payload, response=False):
        """Raise PayloadError when ``payload`` breaks the schema of ``action``
        (of its response when ``response``). Unknown actions and a missing
        ``jsonschema`` pass."""
        entry = self._validator(action, response)
        if entry is None:
            return
        validator, decimal = entry
        if decimal:
            payload = json.loads(json.dumps(payload), parse_float=Decimal)
        error = jsonschema.exceptions.best_match(validator.iter_errors(payload))
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path) or "payload"
            raise PayloadError(
                _ERROR_CODES.get(error.validator, "FormationViolation"),
                f"{action}{'Response' if response else ''}: {where}: {error.message}"[:255],
            )

    def is_valid(self, action, payload, response=False):
        try:
            self.check(action, payload, response)
        except PayloadError:
            return False
        return True


_default = None


def default_validator():
    """A process-wide SchemaValidator (its compiled schemas are shared)."""
    global _default
    if _default is None:
        _default = SchemaValidator()
    return _default
