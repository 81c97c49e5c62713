"""Hostile frames for the device bus fuzz test (tests/test_device_bus_fuzz.py),
drawn with hypothesis.

A *spec* is a kind of hostility (``KINDS``) and a frame template whose
run-dependent parts are placeholders: the frame's own message id, a
transaction of this pile or of another pile, a time relative to the run, the
pile's card. Hypothesis draws a corpus of specs of each kind (``draw_corpus``,
a few thousand: drawing costs about 2 ms a spec); ``expand`` makes the storm's
100,000 of them from it, in the proportions of ``KINDS``, crossing half of the
action frames with fields of others, and cycling through every deep and huge
frame (enumerated around the limits). ``PileSequence`` turns one pile's specs
into the bytes it publishes, with what the frame is owed: ``key`` (the message
id to find its answer or log row by, None when unreadable) and
``expects_answer`` (a well-formed CALL with a readable id).

Reproducible: hypothesis runs with fixed seeds and no example database, and
``expand`` with a seeded ``random.Random``; the same count gives the same
specs (only the run's message ids, times and transaction ids differ).
"""

import copy
import json
import math
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

# Placeholders ------------------------------------------------------------------


class Raw(str):
    """A JSON token written as is: NaN, Infinity, 1e400, a 5,000-digit number..."""


class _Mid:
    """The frame's own, fresh message id."""

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        return "MID"


MID = _Mid()


class _Card:
    """The id tag the pile accepts."""

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        return "CARD"


CARD = _Card()


@dataclass(frozen=True)
class Tx:
    """A transaction id: ``own`` (one of the pile's own sessions), ``other``
    (a session of another pile) or ``literal`` (``index`` itself)."""
    whose: str
    index: int


@dataclass(frozen=True)
class When:
    """An ISO 8601 UTC time, ``minutes`` from the start of the run."""
    minutes: int


@dataclass(frozen=True)
class JsonText:
    """A JSON string holding the JSON text of ``value`` (DataTransfer data)."""
    value: object


@dataclass(frozen=True)
class Repeat:
    """A JSON string of ``text`` repeated ``count`` times (huge strings)."""
    text: str
    count: int


@dataclass(frozen=True)
class Many:
    """A JSON array of ``count`` copies of ``item`` (huge arrays)."""
    item: object
    count: int


@dataclass(frozen=True)
class Deep:
    """``depth`` nested arrays (``[``) or objects (``{``) around 1."""
    depth: int
    opener: str = "["


@dataclass(frozen=True)
class Pairs:
    """A JSON object written from ``pairs``, keys may repeat."""
    pairs: tuple


@dataclass(frozen=True)
class Mangled:
    """The bytes of ``body`` broken by ``operation`` at ``at`` (a fraction of the length)."""
    body: object
    operation: str
    at: float = 0.5


@dataclass
class Spec:
    """One frame as drawn: ``body`` is a template (see above) or bytes;
    ``dup`` "same"/"diff" makes it reuse an earlier frame's message id, with
    the same bytes or with this body; ``ref`` picks which earlier frame."""
    kind: str
    body: object
    dup: str = ""
    ref: int = 0


# Hostile values --------------------------------------------------------------------

ODD_CHARS = [
    "\x00", "\x01", "\x08", "\t", "\n", "\r", "\x0b", "\x1b", "\x7f", "\x85", "\u200b", "\u200e", "\u200f",
    "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff", "\ufffd", "\uffff", "\ud800", "\udfff", "\U0010ffff",
    "🙂", "中", "ﷺ", "\u0301", "'", '"', "\\", "%", "{", "}", "/", "+", "#", "$", "*",
]
SPECIAL_STRINGS = [
    "", " ", "\x00", "a\x00b", "\ud800", "abc\udfff", "\u202eCARD0001", "CARD0001\x00", "CARD0001 ", " CARD0001",
    "card0001", "ＣＡＲＤ０００１", "-1", "0", "null", "None", "NaN", "true", "[]", "{}", "../../etc/passwd",
    "'; DROP TABLE charge_session; --", "%s%s%s%n", "${jndi:ldap://x}", "<script>alert(1)</script>",
    "charge_platform", "$share/charge_listener/charge/+/up", "charge/#", "\r\nSet-Cookie: x", "🙂" * 20,
    "👨\u200d👩\u200d👧", "%s",
]
ODD_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.one_of(st.sampled_from(ODD_CHARS), st.characters()), min_size=1, max_size=60),
    st.sampled_from(SPECIAL_STRINGS),
    st.builds(lambda char, count: char * count, st.sampled_from(["A", "中", "\x00", "🙂", "\u202e"]),
              st.sampled_from([19, 20, 21, 25, 26, 36, 37, 50, 51, 255, 256, 1001])),
)
EXTREME_INTS = [0, -1, -2**31, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63, 2**64, 10**30, -10**30]
EXTREME_INT = st.one_of(st.sampled_from(EXTREME_INTS), st.integers(), st.integers(-2**70, 2**70))
NON_FINITE = [Raw("NaN"), Raw("Infinity"), Raw("-Infinity"), Raw("1e400"), Raw("-1e400"), Raw("-0"),
              Raw("9" * 5000), Raw("1" + "0" * 400), 1e308, -1e308, 5e-324, -0.0]
EXTREME_NUMBER = st.one_of(st.sampled_from(NON_FINITE), EXTREME_INT,
                           st.floats(allow_nan=True, allow_infinity=True))
# sampled values are strings in OCPP 1.6; Python's float() reads many of these
NUMERIC_TEXTS = [
    "NaN", "nan", "-nan", "Infinity", "inf", "-inf", "+Infinity", "1e308", "1e309", "-1e308", "1e-400", "-1", "-0",
    "150", "101", "-5", "1e30", "2147483647", "2147483648", "99999999999999999999", "0x10", "1_000", " 12 ",
    "١٢٣", "１２３", "", "1,5", "12.5.3", "\x00", "12\x00", "🙂", "9" * 400,
]
NUMERIC_TEXT = st.one_of(
    st.sampled_from(NUMERIC_TEXTS),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers().map(str),
)
ODD_TIMES = [
    "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00-14:00", "1970-01-01T00:00:00Z",
    "1999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-01:00", "2100-01-01T00:00:00Z",
    "", " ", "now", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z",
    "2026-01-01T00:00:00+25:00", "2026-01-01T00:00:00.123456789Z", "2026-01-01", "2026-W01-1", "T",
    "2026-01-01T00:00:00ZZ", "\x00", "2026-01-01T00:00:00\x00Z", "+10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
    "2026-01-01T00:00:00+14:00", "2026-01-01T00:00:00-12:00", "１９７０-01-01T00:00:00Z", "2026-01-01T00:00:60Z",
]
ODD_TIME = st.one_of(
    st.sampled_from(ODD_TIMES),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(
        lambda value: value.isoformat() + "Z"),
    st.builds(lambda value, hours: value.isoformat() + f"{hours:+03d}:00",
              st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)), st.integers(-14, 14)),
    st.integers(-10**7, 10**7).map(When),   # within 19 years of now, most of it implausible
    st.text(max_size=30),
)
ODD_SCALAR = st.one_of(st.none(), st.booleans(), EXTREME_NUMBER, ODD_TEXT, ODD_TIME)
ODD_VALUE = st.recursive(
    ODD_SCALAR,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(ODD_CHARS)),
                                               children, max_size=4)),
    max_leaves=10,
)


def sometimes(sane, odd, *more):
    """``sane`` half of the time, else one of the odd strategies."""
    return st.one_of(sane, sane, odd, *more)


def short_text(max_length):
    return sometimes(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=max_length),
                     ODD_TEXT, ODD_VALUE)


CONNECTOR = sometimes(st.sampled_from([1, 1, 2, 0]), EXTREME_INT, ODD_VALUE)
# minutes from the run's start: around it, and around the edges of the plausible window
TIME = sometimes(st.one_of(st.integers(-10, 10), st.sampled_from([-1440, -60, -9, -1, 1, 9, 14, 16])).map(When),
                 ODD_TIME, ODD_VALUE)
METER = sometimes(st.integers(0, 200_000), EXTREME_NUMBER, ODD_VALUE)
ID_TAG = st.one_of(st.just(CARD), st.just(CARD), st.just(""), st.sampled_from(["CARD0001", "CARD0002", "EBIKE0001"]),
                   short_text(20), ODD_VALUE)
TRANSACTION = st.one_of(
    st.builds(Tx, st.just("own"), st.integers(0, 9)),
    st.builds(Tx, st.just("own"), st.integers(0, 9)),
    st.builds(Tx, st.just("other"), st.integers(0, 99)),
    st.builds(Tx, st.just("literal"), EXTREME_INT),
    ODD_VALUE,
)


def enum(values):
    return sometimes(st.sampled_from(values), ODD_TEXT, ODD_VALUE)


MEASURANDS = ["Energy.Active.Import.Register", "Power.Active.Import", "Current.Import", "Voltage", "SoC",
              "Temperature", "Energy.Active.Export.Register", "Frequency", "RPM"]
UNITS = ["Wh", "kWh", "W", "kW", "A", "V", "Percent", "Celsius", "Celcius", "K", "Fahrenheit", "varh"]
SAMPLED_VALUE = st.fixed_dictionaries(
    {"value": sometimes(st.integers(0, 200_000).map(str), NUMERIC_TEXT, ODD_VALUE)},
    optional={"measurand": enum(MEASURANDS), "unit": enum(UNITS), "phase": enum(["L1", "L2", "L3", "N", "L1-N"]),
              "location": enum(["Outlet", "EV", "Body", "Cable", "Inlet"]),
              "context": enum(["Sample.Periodic", "Transaction.Begin", "Transaction.End"]),
              "format": enum(["Raw", "SignedData"])},
)
METER_VALUE = st.fixed_dictionaries({"timestamp": TIME,
                                     "sampledValue": st.lists(SAMPLED_VALUE, min_size=1, max_size=4)})

PAYLOADS = {
    "BootNotification": st.fixed_dictionaries(
        {"chargePointVendor": short_text(20), "chargePointModel": short_text(20)},
        optional={"firmwareVersion": short_text(50), "iccid": short_text(20), "imsi": short_text(20),
                  "chargePointSerialNumber": short_text(25), "meterType": short_text(25)}),
    "Heartbeat": st.builds(dict),
    "StatusNotification": st.fixed_dictionaries(
        {"connectorId": CONNECTOR,
         "errorCode": enum(["NoError", "NoError", "GroundFailure", "OtherError", "HighTemperature"]),
         "status": enum(["Available", "Preparing", "Charging", "Finishing", "Faulted", "Unavailable", "Reserved"])},
        optional={"timestamp": TIME, "info": short_text(50), "vendorErrorCode": short_text(50),
                  "vendorId": short_text(255)}),
    "Authorize": st.fixed_dictionaries({"idTag": ID_TAG}),
    "StartTransaction": st.fixed_dictionaries(
        {"connectorId": CONNECTOR, "idTag": ID_TAG, "meterStart": METER, "timestamp": TIME},
        optional={"reservationId": EXTREME_INT}),
    "MeterValues": st.fixed_dictionaries(
        {"connectorId": CONNECTOR, "meterValue": st.lists(METER_VALUE, min_size=1, max_size=3)},
        optional={"transactionId": TRANSACTION}),
    "StopTransaction": st.fixed_dictionaries(
        {"transactionId": TRANSACTION, "meterStop": METER, "timestamp": TIME},
        optional={"idTag": ID_TAG, "reason": enum(["Local", "Remote", "EVDisconnected", "PowerLoss"]),
                  "transactionData": st.lists(METER_VALUE, max_size=3)}),
    "DataTransfer": st.fixed_dictionaries(
        {"vendorId": st.one_of(st.just("charge_ops"), st.just("charge_ops"), short_text(255))},
        optional={
            "messageId": st.one_of(st.just("TransactionAmount"), st.just("TransactionAmount"),
                                   st.sampled_from(["SetTariff", "SetQRCode"]), short_text(50)),
            "data": st.one_of(
                st.builds(lambda tx, amount: JsonText({"transactionId": tx, "amount": amount}),
                          TRANSACTION, st.one_of(NUMERIC_TEXT, EXTREME_NUMBER, st.integers(0, 10_000).map(str))),
                ODD_TEXT, st.builds(JsonText, ODD_VALUE)),
        }),
    "FirmwareStatusNotification": st.fixed_dictionaries(
        {"status": enum(["Downloaded", "Downloading", "Installed", "InstallationFailed", "Idle"])}),
    "DiagnosticsStatusNotification": st.fixed_dictionaries({"status": enum(["Idle", "Uploaded", "Uploading"])}),
}
ACTIONS = sorted(PAYLOADS)
ODD_ACTIONS = ["heartbeat", "HEARTBEAT", "Heartbeat ", " Heartbeat", "Heartbeat\x00", "", "RemoteStartTransaction",
               "Reset", "GetConfiguration", "SetChargingProfile", "UpdateFirmware", "SignCertificate",
               "__init__", "_ocpp_boot_notification", "unlink", "write", "sudo", "Heartbeat\u202e", "🙂"]


@st.composite
def mutated(draw, payload):
    """``payload`` with up to three structural mutations: a value replaced
    by anything, a key deleted, a key added, a value wrapped in a list."""
    count = draw(st.sampled_from([0, 0, 1, 1, 2, 3]))
    payload = copy.deepcopy(payload)
    for _ in range(count):
        holders = []

        def walk(value):
            if isinstance(value, dict):
                holders.extend((value, key) for key in value)
                for child in value.values():
                    walk(child)
            elif isinstance(value, list):
                holders.extend((value, index) for index in range(len(value)))
                for child in value:
                    walk(child)

        walk(payload)
        operation = draw(st.sampled_from(["replace", "replace", "delete", "add", "wrap", "null"]))
        if operation == "add" or not holders:
            payload[draw(st.one_of(st.sampled_from(["extra", "connectorId", "__proto__", "id"]), ODD_TEXT))] = \
                draw(ODD_VALUE)
            continue
        holder, key = holders[draw(st.integers(0, len(holders) - 1))]
        if operation == "delete":
            del holder[key]
        elif operation == "wrap":
            holder[key] = [holder[key]]
        elif operation == "null":
            holder[key] = None
        else:
            holder[key] = draw(ODD_VALUE)
    return payload


@st.composite
def call_of(draw, actions=ACTIONS, mutate=True):
    action = draw(st.sampled_from(actions))
    payload = draw(PAYLOADS[action])
    if mutate:
        payload = draw(mutated(payload))
    return [2, MID, action, payload]


SHAPES = st.one_of(
    ODD_SCALAR,
    st.dictionaries(st.text(max_size=5), ODD_VALUE, max_size=3),
    st.lists(ODD_VALUE, max_size=7),
    st.sampled_from([[], [2], [2, MID], [2, MID, "Heartbeat"], [2, MID, "Heartbeat", {}, {}], [3], [3, MID],
                     [4, MID], [4, MID, "GenericError"], [2, MID, "Heartbeat", {}, None]]),
    st.builds(lambda kind, action: [kind, MID, action, {}],
              st.one_of(st.sampled_from([0, 1, 5, -1, 2.0, "2", True, None, 2**64, Raw("NaN"), Raw("2e0")]),
                        ODD_SCALAR),
              st.sampled_from(["Heartbeat", "StatusNotification"])),
    st.builds(lambda action: [2, MID, action, {}], st.one_of(st.sampled_from(ODD_ACTIONS), ODD_VALUE)),
    st.builds(lambda payload: [2, MID, "Heartbeat", payload],
              st.one_of(st.lists(ODD_VALUE, max_size=3), ODD_SCALAR)),
    st.builds(lambda action, payload: [2, MID, action, payload],
              st.sampled_from(ACTIONS), st.one_of(st.lists(ODD_VALUE, max_size=2), ODD_SCALAR)),
    st.builds(lambda pairs: [2, MID, "StatusNotification", Pairs(pairs)],
              st.lists(st.tuples(st.sampled_from(["connectorId", "errorCode", "status", "timestamp"]), ODD_VALUE),
                       max_size=6)),
)
ODD_IDS = st.one_of(
    st.sampled_from(["", "\x00", "a\x00b", "\x00" * 36, "-1", "\ud800", "\udfff\ud800", "x" * 37, "x" * 1000,
                     "🙂" * 36, "🙂" * 37, "\u202eabc", "../../x", "%s%s", "'; DROP TABLE charge_pile; --", " ",
                     "\t", "\n", "\x7f", "中" * 36]),
    st.text(max_size=50),
    st.sampled_from([None, 0, 1, -1, 1.5, True, [], {}, Raw("NaN"), Raw("Infinity"), 10**30, ["x"], {"id": "x"}]),
)
RESULTS = st.one_of(
    st.builds(lambda payload: [3, MID, payload],
              st.one_of(st.just({}), st.dictionaries(st.text(max_size=8), ODD_VALUE, max_size=3),
                        st.fixed_dictionaries({"status": st.sampled_from(["Accepted", "Rejected", "Unknown"])}))),
    st.builds(lambda code, text, details: [4, MID, code, text, details],
              st.one_of(st.sampled_from(["GenericError", "InternalError", "NotImplemented", ""]), ODD_TEXT),
              ODD_TEXT, st.one_of(st.just({}), ODD_VALUE)),
    st.builds(lambda rest: [3, MID, *rest], st.lists(ODD_VALUE, max_size=3)),
    st.builds(lambda rest: [4, MID, *rest], st.lists(ODD_VALUE, max_size=5)),
)
BYTES = st.one_of(
    st.binary(max_size=300),
    st.binary(min_size=1, max_size=40).map(lambda chunk: b'[2,"' + chunk + b'","Heartbeat",{}]'),
    st.sampled_from([b"", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf[2,\"x\",\"Heartbeat\",{}]", b"[", b"]" * 10,
                     b"\x80" * 100, b"[2,\"x\",\"Heartbeat\",{}]" * 3, b"null", b"\x00" * 1000]),
)
MANGLE_OPERATIONS = ["truncate", "flip", "nul", "nul", "latin1", "utf16", "overlong_nul", "surrogate",
                     "trailing", "bom", "control"]
# around the limits of PROTOCOL.md (nesting 12, 128 KiB a frame, 100 meter
# values, 48 sampled values, 300 transaction data) and Python's recursion limit
DEEP_DEPTHS = [11, 12, 13, 64, 500, 990, 1000, 1001, 3000, 10_000, 100_000]
HUGE_COUNTS = [48, 49, 99, 100, 101, 300, 301, 1_000, 5_000, 20_000]
HUGE_LENGTHS = [10_000, 65_535, 65_537, 130_950, 131_000, 131_050, 262_145, 1_048_577, 3_000_000]


def huge_bodies():
    """Every huge frame: long arrays of samples or meter values, long strings."""
    bodies = []
    for count in HUGE_COUNTS:
        sample = {"value": "150", "measurand": "SoC", "unit": "Percent"}
        bodies.append([2, MID, "MeterValues", {"connectorId": 1, "transactionId": Tx("own", 0), "meterValue": [
            {"timestamp": When(0), "sampledValue": Many(sample, count)}]}])
        bodies.append([2, MID, "MeterValues", {"connectorId": 1, "transactionId": Tx("own", 0), "meterValue": Many(
            {"timestamp": When(0), "sampledValue": [{"value": "1000"}]}, count)}])
        bodies.append([2, MID, "StopTransaction", {"transactionId": Tx("own", 1), "meterStop": 5000,
                                                   "timestamp": When(1), "transactionData": Many(
            {"timestamp": When(0), "sampledValue": [{"value": "1000"}]}, count)}])
    for length in HUGE_LENGTHS:
        bodies += [
            [2, MID, "DataTransfer", {"vendorId": "charge_ops", "messageId": "x", "data": Repeat("x", length)}],
            [2, MID, "Authorize", {"idTag": Repeat("中", length // 3)}],
            [2, MID, "BootNotification", {"chargePointVendor": Repeat("V", length), "chargePointModel": "M"}],
            [2, MID, "Heartbeat", {"padding": Repeat("\x00", length // 6)}],
            [2, MID, "Heartbeat", {"padding": Repeat("🙂", length // 4)}],
            [2, Repeat("i", length), "Heartbeat", {}],
        ]
    return bodies


def deep_bodies():
    """Every deep frame: nested arrays or objects, alone or inside a frame."""
    bodies = []
    for depth in DEEP_DEPTHS:
        for opener in "[{":
            deep = Deep(depth, opener)
            bodies += [
                deep,
                [2, deep, "Heartbeat", {}],
                [2, MID, "DataTransfer", {"vendorId": "charge_ops", "data": deep}],
                [2, MID, "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available",
                                                "info": deep}],
            ]
    return bodies + [Deep(1_000_000, "[")]


@st.composite
def foreign_body(draw):
    """A well-formed StopTransaction or MeterValues naming another pile's session."""
    tx = Tx("other", draw(st.integers(0, 99)))
    if draw(st.booleans()):
        return [2, MID, "StopTransaction", {"transactionId": tx, "meterStop": draw(st.integers(0, 10**6)),
                                            "timestamp": When(draw(st.integers(0, 5))), "reason": "Local"}]
    return [2, MID, "MeterValues", {"connectorId": draw(st.sampled_from([1, 2])), "transactionId": tx,
                                    "meterValue": [draw(METER_VALUE)]}]


# kind -> weight (per ten thousand frames)
KINDS = {
    "ocpp": 4800,         # every action the pile sends, with hostile fields and mutations
    "valid": 900,         # schema-valid actions with extreme values (they reach the handlers)
    "foreign": 400,       # other piles' transactions
    "shape": 800,         # valid JSON, not an OCPP-J frame
    "odd_id": 400,        # hostile message ids
    "result": 500,        # CALLRESULT / CALLERROR for unknown message ids
    "dup_same": 300,      # a message id again, same bytes
    "dup_diff": 300,      # a message id again, other content
    "bytes": 700,         # random bytes
    "mangled": 661,       # a frame broken at byte level: NUL, non-UTF-8, truncated...
    "deep": 30,           # deep nesting (every one of deep_bodies() in turn)
    "huge": 9,            # huge strings and arrays (every one of huge_bodies() in turn)
}
# hypothesis draws this many specs of each kind; ``expand`` combines them
CORPUS = {**{action: 100 for action in ACTIONS}, "foreign": 200, "shape": 400, "odd_id": 300, "result": 300,
          "dup_same": 100, "dup_diff": 200, "bytes": 300, "mangled": 300}


def kind_specs(kind):
    """The hypothesis strategy of one kind of spec."""
    if kind in ACTIONS:    # one action, in turn mutated and not
        return st.builds(lambda mutated, valid: [Spec("ocpp", mutated), Spec("valid", valid)],
                         call_of([kind]), call_of([kind], mutate=False))
    if kind == "foreign":
        return st.builds(Spec, st.just(kind), foreign_body())
    if kind == "shape":
        return st.builds(Spec, st.just(kind), SHAPES)
    if kind == "odd_id":
        return st.builds(lambda body, message_id: Spec(kind, [body[0], message_id, *body[2:]]),
                         st.one_of(call_of(mutate=False), RESULTS), ODD_IDS)
    if kind == "result":
        return st.builds(Spec, st.just(kind), RESULTS)
    if kind in ("dup_same", "dup_diff"):
        return st.builds(Spec, st.just(kind), call_of(mutate=False), st.just(kind[4:]))
    if kind == "bytes":
        return st.builds(Spec, st.just(kind), BYTES)
    if kind == "mangled":
        return st.builds(lambda body, operation, at: Spec(kind, Mangled(body, operation, at)),
                         call_of(mutate=False), st.sampled_from(MANGLE_OPERATIONS), st.floats(0, 1))
    raise ValueError(kind)


def _draw(strategy, count, batch, random_seed):
    """``count`` examples of ``strategy``, drawn by hypothesis with a fixed seed
    and no example database: the same ones every time."""
    drawn = []

    @seed(random_seed)
    @settings(database=None, max_examples=count // batch + 1, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(st.lists(strategy, min_size=batch, max_size=batch))
    def collect(chunk):
        drawn.extend(chunk)

    while len(drawn) < count:
        before = len(drawn)
        collect()
        if len(drawn) == before:
            raise RuntimeError("hypothesis drew nothing")
        random_seed += 1
        collect = seed(random_seed)(collect)
    return drawn[:count]


def draw_corpus(scale=1.0, random_seed=20261110):
    """kind -> specs: hypothesis draws ``CORPUS`` (times ``scale``) specs of
    each kind; deep and huge frames are enumerated."""
    corpus = {kind: _draw(kind_specs(kind), max(int(size * scale), 5), 5, random_seed + number)
              for number, (kind, size) in enumerate(CORPUS.items())}
    for action in ACTIONS:
        for pair in corpus.pop(action):
            for spec in pair:
                corpus.setdefault(spec.kind, []).append(spec)
    corpus["deep"] = [Spec("deep", body) for body in deep_bodies()]
    corpus["huge"] = [Spec("huge", body) for body in huge_bodies()]
    return corpus


def _is_action_frame(body):
    return (isinstance(body, list) and len(body) == 4 and body[0] == 2 and body[1] is MID
            and body[2] in PAYLOADS and isinstance(body[3], dict))


def expand(corpus, count, random_seed=20261110, kinds=None):
    """``count`` specs from the corpus, kinds in the proportions of ``KINDS``:
    a spec of the corpus, and half of the action frames crossed with others of
    the same action (one to three fields taken from them, or deleted), so that
    hostile values drawn once meet in new combinations. Deep and huge frames
    come in turn. Seeded: the same specs every time."""
    rng = random.Random(random_seed)
    fields_by_action = {}
    for spec in corpus["ocpp"] + corpus["valid"]:
        if _is_action_frame(spec.body):
            for key, value in spec.body[3].items():
                fields_by_action.setdefault(spec.body[2], {}).setdefault(key, []).append(value)
    names, weights = zip(*(kinds or KINDS).items())
    turns = {"deep": 0, "huge": 0}
    expanded = []
    for kind in rng.choices(names, weights, k=count):
        if kind in turns:
            expanded.append(corpus[kind][turns[kind] % len(corpus[kind])])
            turns[kind] += 1
            continue
        spec = rng.choice(corpus[kind])
        if kind in ("ocpp", "valid", "dup_diff") and _is_action_frame(spec.body) and rng.random() < 0.5:
            action, payload = spec.body[2], dict(spec.body[3])
            pool = fields_by_action.get(action) or {}
            for _ in range(rng.randint(1, 3)):
                if not pool:
                    break
                key = rng.choice(sorted(pool))
                if rng.random() < 0.1:
                    payload.pop(key, None)
                else:
                    payload[key] = rng.choice(pool[key])
            spec = Spec(kind, [2, MID, action, payload], spec.dup)
        expanded.append(Spec(spec.kind, spec.body, spec.dup, rng.randrange(2**16)))
    return expanded


# Rendering ---------------------------------------------------------------------

@dataclass
class Context:
    """What the placeholders of one pile's frames stand for."""
    card: str
    own: list            # transaction ids of the pile's own sessions, the latest last (it may grow meanwhile)
    others: list         # transaction ids of other piles' sessions, which this pile must never touch
    protected: set       # ids a literal transaction id must not hit (this pile's sessions kept for others)
    clock: datetime      # naive UTC time of the start of the run


def iso_time(clock, minutes):
    try:
        return (clock + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    except OverflowError:
        return "9999-12-31T23:59:59Z" if minutes > 0 else "0001-01-01T00:00:00Z"


def _string(text):
    if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        return json.dumps(text)   # lone surrogates only exist as \\u escapes
    return json.dumps(text, ensure_ascii=False)


def _number(value):
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return str(value)


def render_json(value, ctx, mid):
    """JSON text of a template, placeholders resolved."""
    out = []
    _render(value, ctx, mid, out)
    return "".join(out)


def _render(value, ctx, mid, out):
    if isinstance(value, Raw):
        out.append(str(value))
    elif value is MID:
        out.append(_string(mid))
    elif value is CARD:
        out.append(_string(ctx.card))
    elif value is None:
        out.append("null")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, (int, float)):
        out.append(_number(value))
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, Tx):
        if value.whose == "own":   # one of the ten latest
            own = ctx.own
            out.append(str(own[-1 - value.index % min(len(own), 10)] if own else 0))
        elif value.whose == "other":
            out.append(str(ctx.others[value.index % len(ctx.others)] if ctx.others else 0))
        else:
            number = value.index
            out.append(str(-number if number in ctx.protected else number))
    elif isinstance(value, When):
        out.append(_string(iso_time(ctx.clock, value.minutes)))
    elif isinstance(value, JsonText):
        out.append(_string(render_json(value.value, ctx, mid)))
    elif isinstance(value, Repeat):
        out.append(_string(value.text * value.count))
    elif isinstance(value, Many):
        item = render_json(value.item, ctx, mid)
        out.append("[" + ",".join([item] * value.count) + "]")
    elif isinstance(value, Deep):
        closer = "]" if value.opener == "[" else "}"
        opener = "[" if value.opener == "[" else '{"a":'
        out.append(opener * value.depth + "1" + closer * value.depth)
    elif isinstance(value, Pairs):
        out.append("{" + ",".join(_string(key) + ":" + render_json(item, ctx, mid) for key, item in value.pairs)
                   + "}")
    elif isinstance(value, dict):
        out.append("{")
        for position, (key, item) in enumerate(value.items()):
            if position:
                out.append(",")
            out.append(_string(str(key)))
            out.append(":")
            _render(item, ctx, mid, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _render(item, ctx, mid, out)
        out.append("]")
    else:
        raise TypeError(f"cannot render {value!r}")


def _mangle(data, operation, at):
    cut = int(len(data) * at)
    if operation == "truncate":
        return data[:cut]
    if operation == "flip":
        return data[:cut] + bytes([data[cut] ^ 0x80]) + data[cut + 1:] if cut < len(data) else data + b"\x80"
    if operation == "nul":
        return data[:cut] + b"\x00" + data[cut:]
    if operation == "latin1":
        return data.decode("utf-8").encode("latin-1", "replace").replace(b'"', b'"\xe9', 1)
    if operation == "utf16":
        return data.decode("utf-8").encode("utf-16")
    if operation == "overlong_nul":
        return data[:cut] + b"\xc0\x80" + data[cut:]
    if operation == "surrogate":
        return data[:cut] + b"\xed\xa0\x80" + data[cut:]
    if operation == "trailing":
        return data + b" trailing"
    if operation == "bom":
        return b"\xef\xbb\xbf" + data
    return data.replace(b'"', b'"\x01\x1f', 1)   # raw control characters inside a JSON string


# What the platform owes each frame --------------------------------------------------

CALL_KINDS = {"ocpp", "valid", "foreign", "shape", "dup_same", "dup_diff", "result", "odd_id"}


def readable_id(value):
    """True when ``value`` is a message id the platform can echo: a string of
    1 to 36 characters without control characters or lone surrogates."""
    return (isinstance(value, str) and not isinstance(value, Raw) and 1 <= len(value) <= 36 and value != "-1"
            and not any(unicodedata.category(char) in ("Cc", "Cs") for char in value))


@dataclass
class Sent:
    """One frame as published."""
    kind: str
    data: bytes
    key: str = None          # message id to find the answer or the log row by; None: unreadable
    expects_answer: bool = False   # a well-formed CALL with a readable id: must be answered


@dataclass
class PileSequence:
    """Turns one pile's specs into frames, message ids included."""
    pile_number: int
    run_tag: str
    ctx: Context
    counter: int = 0
    used_ids: set = field(default_factory=set)
    calls: list = field(default_factory=list)      # (message id, bytes) of earlier CALLs, for duplicates

    def fresh_id(self):
        self.counter += 1
        return f"{self.run_tag}-{self.pile_number:x}-{self.counter:x}"

    def frame(self, spec):
        body = spec.body
        if spec.dup and self.calls:
            message_id, data = self.calls[spec.ref % len(self.calls)]
            if spec.dup == "same":
                return Sent(spec.kind, data, message_id, True)
            return Sent(spec.kind, render_json(body, self.ctx, message_id).encode("utf-8"), message_id, True)
        if isinstance(body, (bytes, Mangled)):
            data = body if isinstance(body, bytes) else _mangle(
                render_json(body.body, self.ctx, self.fresh_id()).encode("utf-8"), body.operation, body.at)
            return self._bytes_frame(spec.kind, data)
        mid = self.fresh_id()
        key = None
        if isinstance(body, list) and len(body) >= 2:
            if body[1] is MID:
                key = mid
            elif readable_id(body[1]):
                if body[1] in self.used_ids:     # a readable id serves once per pile
                    body = [body[0], MID, *body[2:]]
                    key = mid
                else:
                    key = body[1]
            self.used_ids.add(key)
        data = render_json(body, self.ctx, mid).encode("utf-8")
        expects_answer = (spec.kind in CALL_KINDS and key is not None and isinstance(body, list)
                          and len(body) == 4 and type(body[0]) is int and body[0] == 2)
        if expects_answer and spec.kind in ("ocpp", "valid", "foreign"):
            self.calls.append((key, data))
            del self.calls[:-1000]
        return Sent(spec.kind, data, key, expects_answer)


    def _bytes_frame(self, kind, data):
        """Bytes that still make a frame with a readable id are owed like one
        (a second one with the same id and bytes is a duplicate: answered, not logged)."""
        try:
            frame = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return Sent(kind, data)
        if not (isinstance(frame, list) and len(frame) >= 2 and readable_id(frame[1])):
            return Sent(kind, data)
        self.used_ids.add(frame[1])
        return Sent(kind, data, frame[1], len(frame) == 4 and type(frame[0]) is int and frame[0] == 2)


def describe(data, limit=300):
    """A short, printable view of a frame's bytes, for reports."""
    text = data[:limit].decode("utf-8", "backslashreplace")
    text = text.encode("unicode_escape").decode("ascii")
    return text + (f"... ({len(data)} bytes)" if len(data) > limit else "")


def utc_now():
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
