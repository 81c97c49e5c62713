"""The calls a pile sends, one at a time, as OCPP-J asks.

- One CALL is in flight at a time; the next one leaves when it is answered
  (CALLRESULT or CALLERROR with the same messageId), dropped or timed out.
- An unanswered CALL is sent again after ``timeout`` seconds with the SAME
  messageId (the same bytes), up to ``attempts`` sends (``tx_attempts`` for
  transaction-related calls), then given up.
- While the link is down, transaction-related calls (StartTransaction,
  MeterValues, StopTransaction) stay queued in order, the one in flight
  included, and leave when the link is back; other calls are dropped.
- A transaction-related call answered with CALLERROR InternalError is sent
  again later under a new messageId (its payload unchanged), holding back the
  calls queued after it so that their order is kept.
- A payload may be a callable, evaluated when the call first leaves: this is
  how a MeterValues or StopTransaction queued before its StartTransaction was
  answered gets the transactionId. A callable returning None drops the call.
"""
import collections
import concurrent.futures

from . import frames
from .schemas import PayloadError


class CallFailed(Exception):
    """A call that got no CALLRESULT: CALLERROR, timeout or drop."""

    def __init__(self, action, message_id, code, description="", details=None):
        super().__init__(f"{action} {message_id}: {code} {description}".strip())
        self.action = action
        self.message_id = message_id
        self.code = code
        self.description = description
        self.details = details or {}


class CallTimeout(CallFailed):
    pass


class CallDropped(CallFailed):
    pass


class PendingCall:
    __slots__ = ("action", "payload", "transactional", "message_id", "frame", "sends", "timeouts",
                 "error_retries", "first_sent", "on_wire", "future", "on_result", "on_error", "check")

    def __init__(self, action, payload, transactional, on_result=None, on_error=None,
                 message_id=None, check=True):
        self.action = action
        self.payload = payload
        self.transactional = transactional
        self.message_id = message_id
        self.frame = None
        self.sends = 0
        self.timeouts = 0
        self.error_retries = 0
        self.first_sent = None
        self.on_wire = False
        self.future = concurrent.futures.Future()
        self.on_result = on_result
        self.on_error = on_error
        self.check = check

    def __repr__(self):
        return f"<PendingCall {self.action} {self.message_id}>"


class Outbox:
    """Queue of a pile's outgoing calls.

    ``send(text)`` publishes a frame; ``can_send(call)`` says whether a call
    may leave now (link up, boot accepted...); ``observer(kind, data)``
    hears ``call_sent``, ``call_retry``, ``call_result``, ``call_error``,
    ``call_dropped``, ``invalid_result``; ``validator`` (a SchemaValidator)
    checks replies, and outgoing payloads when ``strict``.
    """

    def __init__(self, loop, send, can_send, observer=None, validator=None, strict=False,
                 timeout=10.0, attempts=3, tx_attempts=3, tx_retry_interval=10.0):
        self.loop = loop
        self.send = send
        self.can_send = can_send
        self.observer = observer or (lambda kind, data: None)
        self.validator = validator
        self.strict = strict
        self.timeout = timeout
        self.attempts = attempts
        self.tx_attempts = tx_attempts
        self.tx_retry_interval = tx_retry_interval
        self.last_frame = None
        self._queue = collections.deque()
        self._in_flight = None
        self._timer = None
        self._hold_until = None
        self._hold_timer = None

    # queue ---------------------------------------------------------------------

    def submit(self, action, payload, transactional=None, front=False, on_result=None,
               on_error=None, message_id=None, check=True):
        """Queue a CALL; returns its PendingCall (``.future`` gets the reply payload)."""
        if transactional is None:
            transactional = action in frames.TRANSACTION_ACTIONS
        call = PendingCall(action, payload, transactional, on_result, on_error, message_id, check)
        if front:
            self._queue.appendleft(call)
        else:
            self._queue.append(call)
        self.pump()
        return call

    @property
    def in_flight(self):
        return self._in_flight

    def queued(self):
        """Calls waiting (in flight first)."""
        return ([self._in_flight] if self._in_flight else []) + list(self._queue)

    def __len__(self):
        return len(self._queue) + (1 if self._in_flight else 0)

    def has_transactional(self):
        return any(call.transactional for call in self.queued())

    def pump(self):
        """Send the next call if nothing is in flight and it may leave."""
        call = self._in_flight
        if call is not None:
            if not call.on_wire and self.can_send(call):
                self._transmit(call)
            return
        if self._hold_until is not None:
            return
        while self._queue:
            call = self._queue[0]
            if not self.can_send(call):
                return
            self._queue.popleft()
            if call.frame is None and not self._freeze(call):
                continue
            self._in_flight = call
            self._transmit(call)
            return

    def _freeze(self, call):
        payload = call.payload() if callable(call.payload) else call.payload
        if payload is None:
            self._fail(call, CallDropped(call.action, call.message_id, "Dropped", "payload unavailable"))
            return False
        if self.strict and call.check and self.validator is not None:
            self.validator.check(call.action, payload)  # a simulator bug: let it raise
        call.payload = payload
        call.message_id = call.message_id or frames.new_message_id()
        call.frame = frames.call(call.message_id, call.action, payload)
        return True

    def _transmit(self, call):
        retry = call.sends > 0
        call.sends += 1
        call.on_wire = True
        if call.first_sent is None:
            call.first_sent = self.loop.time()
        self.last_frame = call.frame
        self.send(call.frame)
        self.observer("call_retry" if retry else "call_sent", {
            "action": call.action, "message_id": call.message_id, "payload": call.payload,
            "transactional": call.transactional, "send": call.sends,
        })
        self._arm(call)

    def _arm(self, call):
        self._disarm()
        self._timer = self.loop.call_later(self.timeout, self._on_timeout, call)

    def _disarm(self):
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_timeout(self, call):
        self._timer = None
        if call is not self._in_flight:
            return
        call.timeouts += 1
        limit = self.tx_attempts if call.transactional else self.attempts
        if call.timeouts >= limit:
            self._in_flight = None
            self._fail(call, CallTimeout(call.action, call.message_id, "Timeout",
                                         f"no answer after {call.sends} sends"))
            self.pump()
        elif call.on_wire:
            self._transmit(call)

    # link ---------------------------------------------------------------------

    def link_down(self):
        """The link is lost: keep transaction calls, drop the others."""
        self._disarm()
        dropped = [call for call in self._queue if not call.transactional]
        self._queue = collections.deque(call for call in self._queue if call.transactional)
        call = self._in_flight
        if call is not None:
            call.on_wire = False
            if not call.transactional:
                self._in_flight = None
                dropped.insert(0, call)
        # failure callbacks may queue calls: they go after the kept ones
        for call in dropped:
            self._fail(call, CallDropped(call.action, call.message_id, "Dropped", "link lost"))

    def link_up(self):
        self.pump()

    def clear(self, keep_transactional=False):
        """Forget the queued calls (a pile switched off keeps its transaction calls)."""
        self._disarm()
        self._release_hold()
        calls = self.queued()
        self._in_flight = None
        kept = [call for call in calls if keep_transactional and call.transactional]
        self._queue = collections.deque(kept)
        for call in calls:
            call.on_wire = False
            if call not in kept:
                self._fail(call, CallDropped(call.action, call.message_id, "Dropped", "cleared"))

    # replies ------------------------------------------------------------------

    def handle(self, frame):
        """Match a CallResult/CallError with the call in flight; returns the
        PendingCall it answered, or None (late, duplicate or unknown reply)."""
        call = self._in_flight
        if call is None or frame.message_id != call.message_id:
            return None
        self._disarm()
        self._in_flight = None
        latency = self.loop.time() - call.first_sent
        if isinstance(frame, frames.CallResult):
            problem = self._check_reply(call, frame.payload)
            if problem is None:
                self.observer("call_result", {
                    "action": call.action, "message_id": call.message_id, "payload": frame.payload,
                    "request": call.payload, "latency": latency, "sends": call.sends,
                })
                if not call.future.done():
                    call.future.set_result(frame.payload)
                if call.on_result:
                    call.on_result(frame.payload)
            else:
                self.observer("invalid_result", {
                    "action": call.action, "message_id": call.message_id, "payload": frame.payload,
                    "code": problem.code, "description": problem.description,
                })
                self._fail(call, CallFailed(call.action, call.message_id, problem.code, problem.description))
        else:
            self.observer("call_error", {
                "action": call.action, "message_id": call.message_id, "code": frame.code,
                "description": frame.description, "details": frame.details, "latency": latency,
            })
            if call.transactional and frame.code == "InternalError" \
                    and call.error_retries + 1 < self.tx_attempts:
                self._retry_later(call)
            else:
                self._fail(call, CallFailed(call.action, call.message_id, frame.code,
                                            frame.description, frame.details), observe=False)
        self.pump()
        return call

    def _check_reply(self, call, payload):
        if self.validator is None:
            return None
        try:
            self.validator.check(call.action, payload, response=True)
        except PayloadError as error:
            return error
        return None

    def _retry_later(self, call):
        call.error_retries += 1
        call.message_id = frames.new_message_id()
        call.frame = frames.call(call.message_id, call.action, call.payload)
        call.sends = call.timeouts = 0
        call.on_wire = False
        self._queue.appendleft(call)
        self._hold_until = self.loop.time() + self.tx_retry_interval * call.error_retries
        self._hold_timer = self.loop.call_later(self._hold_until - self.loop.time(), self._end_hold)

    def _end_hold(self):
        self._hold_timer = None
        self._hold_until = None
        self.pump()

    def _release_hold(self):
        if self._hold_timer is not None:
            self._hold_timer.cancel()
        self._hold_timer = None
        self._hold_until = None

    def _fail(self, call, error, observe=True):
        if observe:
            self.observer("call_dropped" if not isinstance(error, CallTimeout) else "call_timeout", {
                "action": call.action, "message_id": call.message_id, "code": error.code,
                "description": error.description, "transactional": call.transactional,
            })
        if not call.future.done():
            call.future.set_exception(error)
        if call.on_error:
            call.on_error(error)
