"""OCPP-J frames: decoding what a device sends and encoding what we send back.

    CALL        [2, "<messageId>", "<Action>", {payload}]
    CALLRESULT  [3, "<messageId>", {payload}]
    CALLERROR   [4, "<messageId>", "<errorCode>", "<errorDescription>", {errorDetails}]
"""
import json
import math
import re
from dataclasses import dataclass, field

CALL, CALLRESULT, CALLERROR = 2, 3, 4
MAX_MESSAGE_ID_LENGTH = 36
MAX_ACTION_LENGTH = 64
MAX_DESCRIPTION_LENGTH = 255  # of the errorDescription of the CALLERRORs we send
# Frames are hostile: these limits are checked before the JSON is read
# (readme/PROTOCOL.md, *Limits*). The deepest OCPP 1.6 frame nests 6 levels.
MAX_FRAME_BYTES = 128 * 1024
MAX_DEPTH = 12
# characters no string of a frame may hold: C0 and C1 controls, DEL, and lone
# UTF-16 surrogates (JSON escapes can make them; UTF-8 and PostgreSQL cannot)
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
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

    def __init__(self, error_code, description, message_id=UNKNOWN_MESSAGE_ID, details=None, message_type=None):
        description = description if len(description) <= MAX_DESCRIPTION_LENGTH else (
            description[:MAX_DESCRIPTION_LENGTH - 1] + "…")
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.message_id = message_id
        self.details = details or {}
        # CALLRESULT or CALLERROR when the refused frame is one: it is never answered
        self.message_type = message_type

    @property
    def answerable(self):
        """OCPP-J answers a CALL, or a frame whose type cannot be read, with a
        CALLERROR; never a CALLRESULT or a CALLERROR."""
        return self.message_type not in (CALLRESULT, CALLERROR)

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


def too_deep(raw, max_depth=MAX_DEPTH):
    """True when the JSON text ``raw`` (bytes) nests arrays and objects deeper
    than ``max_depth``, or cannot be balanced (then it is no JSON either).
    Without recursion and at C speed whatever the input: escapes and strings
    are cut out, the brackets kept, then the innermost pairs removed one level
    per pass."""
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return False
    # escaped backslashes, then escaped quotes: what is left of a quote delimits a string
    outside = b"".join(raw.replace(b"\\\\", b"").replace(b'\\"', b"").split(b'"')[::2])
    brackets = outside.translate(_BRACKETS, _NOT_BRACKETS)
    if b"[" * (max_depth + 1) in brackets:
        return True
    for _level in range(max_depth):
        brackets = brackets.replace(b"[]", b"")
        if not brackets:
            return False
    return True


# {} and [] count alike: a mismatched pair is no JSON, and json refuses it after nesting
_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
# type and messageId at the head of a frame that cannot be read as a whole
_HEAD = re.compile(r'\s*\[\s*([234])\s*,\s*"([^"\\\x00-\x1f\x7f-\x9f]{1,%d})"' % MAX_MESSAGE_ID_LENGTH)


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _unreadable(description, text=None):
    """The FrameError of a frame that cannot be read: with its type and
    messageId when its head can be read, so that the pile can match it."""
    head = _HEAD.match(text) if text is not None else None
    if head and not CONTROL_CHARACTERS.search(head.group(2)):
        return FrameError(PROTOCOL_ERROR, description, head.group(2), message_type=int(head.group(1)))
    return FrameError(PROTOCOL_ERROR, description)


def decode(raw):
    """Return the Call, CallResult or CallError in ``raw`` (bytes or str).

    Raises FrameError (ProtocolError / FormationViolation) for anything that is
    not a well-formed OCPP-J frame, with the message id when it can be read:
    beyond MAX_FRAME_BYTES or MAX_DEPTH, not UTF-8, not JSON, a non-finite
    number, a messageId or action that is not a short string without control
    characters.
    """
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    raw = bytes(raw)
    if len(raw) > MAX_FRAME_BYTES:
        raise FrameError(PROTOCOL_ERROR, f"a frame is at most {MAX_FRAME_BYTES} bytes, not {len(raw)}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FrameError(PROTOCOL_ERROR, f"not UTF-8: {error}") from error
    if too_deep(raw):
        raise _unreadable(f"JSON nested deeper than {MAX_DEPTH} levels", text)
    try:
        frame = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as error:
        raise _unreadable(f"not a JSON text: {error}", text) from error
    if not isinstance(frame, list) or len(frame) < 3:
        raise FrameError(PROTOCOL_ERROR, "an OCPP-J frame is a JSON array of 3 to 5 elements",
                         message_type=_message_type(frame))
    message_type, message_id = frame[0], frame[1]
    if (not isinstance(message_id, str) or not message_id or len(message_id) > MAX_MESSAGE_ID_LENGTH
            or CONTROL_CHARACTERS.search(message_id)):
        raise FrameError(PROTOCOL_ERROR,
                         f"the messageId must be a string of 1 to {MAX_MESSAGE_ID_LENGTH} characters "
                         "without control characters", message_type=_message_type(frame))
    if type(message_type) is not int:  # noqa: E721 - not a bool, not 2.0
        message_type = None
    if message_type == CALL:
        if len(frame) != 4 or not isinstance(frame[2], str) or not isinstance(frame[3], dict):
            raise FrameError(FORMATION_VIOLATION, "a CALL is [2, messageId, Action, {payload}]", message_id)
        if not frame[2] or len(frame[2]) > MAX_ACTION_LENGTH or CONTROL_CHARACTERS.search(frame[2]):
            raise FrameError(FORMATION_VIOLATION,
                             f"the Action must be a string of 1 to {MAX_ACTION_LENGTH} characters "
                             "without control characters", message_id)
        return Call(message_id, frame[2], frame[3])
    if message_type == CALLRESULT:
        if len(frame) != 3 or not isinstance(frame[2], dict):
            raise FrameError(FORMATION_VIOLATION, "a CALLRESULT is [3, messageId, {payload}]", message_id,
                             message_type=CALLRESULT)
        return CallResult(message_id, frame[2])
    if message_type == CALLERROR:
        if len(frame) not in (4, 5) or not isinstance(frame[2], str):
            raise FrameError(FORMATION_VIOLATION,
                             "a CALLERROR is [4, messageId, errorCode, errorDescription, {details}]",
                             message_id, message_type=CALLERROR)
        details = frame[4] if len(frame) == 5 and isinstance(frame[4], dict) else {}
        return CallError(message_id, frame[2], str(frame[3] or ""), details)
    raise FrameError(PROTOCOL_ERROR, f"unknown message type {frame[0]!r}"[:80], message_id)


def _message_type(frame):
    """CALLRESULT or CALLERROR when ``frame`` says it is one (it is then not answered)."""
    kind = frame[0] if isinstance(frame, list) and frame else None
    if type(kind) is int and kind in (CALLRESULT, CALLERROR):  # noqa: E721 - not a bool
        return kind
    return None
