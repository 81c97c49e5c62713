"""OCPP-J framing (OCPP 1.6 JSON): CALL, CALLRESULT and CALLERROR frames,
message ids and timestamps, as a pile puts them on the wire."""
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

CALL = 2
CALLRESULT = 3
CALLERROR = 4

MAX_MESSAGE_ID_LENGTH = 36

# CALLERROR codes of OCPP 1.6 (section 4.2.3 of OCPP-J 1.6).
ERROR_CODES = frozenset({
    "NotImplemented", "NotSupported", "InternalError", "ProtocolError", "SecurityError",
    "FormationViolation", "PropertyConstraintViolation", "OccurenceConstraintViolation",
    "TypeConstraintViolation", "GenericError",
})

# Actions a central system may send to a charge point in OCPP 1.6 (Core,
# Firmware Management, Local Auth List, Reservation, Smart Charging, Remote
# Trigger). An action in this list that the pile does not handle is answered
# NotSupported; any other action NotImplemented.
CENTRAL_SYSTEM_ACTIONS = frozenset({
    "CancelReservation", "ChangeAvailability", "ChangeConfiguration", "ClearCache",
    "ClearChargingProfile", "DataTransfer", "GetCompositeSchedule", "GetConfiguration",
    "GetDiagnostics", "GetLocalListVersion", "RemoteStartTransaction",
    "RemoteStopTransaction", "ReserveNow", "Reset", "SendLocalList", "SetChargingProfile",
    "TriggerMessage", "UnlockConnector", "UpdateFirmware",
})

# Calls whose loss would lose money: kept while offline and sent in order.
TRANSACTION_ACTIONS = frozenset({"StartTransaction", "MeterValues", "StopTransaction"})


class FrameError(ValueError):
    """Text that is not a valid OCPP-J frame. ``message_id`` is the id read
    from it when there was one (to answer with), else ``"-1"``."""

    def __init__(self, message, message_id="-1", code="ProtocolError", type_id=None):
        super().__init__(message)
        self.message_id = message_id
        self.code = code
        self.type_id = type_id


@dataclass(frozen=True)
class Call:
    message_id: str
    action: str
    payload: dict
    type_id: int = field(default=CALL, init=False)


@dataclass(frozen=True)
class CallResult:
    message_id: str
    payload: dict
    type_id: int = field(default=CALLRESULT, init=False)


@dataclass(frozen=True)
class CallError:
    message_id: str
    code: str
    description: str = ""
    details: dict = field(default_factory=dict)
    type_id: int = field(default=CALLERROR, init=False)


def new_message_id():
    """A fresh message id (a UUID4: 36 characters, the OCPP-J maximum)."""
    return str(uuid.uuid4())


def encode(frame):
    """The JSON text of a Call, CallResult or CallError."""
    if isinstance(frame, Call):
        data = [CALL, frame.message_id, frame.action, frame.payload]
    elif isinstance(frame, CallResult):
        data = [CALLRESULT, frame.message_id, frame.payload]
    elif isinstance(frame, CallError):
        data = [CALLERROR, frame.message_id, frame.code, frame.description, frame.details]
    else:
        raise TypeError(f"not an OCPP-J frame: {frame!r}")
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def call(message_id, action, payload):
    return encode(Call(message_id, action, payload))


def call_result(message_id, payload):
    return encode(CallResult(message_id, payload))


def call_error(message_id, code, description="", details=None):
    return encode(CallError(message_id, code, description, details or {}))


def parse(text):
    """The Call, CallResult or CallError in ``text`` (str or bytes).

    Raises FrameError for anything else: not UTF-8, not JSON, not an array of
    the right shape, unknown message type.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            raise FrameError(f"frame is not UTF-8: {error}") from error
    try:
        data = json.loads(text)
    except ValueError as error:
        raise FrameError(f"frame is not JSON: {error}") from error
    if not isinstance(data, list) or len(data) < 3:
        raise FrameError("frame is not an OCPP-J array")
    type_id, message_id = data[0], data[1]
    if not isinstance(message_id, str) or not message_id:
        raise FrameError("messageId is not a non-empty string", type_id=type_id)
    if len(message_id) > MAX_MESSAGE_ID_LENGTH:
        raise FrameError("messageId is longer than 36 characters", message_id[:MAX_MESSAGE_ID_LENGTH],
                         type_id=type_id)
    if type_id == CALL:
        if len(data) != 4 or not isinstance(data[2], str) or not isinstance(data[3], dict):
            raise FrameError("CALL must be [2, messageId, action, {payload}]", message_id,
                             code="FormationViolation", type_id=CALL)
        return Call(message_id, data[2], data[3])
    if type_id == CALLRESULT:
        if len(data) != 3 or not isinstance(data[2], dict):
            raise FrameError("CALLRESULT must be [3, messageId, {payload}]", message_id,
                             code="FormationViolation")
        return CallResult(message_id, data[2])
    if type_id == CALLERROR:
        if len(data) != 5 or not isinstance(data[2], str) or not isinstance(data[3], str) \
                or not isinstance(data[4], dict):
            raise FrameError("CALLERROR must be [4, messageId, code, description, {details}]",
                             message_id, code="FormationViolation")
        return CallError(message_id, data[2], data[3], data[4])
    raise FrameError(f"unknown message type {type_id!r}", message_id)


def format_time(moment):
    """ISO 8601 UTC text of an aware datetime or a POSIX timestamp, to the
    millisecond: ``2026-11-21T08:00:00.000Z``."""
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(text):
    """POSIX timestamp of an ISO 8601 date-time (``Z`` or an offset; naive
    means UTC). Raises ValueError when it is not one."""
    if not isinstance(text, str):
        raise ValueError(f"not a date-time: {text!r}")
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()
