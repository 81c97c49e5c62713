"""The quick schema check (tools/schema_check.py) says what jsonschema says,
on every OCPP 1.6 schema it compiles, for payloads that follow the schema and
payloads broken in every way a pile could break them."""
import json
import os
import random

import ocpp
from ocpp.messages import get_validator

from odoo.tests import BaseCase, tagged

from ..tools import ocpp_frames as frames
from ..tools import ocpp_schema as schema
from ..tools.schema_check import compile_check

SCHEMAS = os.path.join(os.path.dirname(ocpp.__file__), "v16", "schemas")
WRONG_VALUES = [None, True, False, 0, 1, 1.0, 2.5, -7, "", "x", "y" * 300, [], [1], {}, {"a": 1}]


def sample(node, rng, mutate):
    """A value for ``node`` (a schema), broken here and there with probability ``mutate``."""
    if rng.random() < mutate:
        return rng.choice(WRONG_VALUES)
    if "enum" in node:
        return rng.choice(node["enum"])
    kind = node.get("type")
    if kind == "object":
        value = {}
        for name, sub in node.get("properties", {}).items():
            if name in node.get("required", ()) or rng.random() < 0.5:
                if rng.random() > mutate / 2:  # a required property left out, now and then
                    value[name] = sample(sub, rng, mutate)
        if rng.random() < mutate / 2:
            value["unexpected"] = 1
        return value
    if kind == "array":
        count = rng.choice([node.get("minItems", 0), 1, 2, 3]) - (rng.random() < mutate / 2)
        return [sample(node.get("items", {}), rng, mutate) for _ in range(max(count, 0))]
    if kind == "string":
        longest = node.get("maxLength", 40)
        return "s" * rng.choice([0, 1, longest, longest + (rng.random() < mutate)])
    if kind == "integer":
        return rng.choice([0, 1, 42, -3])
    if kind == "number":
        return rng.choice([0, 1.5, 42, -3.25])
    if kind == "boolean":
        return rng.choice([True, False])
    return rng.choice(WRONG_VALUES)


def schemas():
    for file_name in sorted(os.listdir(SCHEMAS)):
        name = file_name[:-len(".json")]
        if name.endswith("Response"):
            yield frames.CALLRESULT, name[:-len("Response")]
        else:
            yield frames.CALL, name


@tagged("at_install", "-post_install")
class TestSchemaCheck(BaseCase):

    def test_same_verdict_as_jsonschema(self):
        rng = random.Random(1613)
        compiled = 0
        for message_type, action in schemas():
            validator = get_validator(message_type, action, "1.6")
            check = compile_check(validator.schema)
            if check is None:
                continue
            compiled += 1
            for number in range(300):
                payload = sample(validator.schema, rng, mutate=0.0 if number < 30 else 0.15)
                payload = json.loads(json.dumps(payload))  # as it comes off the wire
                self.assertEqual(check(payload), validator.is_valid(payload),
                                 f"{action} ({message_type}): {payload!r}")
        self.assertGreater(compiled, 40)

    def test_the_frequent_frames_have_a_quick_check(self):
        for action in ("Heartbeat", "MeterValues", "StatusNotification", "StartTransaction", "StopTransaction",
                       "BootNotification", "Authorize"):
            self.assertIsNotNone(schema._fast_check(frames.CALL, action), action)
        # schemas with keywords it does not know are left to jsonschema alone
        self.assertIsNone(compile_check({"type": "number", "multipleOf": 0.1}))
        self.assertIsNone(compile_check({"type": ["string", "null"]}))
        self.assertIsNone(schema._fast_check(frames.CALL, "SetChargingProfile"))

    def test_invalid_payloads_still_get_jsonschema_errors(self):
        call = frames.Call("1", "StatusNotification", {"connectorId": 1.0, "errorCode": "NoError",
                                                        "status": "Available"})
        with self.assertRaises(frames.FrameError) as caught:
            schema.validate_call(call)
        self.assertEqual(caught.exception.error_code, frames.TYPE_CONSTRAINT_VIOLATION)
        self.assertIn("connectorId", caught.exception.description)
        schema.validate_call(frames.Call("2", "MeterValues", {"connectorId": 1, "meterValue": [
            {"timestamp": "2026-11-21T08:00:00Z", "sampledValue": [{"value": "12", "unit": "Wh"}]}]}))
