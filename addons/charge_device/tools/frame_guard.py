"""Limits and value checks of the frames piles send: every field is hostile.

The frame itself (size, nesting, JSON numbers, messageId, action) is checked by
``ocpp_frames.decode``; this module checks a CALL's payload, around its schema
validation, and says what the platform does with what it refuses
(readme/PROTOCOL.md, *Limits and hostile input*):

- a CALL beyond a limit is refused with a CALLERROR (the code below);
- except a StopTransaction, which must close its session: it loses only the
  offending optional parts (transactionData, idTag) and an out-of-range
  meterStop is replaced by the session's last known register;
- a sampled value the platform stores that is not a finite number in its
  range is dropped, the rest of the frame is processed;
- a timestamp that cannot be read or lies outside the window around the
  platform's clock is replaced by the receive time, and the pile's clock set.

Pure Python, cheap: no copy of a payload unless something in it is dropped or
replaced.
"""
import re
from dataclasses import dataclass, field
from datetime import timedelta

from . import ocpp_frames as frames
from .ocpp_frames import CONTROL_CHARACTERS, MAX_DEPTH, MAX_FRAME_BYTES  # noqa: F401 - the limits in one place
from .ocpp_values import format_time, parse_time, sample_value

INT4_MIN, INT4_MAX = -2 ** 31, 2 ** 31 - 1
MAX_CONNECTOR_ID = 100
MAX_METER_VALUES = 100          # meterValue entries of a MeterValues
MAX_SAMPLED_VALUES = 48         # sampledValue of one entry: 6 measurands x 4 phases x 2 locations
MAX_TRANSACTION_DATA = 300      # transactionData entries of a StopTransaction
# the window of plausible timestamps around the platform's clock
MAX_CLOCK_AHEAD = timedelta(minutes=15)
MAX_AGE = timedelta(days=30)    # offline piles upload late; system parameter charge_device.frame_max_age_days
# alarm 5003: this many counted frames of one pile within the window
INVALID_FRAME_THRESHOLD = 10
INVALID_FRAME_WINDOW = timedelta(minutes=10)
# a pile whose clock is off is asked for a Heartbeat (whose answer sets it) at most this often
CLOCK_SYNC_INTERVAL = timedelta(hours=1)

# frame log codes (charge.device.message.error_code) of frames processed with a correction
VALUE_DROPPED = "ValueDropped"
TIMESTAMP_REPLACED = "TimestampReplaced"
MESSAGE_ID_REUSED = "MessageIdReused"                      # since the pile's last boot
MESSAGE_ID_REUSED_AFTER_BOOT = "MessageIdReusedAfterBoot"  # a rebooted pile may restart its counter
# codes counted against a pile for alarm 5003: every CALLERROR the platform
# sends, invalid answers, dropped values and message ids reused within a boot
COUNTED_CODES = frozenset({
    frames.NOT_IMPLEMENTED, frames.NOT_SUPPORTED, frames.INTERNAL_ERROR, frames.PROTOCOL_ERROR,
    frames.SECURITY_ERROR, frames.FORMATION_VIOLATION, frames.PROPERTY_CONSTRAINT_VIOLATION,
    frames.OCCURENCE_CONSTRAINT_VIOLATION, frames.TYPE_CONSTRAINT_VIOLATION, frames.GENERIC_ERROR,
    VALUE_DROPPED, MESSAGE_ID_REUSED,
})
# a free text where line breaks and tabs are allowed
_FREE_TEXT = {("DataTransfer", "data")}
_CONTROL_BUT_WHITESPACE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CONNECTOR_ACTIONS = ("StatusNotification", "StartTransaction", "MeterValues")


@dataclass
class Checked:
    """A CALL's payload as the handlers get it, and what was changed in it."""
    payload: dict
    notes: list = field(default_factory=list)   # (code, text) of what was dropped or replaced
    clock_skew: timedelta = None                # the largest offset of a replaced timestamp (None: unreadable)
    clock_off: bool = False                     # a timestamp was replaced: the pile's clock must be set
    last_meter: bool = False                    # meterStop dropped: the bus puts the session's last register

    def note(self, code, text):
        self.notes.append((code, text))


def check_call(call, now, validate=None, max_age=MAX_AGE, max_ahead=MAX_CLOCK_AHEAD, raw=None):
    """The Checked payload of ``call`` (an ocpp_frames.Call from a pile) received
    at ``now`` (naive UTC); raises FrameError when it is refused. ``validate``
    (the schema validation, given the Call) runs after the size checks, which
    keep it cheap, and before the value checks, which rely on the types.
    ``raw``, the frame's bytes, spares the walk through its strings when it
    cannot hold a control character."""
    checked = Checked(call.payload)
    try:
        _check_sizes(call.action, checked)
        if validate:
            validate(call if checked.payload is call.payload else frames.Call(call.message_id, call.action,
                                                                               checked.payload))
        _check_values(call.action, checked, now, now - max_age, now + max_ahead)
        if not _plain(raw):
            _check_strings(call.action, checked.payload)
    except frames.FrameError as error:
        if error.message_id == frames.UNKNOWN_MESSAGE_ID:
            error.message_id = call.message_id
        raise
    return checked


def check_answer(frame, raw=None):
    """Raise FrameError (never answered) unless the strings of a CALLRESULT or
    CALLERROR are free of control characters (line breaks and tabs allowed)."""
    if _plain(raw):
        return
    message_type = frames.CALLERROR if isinstance(frame, frames.CallError) else frames.CALLRESULT
    values = [frame.payload] if message_type == frames.CALLRESULT else [
        frame.error_code, frame.description, frame.details]
    for path, text in _strings(values):
        if _CONTROL_BUT_WHITESPACE.search(text):
            raise frames.FrameError(frames.PROPERTY_CONSTRAINT_VIOLATION,
                                    f"{path or 'frame'}: control character", frame.message_id,
                                    message_type=message_type)


# Sizes --------------------------------------------------------------------------

def _too_long(entries, limit):
    return isinstance(entries, list) and len(entries) > limit


def _oversized_samples(entries):
    return isinstance(entries, list) and any(
        isinstance(entry, dict) and _too_long(entry.get("sampledValue"), MAX_SAMPLED_VALUES) for entry in entries)


def _check_sizes(action, checked):
    payload = checked.payload
    if action == "MeterValues":
        entries = payload.get("meterValue")
        if _too_long(entries, MAX_METER_VALUES):
            raise frames.FrameError(frames.OCCURENCE_CONSTRAINT_VIOLATION,
                                    f"MeterValues meterValue: at most {MAX_METER_VALUES} entries")
        if _oversized_samples(entries):
            raise frames.FrameError(frames.OCCURENCE_CONSTRAINT_VIOLATION,
                                    f"MeterValues sampledValue: at most {MAX_SAMPLED_VALUES} per entry")
    elif action == "StopTransaction":
        entries = payload.get("transactionData")
        if _too_long(entries, MAX_TRANSACTION_DATA) or _oversized_samples(entries):
            checked.payload = {key: value for key, value in payload.items() if key != "transactionData"}
            checked.note(VALUE_DROPPED, f"transactionData beyond {MAX_TRANSACTION_DATA} entries or "
                                        f"{MAX_SAMPLED_VALUES} samples per entry dropped")


# Values ---------------------------------------------------------------------------

def _int_in(payload, key, low, high, action):
    value = payload.get(key)
    if value is not None and not low <= value <= high:
        raise frames.FrameError(frames.PROPERTY_CONSTRAINT_VIOLATION,
                                f"{action} {key}: out of range {low}..{high}")


def _id_tag_missing(value):
    return not value.strip() or CONTROL_CHARACTERS.search(value)


def _check_values(action, checked, now, oldest, latest):
    payload = checked.payload
    if action in _CONNECTOR_ACTIONS:
        _int_in(payload, "connectorId", 0, MAX_CONNECTOR_ID, action)
    if action in ("Authorize", "StartTransaction") and _id_tag_missing(payload["idTag"]):
        raise frames.FrameError(frames.PROPERTY_CONSTRAINT_VIOLATION,
                                f"{action} idTag: empty or with control characters")
    if action == "StartTransaction":
        _int_in(payload, "meterStart", 0, INT4_MAX, action)
        _int_in(payload, "reservationId", INT4_MIN, INT4_MAX, action)
    elif action == "MeterValues":
        _int_in(payload, "transactionId", INT4_MIN, INT4_MAX, action)
    elif action == "StopTransaction":
        _int_in(payload, "transactionId", INT4_MIN, INT4_MAX, action)
        changes = {}
        if not 0 <= payload["meterStop"] <= INT4_MAX:
            checked.last_meter = True
            changes["meterStop"] = 0  # the bus puts the session's last register instead
            checked.note(VALUE_DROPPED, f"meterStop out of range 0..{INT4_MAX}: the last known register is kept")
        if "idTag" in payload and _id_tag_missing(payload["idTag"]):
            changes["idTag"] = None
            checked.note(VALUE_DROPPED, "idTag empty or with control characters dropped")
        if changes:
            checked.payload = payload = {key: value for key, value in {**payload, **changes}.items()
                                         if value is not None}
    # times
    if isinstance(payload.get("timestamp"), str):
        text = _plausible_time(payload["timestamp"], now, oldest, latest, checked, action)
        if text is not payload["timestamp"]:
            checked.payload = payload = {**payload, "timestamp": text}
    for key in ("meterValue", "transactionData"):
        if isinstance(payload.get(key), list):
            entries = _check_entries(payload[key], now, oldest, latest, checked, f"{action} {key}")
            if entries is not payload[key]:
                checked.payload = payload = {**payload, key: entries}


def _plausible_time(text, now, oldest, latest, checked, where):
    """``text`` when it is a time within [oldest, latest]; else the receive time."""
    try:
        value = parse_time(text)
    except (TypeError, ValueError, OverflowError):
        value = None
    if value is not None and oldest <= value <= latest:
        return text
    checked.clock_off = True
    if value is not None:
        skew = value - now
        if checked.clock_skew is None or abs(skew) > abs(checked.clock_skew):
            checked.clock_skew = skew
        checked.note(TIMESTAMP_REPLACED, f"{where} timestamp {text} is {_seconds(skew)} s off the platform's "
                                         "clock: replaced by the receive time")
    else:
        checked.note(TIMESTAMP_REPLACED, f"{where} timestamp {text[:40]!r} unreadable: replaced by the receive time")
    return format_time(now)


def _seconds(delta):
    return f"{delta.total_seconds():+.0f}"


def _check_entries(entries, now, oldest, latest, checked, where):
    """MeterValue entries with their implausible times replaced and their bad
    stored samples dropped; ``entries`` itself when nothing changed."""
    result, changed = [], False
    for entry in entries:
        samples = entry.get("sampledValue")
        kept = [sample for sample in samples if _sample_ok(sample, checked, where)]
        text = _plausible_time(entry["timestamp"], now, oldest, latest, checked, where)
        if len(kept) != len(samples) or text is not entry["timestamp"]:
            entry = {**entry, "sampledValue": kept, "timestamp": text}
            changed = True
        result.append(entry)
    return result if changed else entries


def _sample_ok(sample, checked, where):
    try:
        sample_value(sample)
    except ValueError as error:
        checked.note(VALUE_DROPPED, f"{where}: {error}")
        return False
    if CONTROL_CHARACTERS.search(sample["value"]):
        checked.note(VALUE_DROPPED, f"{where}: {sample.get('measurand', 'value')} with control characters")
        return False
    return True


# Strings ----------------------------------------------------------------------------

# In a frame that JSON accepts, a string holds a control character or a lone
# surrogate only through an escape (a backslash), a raw DEL or a raw C1 character.
_SUSPECT_BYTES = re.compile(rb"[\\\x7f]|\xc2[\x80-\x9f]")


def _plain(raw):
    """True when the frame ``raw`` (bytes) cannot hold a control character."""
    return raw is not None and not _SUSPECT_BYTES.search(raw)


def _strings(values):
    """``(path, text)`` of every string (keys included) in ``values``, without recursion."""
    stack = [("", value) for value in values]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield path, key
                stack.append((f"{path}/{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((path, item) for item in value)


def _check_strings(action, payload):
    for path, text in _strings([payload]):
        pattern = _CONTROL_BUT_WHITESPACE if (action, path) in _FREE_TEXT else CONTROL_CHARACTERS
        if pattern.search(text):
            raise frames.FrameError(frames.PROPERTY_CONSTRAINT_VIOLATION,
                                    f"{action} {path or 'payload'}: control character")
