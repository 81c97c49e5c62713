"""OCPP-J frames: decoding what a device sends and encoding what we send back.

    CALL        [2, "<messageId>", "<Action>", {payload}]
    CALLRESULT  [3, "<messageId>", {payload}]
    CALLERROR   [4, "<messageId>", "<errorCode>", "<errorDescription>", {errorDetails}]
"""
import json
from dataclasses import dataclass, field

CALL, CALLRESULT, CALLERROR = 2, 3, 4
MAX_MESSAGE_ID_LENGTH = 36
# messageId used to answer a frame whose own id cannot be read (OCPP-J 4.2.3)
UNKNOWN_MESSAGE_ID = "-1"

# OCPP 1.6-J CALLERROR codes
NOT_IMPLEMENTED = "NotImplemented"
NOT_SUPPORTED = "NotSupported"
INTERNAL_ERROR = "InternalError"
PROTOCOL_ERROR = "ProtocolError"
SECURITY_ERROR = "SecurityError"
FORMATION_VIOLATION = "FormationViolation"
PROPERTY_CONSTRAINT_VIOLATION = "PropertyConstraintViolation"
OCCURENCE_CONSTRAINT_VIOLATION = "OccurenceConstraintViolation"
TYPE_CONSTRAINT_VIOLATION = "TypeConstraintViolation"
GENERIC_ERROR = "GenericError"


class FrameError(Exception):
    """A frame that must be answered with a CALLERROR."""

    def __init__(self, error_code, description, message_id=UNKNOWN_MESSAGE_ID, details=None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.message_id = message_id
        self.details = details or {}

    def to_call_error(self):
        return CallError(self.message_id, self.error_code, self.description, self.details)


@dataclass(frozen=True)
class Call:
    message_id: str
    action: str
    payload: dict

    def encode(self):
        return _dumps([CALL, self.message_id, self.action, self.payload])


@dataclass(frozen=True)
class CallResult:
    message_id: str
    payload: dict

    def encode(self):
        return _dumps([CALLRESULT, self.message_id, self.payload])


@dataclass(frozen=True)
class CallError:
    message_id: str
    error_code: str
    description: str = ""
    details: dict = field(default_factory=dict)

    def encode(self):
        return _dumps([CALLERROR, self.message_id, self.error_code, self.description, self.details])


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def decode(raw):
    """Return the Call, CallResult or CallError in ``raw`` (bytes or str).

    Raises FrameError (ProtocolError / FormationViolation) for anything that is
    not a well-formed OCPP-J frame, with the message id when it can be read.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw
        frame = json.loads(text)
    except (UnicodeDecodeError, ValueError) as error:
        raise FrameError(PROTOCOL_ERROR, f"not a JSON text: {error}") from error
    if not isinstance(frame, list) or len(frame) < 3:
        raise FrameError(PROTOCOL_ERROR, "an OCPP-J frame is a JSON array of 3 to 5 elements")
    message_type, message_id = frame[0], frame[1]
    if not isinstance(message_id, str) or not message_id or len(message_id) > MAX_MESSAGE_ID_LENGTH:
        raise FrameError(PROTOCOL_ERROR,
                         f"the messageId must be a string of 1 to {MAX_MESSAGE_ID_LENGTH} characters")
    if message_type == CALL:
        if len(frame) != 4 or not isinstance(frame[2], str) or not isinstance(frame[3], dict):
            raise FrameError(FORMATION_VIOLATION, "a CALL is [2, messageId, Action, {payload}]", message_id)
        return Call(message_id, frame[2], frame[3])
    if message_type == CALLRESULT:
        if len(frame) != 3 or not isinstance(frame[2], dict):
            raise FrameError(FORMATION_VIOLATION, "a CALLRESULT is [3, messageId, {payload}]", message_id)
        return CallResult(message_id, frame[2])
    if message_type == CALLERROR:
        if len(frame) not in (4, 5) or not isinstance(frame[2], str):
            raise FrameError(FORMATION_VIOLATION,
                             "a CALLERROR is [4, messageId, errorCode, errorDescription, {details}]",
                             message_id)
        details = frame[4] if len(frame) == 5 and isinstance(frame[4], dict) else {}
        return CallError(message_id, frame[2], str(frame[3] or ""), details)
    raise FrameError(PROTOCOL_ERROR, f"unknown message type {message_type!r}", message_id)
