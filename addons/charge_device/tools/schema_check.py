"""A fast yes-or-don't-know check of a payload against an OCPP 1.6 JSON
schema, for the frames that come by thousands a second.

``compile_check(schema)`` turns a Draft-4 schema made only of the keywords
below into a plain function that returns True when the payload is certainly
valid, False when it is not or when in doubt; the caller then runs the full
validator (jsonschema), which stays the judge and words the error. A schema
with any other keyword gives None: no fast check, the full validator only.

Same meaning as jsonschema's Draft4Validator without a format checker (the
one the ``ocpp`` package builds): integers are ints (not bools, not 1.0),
numbers ints or floats (not bools), ``format`` is not checked,
``additionalProperties`` only matters for objects.
"""
_TYPES = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
}
# keywords that do not change what is valid here
_IGNORED = {"$schema", "$id", "id", "title", "description", "javaType", "format"}
_SUPPORTED = _IGNORED | {"type", "properties", "additionalProperties", "required", "enum", "maxLength",
                         "minItems", "maxItems", "items"}


def compile_check(schema):
    """A function payload -> True (certainly valid) / False (invalid or in
    doubt), or None when the schema uses a keyword this module does not know."""
    try:
        return _compile(schema)
    except _Unsupported:
        return None


class _Unsupported(Exception):
    pass


def _compile(schema):
    if not isinstance(schema, dict) or set(schema) - _SUPPORTED:
        raise _Unsupported()
    checks = []
    kind = schema.get("type")
    if kind is not None:
        if not isinstance(kind, str) or kind not in _TYPES:  # a list of types: not here
            raise _Unsupported()
        checks.append(_TYPES[kind])
    if "enum" in schema:
        options = schema["enum"]
        # strings only: jsonschema compares enums with its own equality (1 == 1.0 == True...)
        if not isinstance(options, list) or not all(isinstance(option, str) for option in options):
            raise _Unsupported()
        allowed = frozenset(options)
        checks.append(lambda value: isinstance(value, str) and value in allowed)
    if "maxLength" in schema:
        longest = schema["maxLength"]
        checks.append(lambda value: not isinstance(value, str) or len(value) <= longest)
    if "minItems" in schema or "maxItems" in schema:
        fewest, most = schema.get("minItems", 0), schema.get("maxItems")
        checks.append(lambda value: not isinstance(value, list) or (
            len(value) >= fewest and (most is None or len(value) <= most)))
    if "items" in schema:
        if not isinstance(schema["items"], dict):  # a tuple of schemas
            raise _Unsupported()
        item = _compile(schema["items"])
        checks.append(lambda value: not isinstance(value, list) or all(item(element) for element in value))
    if "properties" in schema or "required" in schema or "additionalProperties" in schema:
        checks.append(_object_check(schema))

    def check(value):
        for one in checks:
            if not one(value):
                return False
        return True
    return check


def _object_check(schema):
    properties = {name: _compile(sub) for name, sub in schema.get("properties", {}).items()}
    required = tuple(schema.get("required", ()))
    extra = schema.get("additionalProperties", True)
    if extra is not True and extra is not False:  # a schema for the other properties
        raise _Unsupported()
    closed = extra is False

    def check(value):
        if not isinstance(value, dict):
            return True  # properties only constrain objects
        for name in required:
            if name not in value:
                return False
        for name, element in value.items():
            sub = properties.get(name)
            if sub is None:
                if closed:
                    return False
            elif not sub(element):
                return False
        return True
    return check
