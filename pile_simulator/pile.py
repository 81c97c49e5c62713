"""A virtual charge point (pile) speaking OCPP 1.6-J over MQTT.

A ``VirtualPile`` boots (BootNotification), keeps a heartbeat, reports the
status of connector 0 (the pile) and of each connector, charges vehicles
(card swipe or RemoteStartTransaction), holds reservations (ReserveNow),
samples its meter, answers the platform's commands, and misbehaves on demand
(faults, network or power loss, malformed or duplicate frames, publishing
under another serial).

Its Local Authorization List (SendLocalList, GetLocalListVersion; kept across
reboots) lets cards start while the pile is offline: an Accepted, unexpired
id tag starts at once and its transaction messages wait in the outbox for the
link; an id tag the list does not know (unless AllowOfflineTxForUnknownId) or
lists as Blocked, Expired or Invalid is refused locally. Online, cards go
through Authorize, unless LocalPreAuthorize lets listed Accepted ones skip it.

Threading: the pile lives on its event loop (``loop``); its public methods
may be called from any thread (they run on the loop and return its result).
Observers (``subscribe``) are called on the loop thread.
"""
import collections
import concurrent.futures
import functools
import logging
import math
import random
import time

from . import frames
from .commands import PileCommands
from .configuration import Configuration, default_keys
from .curves import Electrical, curve_for, is_dc, random_vehicle
from .local_list import LocalAuthList
from .loop import LoopThread
from .outbox import CallDropped, CallTimeout, Outbox
from .schemas import default_validator
from .session import DEFAULT_MEASURANDS, Session, register_sample
from .stats import PileStats
from .transport import ABORT_CLOSE, MqttTransport

_logger = logging.getLogger(__name__)

ERROR_CODES = (
    "ConnectorLockFailure", "EVCommunicationError", "GroundFailure", "HighTemperature",
    "InternalError", "LocalListConflict", "OtherError", "OverCurrentFailure",
    "PowerMeterFailure", "PowerSwitchFailure", "ReaderFailure", "ResetFailure",
    "UnderVoltage", "OverVoltage", "WeakSignal",
)
STOP_REASONS = (
    "EmergencyStop", "EVDisconnected", "HardReset", "Local", "Other", "PowerLoss", "Reboot",
    "Remote", "SoftReset", "UnlockCommand", "DeAuthorized",
)
# after these stops the cable is already out: no Finishing
_UNPLUGGED_REASONS = ("EVDisconnected", "PowerLoss", "HardReset", "SoftReset", "Reboot")
# the frames that end a session with the gun still in (see ``end_frames``)
END_FRAMES = ("stop_finishing", "finishing_stop", "stop_available")
_STAGE_STATUS = {
    "preparing": "Preparing", "charging": "Charging", "suspended_ev": "SuspendedEV",
    "suspended_evse": "SuspendedEVSE", "finishing": "Finishing",
}


class PileError(Exception):
    """A request the pile cannot carry out (busy connector, unknown connector...)."""


class AuthorizationRejected(PileError):
    def __init__(self, id_tag, status):
        super().__init__(f"id tag {id_tag}: {status}")
        self.id_tag = id_tag
        self.status = status


class Reservation:
    """A ReserveNow in force until ``expiry`` (simulated POSIX seconds)."""

    def __init__(self, reservation_id, id_tag, expiry, parent_id_tag=None):
        self.reservation_id = reservation_id
        self.id_tag = id_tag
        self.expiry = expiry
        self.parent_id_tag = parent_id_tag

    def admits(self, id_tag, parent_id_tag=None):
        """True when ``id_tag`` (whose parent is ``parent_id_tag``, when known) may use it."""
        return id_tag == self.id_tag or (
            self.parent_id_tag is not None and parent_id_tag == self.parent_id_tag)

    def may_admit(self, id_tag, authorize):
        """True unless ``id_tag`` is surely refused; with ``authorize``, the
        Authorize answer tells its parent id tag later."""
        return id_tag == self.id_tag or (
            self.parent_id_tag is not None and id_tag is not None and authorize)


class Connector:
    """Connector ``number`` (0 is the pile itself)."""

    def __init__(self, number, register_wh=0):
        self.number = number
        self.register_wh = register_wh    # energy meter, Wh, only grows
        self.stage = None                 # None or a key of _STAGE_STATUS
        self.session = None
        self.attempt = None               # the start being prepared (Authorize pending)
        self.operative = True
        self.pending_operative = None     # ChangeAvailability Scheduled
        self.fault = None                 # (error_code, vendor_error_code, info)
        self.reservation = None           # a Reservation (ReserveNow)
        self.current = None               # (status, error_code, vendor_error_code, info)
        self.reported = None              # the last one the platform acknowledged
        self.timers = {}                  # name -> timer handle

    def cancel_timers(self):
        for handle in self.timers.values():
            handle.cancel()
        self.timers.clear()


class VirtualPile(PileCommands):
    """One simulated charging pile.

    :param serial: charge point identity: MQTT client id, username and topic level
    :param password: its MQTT password
    :param connectors: number of connectors (1..N)
    :param prefix: topic prefix (``{prefix}/{serial}/up`` and ``/down``)
    :param kind: ``car`` or ``ebike``
    :param max_power_kw: power of the pile (shared by its charging connectors)
    :param current_type: ``ac`` or ``dc`` (default: DC for cars above 22 kW)
    :param speed: simulated seconds per real second, for sessions and timestamps
    :param meter_interval: MeterValueSampleInterval, simulated seconds
    :param host, port, tls, keepalive, session_expiry: the MQTT connection
    :param vendor, model, firmware, iccid: what BootNotification tells
    :param call_timeout: seconds before an unanswered CALL is sent again
    :param call_attempts: sends of a CALL before it is given up (transaction
        calls: the TransactionMessageAttempts key)
    :param boot_retry: seconds before a failed BootNotification is tried again
    :param reboot_seconds: how long a reset takes
    :param finishing_seconds, unplug_after_full: simulated seconds a driver
        takes to unplug after a stop, and after the vehicle is full
    :param end_frames: the order of the frames that end a session with the
        gun still in: ``stop_finishing`` (StopTransaction, then
        StatusNotification Finishing, as most piles do), ``finishing_stop``
        (Finishing first) or ``stop_available`` (the driver unplugs at once:
        StopTransaction, then Available); Available follows Finishing after
        ``finishing_seconds``
    :param loop: a LoopThread or ManualLoop (default: a private LoopThread)
    :param transport: a Transport (default: MQTT to ``host``:``port``)
    :param validator: a SchemaValidator (default: the ``ocpp`` package's
        schemas; False: no validation of commands and replies)
    :param strict: also validate every outgoing payload (a failure raises)
    :param seed: makes the pile's random choices repeatable
    :param start_time: initial simulated time (POSIX seconds; default now),
        until BootNotification's currentTime sets the clock
    :param stats: keep a PileStats observer in ``stats``
    """

    def __init__(self, serial, password="", connectors=1, prefix="charge", kind="car",
                 max_power_kw=None, current_type=None, connector_max_power_kw=None,
                 host="localhost", port=1883, tls=None, keepalive=60, session_expiry=3600,
                 speed=1.0, meter_interval=60, heartbeat_interval=300,
                 vendor="ChargeOpsSim", model=None, firmware="sim-1.0.0", iccid=None,
                 call_timeout=10.0, call_attempts=3, boot_retry=10.0, reboot_seconds=2.0,
                 finishing_seconds=30.0, unplug_after_full=60.0, end_frames="stop_finishing",
                 loop=None, transport=None, validator=None, strict=False, seed=None,
                 start_time=None, stats=True):
        if kind not in ("car", "ebike"):
            raise ValueError(f"kind must be 'car' or 'ebike', not {kind!r}")
        if connectors < 1:
            raise ValueError("a pile has at least one connector")
        if end_frames not in END_FRAMES:
            raise ValueError(f"end_frames must be one of {', '.join(END_FRAMES)}, not {end_frames!r}")
        self.serial = serial
        self.password = password
        self.prefix = prefix
        self.kind = kind
        self.up_topic = f"{prefix}/{serial}/up"
        self.down_topic = f"{prefix}/{serial}/down"
        self.rng = random.Random(f"{seed}:{serial}" if seed is not None else None)
        if not max_power_kw:
            max_power_kw = 0.4 * connectors if kind == "ebike" else (60.0 if current_type != "ac" else 7.0)
        self.max_power_kw = float(max_power_kw)
        self.dc = is_dc(kind, current_type, self.max_power_kw) if kind == "car" else False
        self.connector_max_power_kw = float(connector_max_power_kw or self.max_power_kw)
        self.speed = float(speed)
        self.vendor = vendor[:20]
        self.model = (model or self._default_model(connectors))[:20]
        self.firmware = firmware[:50]
        self.iccid = (iccid or "8986" + "".join(str(self.rng.randrange(10)) for _ in range(16)))[:20]
        self.boot_retry = boot_retry
        self.reboot_seconds = reboot_seconds
        self.finishing_seconds = finishing_seconds
        self.unplug_after_full = unplug_after_full
        self.end_frames = end_frames

        self._own_loop = loop is None
        self.loop = loop or LoopThread(f"pile-{serial}")
        self.validator = default_validator() if validator is None else (validator or None)
        self.strict = strict
        self.config = Configuration(
            default_keys(connectors, heartbeat_interval, meter_interval), self._on_config_changed)
        self.outbox = Outbox(
            self.loop, self._publish, self._may_send, self._emit, self.validator, strict,
            timeout=call_timeout, attempts=call_attempts,
            tx_attempts=self.config.get_int("TransactionMessageAttempts"),
            tx_retry_interval=self.config.get_int("TransactionMessageRetryInterval"),
        )
        self.transport = transport or MqttTransport(
            self.loop, serial, serial, password, self.up_topic, self.down_topic, host=host, port=port,
            keepalive=keepalive, session_expiry=session_expiry, tls=tls, rng=self.rng,
        )
        self.transport.bind(self)

        register_max = 200_000 if kind == "ebike" else 5_000_000
        self._connectors = {0: Connector(0)}
        for number in range(1, connectors + 1):
            self._connectors[number] = Connector(number, self.rng.randrange(register_max))
        self._observers = []
        self.stats = PileStats() if stats else None
        if self.stats is not None:
            self._observers.append(self.stats)

        self.powered = False
        self.booted = False
        self.boot_status = None
        self.server_time = None
        self.qr_codes = {}
        self.hotline = None
        self.tariff = None
        self.local_auth_list = LocalAuthList()   # a pile's memory: survives reboots
        self._boot_call = None
        self._interruption = None
        self._timers = {}
        self._answered = collections.OrderedDict()
        self._session_sequence = 0
        self._epoch = start_time if start_time is not None else time.time()
        self._epoch_loop = self.loop.time()

    def _default_model(self, connectors):
        if self.kind == "ebike":
            return f"SimEB{connectors}"
        return f"Sim{'DC' if self.dc else 'AC'}{self.max_power_kw:g}"

    def __repr__(self):
        return f"<VirtualPile {self.serial}>"

    # ------------------------------------------------------------------------------
    # public API (any thread)
    # ------------------------------------------------------------------------------

    @property
    def connected(self):
        return bool(self.transport.connected)

    @property
    def connector_count(self):
        return len(self._connectors) - 1

    @property
    def local_list_version(self):
        """Version of the Local Authorization List (0: empty)."""
        return self._sync(lambda: self.local_auth_list.version)

    @property
    def local_list(self):
        """The Local Authorization List: id tag -> status."""
        return self._sync(self.local_auth_list.statuses)

    def subscribe(self, observer):
        """Call ``observer(pile, kind, data)`` for every event (see stats.py)."""
        self._observers.append(observer)

    def start(self):
        """Power on: connect, boot, and keep running until ``stop``."""
        if self._own_loop:
            self.loop.start()
        self._sync(self._power_up)

    def stop(self, graceful=True, timeout=2.0):
        """Switch off for good: a clean MQTT DISCONNECT when ``graceful``
        (waits up to ``timeout`` for it to leave)."""
        self._sync(self._power_down, graceful, ABORT_CLOSE, True)
        deadline = time.monotonic() + timeout
        while not self._sync(lambda: self.transport.closed) and time.monotonic() < deadline:
            time.sleep(0.02)
        self._sync(self.transport.shutdown)
        if self._own_loop:
            self.loop.stop()

    def start_charging(self, connector, id_tag, vehicle=None):
        """A driver plugs in and swipes card ``id_tag``: Authorize, then
        StartTransaction. Offline, the Local Authorization List decides and
        the StartTransaction waits for the link. Returns a Future of the
        transactionId (it fails with AuthorizationRejected, CallFailed or PileError)."""
        if not isinstance(id_tag, str) or not 0 < len(id_tag) <= 20:
            raise ValueError("an id tag has 1 to 20 characters")
        return self._sync(self._start_by_card, connector, id_tag, vehicle)

    def stop_charging(self, connector, reason="Local", end_frames=None):
        """End the session on ``connector`` (driver's card: Local; EVDisconnected:
        cable pulled; EmergencyStop...), with the pile's ``end_frames`` unless
        given. Returns a Future of the StopTransaction reply."""
        if reason not in STOP_REASONS:
            raise ValueError(f"unknown stop reason {reason!r}")
        if end_frames is not None and end_frames not in END_FRAMES:
            raise ValueError(f"unknown end frames {end_frames!r}")
        return self._sync(self._stop_by_request, connector, reason, end_frames)

    def inject_fault(self, connector, error_code="GroundFailure", vendor_error_code="0001",
                     info=None, stop_reason="Other"):
        """The connector (0: the whole pile) turns Faulted with an OCPP error
        code and a vendor error code (decimal bitmask text); its sessions stop."""
        if error_code not in ERROR_CODES:
            raise ValueError(f"unknown ChargePointErrorCode {error_code!r}")
        if stop_reason not in STOP_REASONS:
            raise ValueError(f"unknown stop reason {stop_reason!r}")
        vendor = None if vendor_error_code is None else str(vendor_error_code)[:50]
        return self._sync(self._inject_fault, connector, error_code, vendor,
                          info[:50] if info else None, stop_reason)

    def clear_fault(self, connector):
        """The fault is gone: back to Available (or Unavailable)."""
        return self._sync(self._clear_fault, connector)

    def disconnect(self, mode=ABORT_CLOSE):
        """Lose the network abruptly (no MQTT DISCONNECT): ``close`` shuts the
        socket, ``silent`` just stops talking (the broker finds out by keep-alive).
        Transaction messages are queued until ``reconnect``."""
        return self._sync(self._abort_link, mode)

    def reconnect(self):
        """Network back: reconnect, then send what was queued."""
        return self._sync(self.transport.open)

    def power_off(self, mode=ABORT_CLOSE):
        """Power cut: the link drops without DISCONNECT and running sessions
        freeze; ``power_on`` reboots and stops them with reason PowerLoss."""
        return self._sync(self._power_down, False, mode, False)

    def power_on(self):
        return self._sync(self._power_up)

    def reset(self, kind="Soft"):
        """Reboot as if the platform had sent Reset (Soft or Hard)."""
        return self._sync(self._reset, kind)

    def send_raw(self, text):
        """Publish ``text`` as is on the up topic (malformed frames...)."""
        return self._sync(self._publish_raw, text)

    def send_duplicate_last(self):
        """Publish the last CALL again, same messageId, outside the retry
        logic; returns that messageId (its reply lands in stats.unmatched)."""
        return self._sync(self._send_duplicate_last)

    def publish_as(self, serial, text, prefix=None):
        """Publish on another pile's up topic with this pile's credentials;
        returns a Future of the broker's PUBACK reason code (135 = refused)."""
        topic = f"{prefix or self.prefix}/{serial}/up"
        return self._sync(self.transport.publish_to, topic, text)

    def send_call(self, action, payload, transactional=None, check=False):
        """Queue any CALL (even an invalid one unless ``check``); returns a
        Future of the reply payload (fails with CallFailed on CALLERROR)."""
        return self._sync(lambda: self.outbox.submit(
            action, payload, transactional=transactional, check=check).future)

    def snapshot(self):
        """The pile's state as plain data."""
        return self._sync(self._snapshot)

    # ------------------------------------------------------------------------------
    # loop-thread internals
    # ------------------------------------------------------------------------------

    def _sync(self, function, *args):
        return self.loop.run_sync(function, *args)

    def _emit(self, kind, data):
        for observer in self._observers:
            try:
                observer(self, kind, data)
            except Exception:
                _logger.exception("pile %s: observer failed on %s", self.serial, kind)

    def sim_now(self):
        """Simulated time (POSIX seconds): runs ``speed`` times faster than the loop."""
        return self._epoch + (self.loop.time() - self._epoch_loop) * self.speed

    def _timestamp(self, moment=None):
        return frames.format_time(self.sim_now() if moment is None else moment)

    def _sync_clock(self, text):
        """Set the clock from the platform's time (at boot), unless it would
        move timestamps of a running session."""
        if any(c.session for c in self._charge_points()):
            return
        try:
            self._epoch = frames.parse_time(text)
        except ValueError:
            return
        self._epoch_loop = self.loop.time()
        self._arm_reservations()

    def _sim_delay(self, sim_seconds):
        """Real seconds for ``sim_seconds`` of simulated time."""
        return sim_seconds / self.speed if self.speed > 0 else sim_seconds

    def _later(self, name, delay, callback, *args):
        self._cancel(name)
        self._timers[name] = self.loop.call_later(delay, self._fire, name, callback, args)

    def _fire(self, name, callback, args):
        self._timers.pop(name, None)
        callback(*args)

    def _cancel(self, name):
        handle = self._timers.pop(name, None)
        if handle is not None:
            handle.cancel()

    def _connector_timer(self, connector, name, delay, callback, *args):
        old = connector.timers.pop(name, None)
        if old is not None:
            old.cancel()

        def fire():
            connector.timers.pop(name, None)
            callback(*args)

        connector.timers[name] = self.loop.call_later(delay, fire)

    def _charge_points(self):
        return [c for number, c in self._connectors.items() if number > 0]

    def _connector(self, number, allow_zero=False):
        connector = self._connectors.get(number)
        if connector is None or (number == 0 and not allow_zero):
            raise PileError(f"pile {self.serial} has no connector {number}")
        return connector

    def _connector_of_transaction(self, transaction_id):
        return next((c for c in self._charge_points()
                     if c.session is not None and c.session.transaction_id == transaction_id), None)

    # link --------------------------------------------------------------------------

    def _may_send(self, call):
        return self.powered and self.transport.connected and (
            self.booted or call.action == "BootNotification")

    def _publish(self, text):
        self.transport.publish(text)

    def _publish_raw(self, text):
        if not self.transport.connected:
            raise PileError(f"pile {self.serial} is offline")
        return self.transport.publish(text)

    def _send_duplicate_last(self):
        frame = self.outbox.last_frame
        if frame is None:
            raise PileError("no CALL sent yet")
        self._publish_raw(frame)
        return frames.parse(frame).message_id

    def _abort_link(self, mode):
        self.transport.abort(mode)

    def transport_connected(self, session_present):
        self._emit("connected", {"session_present": session_present})
        if not self.powered:
            return
        if not self.booted:
            self._boot()
        else:
            for connector in self._connectors.values():
                if connector.current != connector.reported:
                    self._report_status(connector)
        self.outbox.link_up()

    def transport_disconnected(self, reason):
        self._emit("disconnected", {"reason": reason})
        self.outbox.link_down()

    def transport_connect_failed(self, reason):
        self._emit("connect_failed", {"reason": reason})

    def transport_message(self, data):
        try:
            frame = frames.parse(data)
        except frames.FrameError as error:
            text = data.decode("utf-8", "replace") if isinstance(data, (bytes, bytearray)) else data
            self._emit("malformed", {"text": text, "error": str(error)})
            if error.type_id == frames.CALL and error.message_id != "-1":
                self._reply(frames.call_error(error.message_id, error.code, str(error)[:255]))
            return
        if isinstance(frame, frames.Call):
            self._handle_command(frame)
        elif self.outbox.handle(frame) is None:
            self._emit("unmatched_reply", {"message_id": frame.message_id, "frame": frames.encode(frame)})

    def _reply(self, text):
        if self.transport.connected:
            self.transport.publish(text)

    def _handle_command(self, call):
        cached = self._answered.get(call.message_id)
        if cached is not None:  # the platform sent it again: same answer, no second effect
            self._reply(cached)
            self._emit("command", {"action": call.action, "message_id": call.message_id,
                                   "payload": call.payload, "duplicate": True})
            return
        reply, after = self._answer(call)
        self._answered[call.message_id] = reply
        while len(self._answered) > 100:
            self._answered.popitem(last=False)
        self._reply(reply)
        answer = frames.parse(reply)
        event = {"action": call.action, "message_id": call.message_id, "payload": call.payload}
        if isinstance(answer, frames.CallResult):
            event["response"] = answer.payload
        else:
            event["error_code"] = answer.code
        self._emit("command", event)
        if after is not None:
            self.loop.call_soon(after)

    # boot and heartbeat --------------------------------------------------------------

    def _boot(self):
        self._cancel("boot")
        if self._boot_call is not None or not self.powered:
            return
        payload = {
            "chargePointVendor": self.vendor, "chargePointModel": self.model,
            "chargePointSerialNumber": self.serial[:25], "chargeBoxSerialNumber": self.serial[:25],
            "firmwareVersion": self.firmware, "iccid": self.iccid,
            "meterType": "SimMeter", "meterSerialNumber": f"M{self.serial}"[:25],
        }
        self._boot_call = self.outbox.submit(
            "BootNotification", payload, front=True,
            on_result=self._on_boot_result, on_error=self._on_boot_failed)

    def _on_boot_result(self, payload):
        self._boot_call = None
        status = payload.get("status")
        interval = payload.get("interval") or 0
        self.boot_status = status
        if payload.get("currentTime"):
            self.server_time = payload["currentTime"]
            self._sync_clock(payload["currentTime"])
        self._emit("booted", {"status": status, "interval": interval,
                              "currentTime": payload.get("currentTime")})
        if status != "Accepted":
            self._later("boot", interval or self.boot_retry, self._boot)
            return
        first = not self.booted
        self.booted = True
        if interval > 0:
            self.config.set("HeartbeatInterval", interval)
        self._schedule_heartbeat(first=first)
        if first:
            for connector in self._connectors.values():
                self._refresh(connector, force=True)
        self.outbox.pump()

    def _on_boot_failed(self, error):
        self._boot_call = None
        if self.powered and self.transport.connected:
            self._later("boot", self.boot_retry, self._boot)

    def _schedule_heartbeat(self, first=False):
        interval = self.config.get_int("HeartbeatInterval")
        if interval <= 0:
            self._cancel("heartbeat")
            return
        delay = interval * self.rng.uniform(0.5, 1.0) if first else interval
        self._later("heartbeat", delay, self._heartbeat_tick)

    def _heartbeat_tick(self):
        self._send_heartbeat()
        self._schedule_heartbeat()

    def _send_heartbeat(self):
        if self.transport.connected and self.booted:
            self.outbox.submit("Heartbeat", {}, on_result=self._on_heartbeat)

    def _on_heartbeat(self, payload):
        self.server_time = payload.get("currentTime")

    def _on_config_changed(self, key, value):
        if key == "HeartbeatInterval" and self.booted:
            self._schedule_heartbeat()
        elif key == "TransactionMessageAttempts":
            self.outbox.tx_attempts = int(value)
        elif key == "TransactionMessageRetryInterval":
            self.outbox.tx_retry_interval = int(value)

    # status ------------------------------------------------------------------------------

    def _status_of(self, connector):
        if connector.fault:
            code, vendor_code, info = connector.fault
            return ("Faulted", code, vendor_code, info)
        pile = self._connectors[0]
        if connector.number == 0:
            status = "Available" if connector.operative else "Unavailable"
        elif connector.stage:
            status = _STAGE_STATUS[connector.stage]
        elif not (connector.operative and pile.operative):
            status = "Unavailable"
        elif connector.reservation is not None:
            status = "Reserved"
        else:
            status = "Available"
        return (status, "NoError", None, None)

    def _refresh(self, connector, force=False):
        """Recompute the connector's status; report it when it changed."""
        state = self._status_of(connector)
        changed = state != connector.current
        connector.current = state
        if changed:
            self._emit("status", {"connector": connector.number, "status": state[0],
                                  "error_code": state[1], "vendor_error_code": state[2]})
        if (changed or force) and self.booted and self.transport.connected:
            self._report_status(connector)

    def _report_status(self, connector):
        if connector.current is None:
            connector.current = self._status_of(connector)
        state = connector.current
        status, code, vendor_code, info = state
        payload = {"connectorId": connector.number, "errorCode": code, "status": status,
                   "timestamp": self._timestamp()}
        if info:
            payload["info"] = info
        if vendor_code:
            payload["vendorId"] = self.vendor
            payload["vendorErrorCode"] = vendor_code

        def acknowledged(_reply):
            connector.reported = state

        self.outbox.submit("StatusNotification", payload, on_result=acknowledged)

    def _unavailable_reason(self, connector, id_tag=None, authorize=True):
        """Why a session for ``id_tag`` (None: anyone) cannot start on
        ``connector`` now (None: it can); ``authorize``: the tag goes through
        Authorize (see ``Reservation.may_admit``)."""
        pile = self._connectors[0]
        if not self.powered:
            return "the pile is off"
        if connector.fault or pile.fault:
            return "faulted"
        if not (connector.operative and pile.operative):
            return "unavailable"
        if connector.stage is not None or connector.session is not None:
            return "busy"
        if connector.reservation is not None and not connector.reservation.may_admit(id_tag, authorize):
            return "reserved for another id tag"
        return None

    def _set_operative(self, connector, operative):
        connector.operative = operative
        connector.pending_operative = None
        targets = self._connectors.values() if connector.number == 0 else [connector]
        for target in list(targets):
            self._refresh(target)

    def _apply_pending_availability(self, connector):
        if connector.pending_operative is not None and connector.session is None:
            self._set_operative(connector, connector.pending_operative)
        pile = self._connectors[0]
        if pile.pending_operative is not None and not any(c.session for c in self._charge_points()):
            self._set_operative(pile, pile.pending_operative)

    # sessions ------------------------------------------------------------------------------

    def _start_by_card(self, number, id_tag, vehicle):
        return self._start_session(self._connector(number), id_tag, vehicle=vehicle)

    def _start_session(self, connector, id_tag, vehicle=None, remote=False, authorize=True,
                       claimed=False):
        """Preparing, then (Authorize and) StartTransaction; a Future of the transactionId."""
        future = concurrent.futures.Future()
        if claimed:
            connector.stage = None
        problem = self._unavailable_reason(connector, id_tag, authorize)
        if problem:
            future.set_exception(PileError(f"connector {connector.number}: {problem}"))
            self._refresh(connector)
            return future
        self._session_sequence += 1
        attempt = (self._session_sequence, id_tag, vehicle, remote, future)
        connector.attempt = attempt
        connector.stage = "preparing"
        self._refresh(connector)
        if not authorize:
            self._begin(connector, attempt)
        elif self.transport.connected and self.booted:
            entry = self._pre_authorized(id_tag)
            if entry is not None:
                self._begin(connector, attempt, entry.parent_id_tag)
            else:
                self.outbox.submit(
                    "Authorize", {"idTag": id_tag},
                    on_result=functools.partial(self._on_authorized, connector, attempt),
                    on_error=functools.partial(self._on_authorize_failed, connector, attempt))
        elif self.config.get_bool("LocalAuthorizeOffline"):
            self._authorize_locally(connector, attempt)
        else:
            self._abandon(connector, attempt, PileError("offline and LocalAuthorizeOffline is false"))
        return future

    def _local_entry(self, id_tag):
        """The Local Authorization List's entry of ``id_tag`` (None: unknown, or the list is off)."""
        if not self.config.get_bool("LocalAuthListEnabled"):
            return None
        return self.local_auth_list.get(id_tag)

    def _pre_authorized(self, id_tag):
        """Online with LocalPreAuthorize: the list entry of an Accepted ``id_tag``
        that may start without Authorize, else None."""
        if not self.config.get_bool("LocalPreAuthorize"):
            return None
        entry = self._local_entry(id_tag)
        if entry is None or entry.status_at(self.sim_now()) != "Accepted":
            return None
        return entry

    def _authorize_locally(self, connector, attempt):
        """Offline (LocalAuthorizeOffline): start for an Accepted, unexpired id
        tag of the Local Authorization List, and for an unknown one only with
        AllowOfflineTxForUnknownId; refuse the others (AuthorizationRejected)."""
        id_tag = attempt[1]
        entry = self._local_entry(id_tag)
        if entry is None:
            if self.config.get_bool("AllowOfflineTxForUnknownId"):
                self._begin(connector, attempt)
            else:
                self._abandon(connector, attempt, AuthorizationRejected(id_tag, "Invalid"))
            return
        status = entry.status_at(self.sim_now())
        if status == "Accepted":
            self._begin(connector, attempt, entry.parent_id_tag)
        else:
            self._abandon(connector, attempt, AuthorizationRejected(id_tag, status))

    def _still_preparing(self, connector, attempt):
        return self.powered and connector.stage == "preparing" and connector.session is None \
            and connector.attempt is attempt

    def _on_authorized(self, connector, attempt, payload):
        if not self._still_preparing(connector, attempt):
            return
        info = payload.get("idTagInfo") or {}
        if info.get("status") == "Accepted":
            self._begin(connector, attempt, info.get("parentIdTag"))
        else:
            self._abandon(connector, attempt, AuthorizationRejected(attempt[1], info.get("status")))

    def _on_authorize_failed(self, connector, attempt, error):
        if not self._still_preparing(connector, attempt):
            return
        offline = isinstance(error, (CallDropped, CallTimeout))
        if offline and self.config.get_bool("LocalAuthorizeOffline"):
            self._authorize_locally(connector, attempt)
        else:
            self._abandon(connector, attempt, error)

    def _abandon(self, connector, attempt, error):
        sequence, id_tag, _vehicle, _remote, future = attempt
        connector.stage = None
        self._emit("session_failed", {"session": sequence, "connector": connector.number,
                                      "id_tag": id_tag, "reason": str(error)})
        if not future.done():
            future.set_exception(error)
        self._refresh(connector)
        self._apply_pending_availability(connector)

    def _begin(self, connector, attempt, parent_id_tag=None):
        """StartTransaction; on a reserved connector only for the reservation's
        id tag (or its parent's group), which uses the reservation up."""
        sequence, id_tag, vehicle, remote, future = attempt
        reservation = connector.reservation
        if reservation is not None and not reservation.admits(id_tag, parent_id_tag):
            self._abandon(connector, attempt, PileError(
                f"connector {connector.number}: reserved for another id tag"))
            return
        watts = self.connector_max_power_kw * 1000.0
        vehicle = vehicle or random_vehicle(self.kind, self.dc, self.rng)
        connector.register_wh = math.floor(connector.register_wh)
        session = Session(connector.number, id_tag, connector.register_wh, self.sim_now(), vehicle,
                          curve_for(self.kind, self.dc, watts), Electrical(self.kind, self.dc, watts),
                          remote=remote, sequence=sequence)
        connector.session = session
        connector.stage = "charging"
        self._emit("session_started", {"session": sequence, "connector": connector.number,
                                       "id_tag": id_tag, "remote": remote,
                                       "meter_start": session.meter_start})
        payload = {"connectorId": connector.number, "idTag": id_tag,
                   "meterStart": session.meter_start, "timestamp": self._timestamp(session.started_at)}
        if reservation is not None:
            payload["reservationId"] = reservation.reservation_id
            self._drop_reservation(connector)
        self.outbox.submit(
            "StartTransaction", payload,
            on_result=functools.partial(self._on_transaction_started, connector, session, future),
            on_error=functools.partial(self._on_transaction_refused, connector, session, future))
        self._refresh(connector)
        self._schedule_sample(connector)

    def _on_transaction_started(self, connector, session, future, payload):
        session.transaction_id = payload.get("transactionId")
        status = (payload.get("idTagInfo") or {}).get("status")
        self._emit("transaction_started", {
            "session": session.sequence, "connector": connector.number,
            "transaction_id": session.transaction_id, "id_tag": session.id_tag, "status": status})
        if not future.done():
            future.set_result(session.transaction_id)
        if status != "Accepted" and connector.session is session \
                and self.config.get_bool("StopTransactionOnInvalidId"):
            self._stop_session(connector, "DeAuthorized")

    def _on_transaction_refused(self, connector, session, future, error):
        if not future.done():
            future.set_exception(error)
        if connector.session is session and self.powered:
            self._stop_session(connector, "Other")

    def _power_cap_w(self, connector):
        charging = sum(1 for c in self._charge_points() if c.stage == "charging") or 1
        return min(self.connector_max_power_kw, self.max_power_kw / charging) * 1000.0

    def _advance(self, connector):
        session = connector.session
        connector.register_wh += session.advance_to(self.sim_now(), self._power_cap_w(connector))

    def _schedule_sample(self, connector):
        interval = self.config.get_int("MeterValueSampleInterval")
        self._connector_timer(connector, "sample", self._sim_delay(interval if interval > 0 else 60),
                              self._sample, connector)

    def _sample(self, connector):
        session = connector.session
        if session is None or not self.powered:
            return
        self._advance(connector)
        if self.config.get_int("MeterValueSampleInterval") > 0:
            self._send_meter_values(connector, "Sample.Periodic")
        if session.full and connector.stage == "charging":
            connector.stage = "suspended_ev"
            self._refresh(connector)
            self._connector_timer(connector, "unplug", self._sim_delay(self.unplug_after_full),
                                  self._unplug, connector, session)
        self._schedule_sample(connector)

    def _unplug(self, connector, session):
        if connector.session is session:
            self._stop_session(connector, "EVDisconnected")

    def _measurands(self):
        wanted = self.config.get_list("MeterValuesSampledData")
        return tuple(wanted) if wanted else DEFAULT_MEASURANDS

    def _send_meter_values(self, connector, context):
        session = connector.session
        if session is None:
            if context == "Trigger" and self.transport.connected:
                self.outbox.submit("MeterValues", {
                    "connectorId": connector.number,
                    "meterValue": [register_sample(self._timestamp(), connector.register_wh)]})
            return
        if context == "Trigger":
            self._advance(connector)
        sample = session.sample(self._timestamp(session.clock), context, self._measurands())

        def payload():
            data = {"connectorId": connector.number, "meterValue": [sample]}
            if session.transaction_id is not None:
                data["transactionId"] = session.transaction_id
            return data

        # periodic samples belong to the transaction (kept offline); triggered ones do not
        self.outbox.submit("MeterValues", payload, transactional=context != "Trigger")

    def _stop_by_request(self, number, reason, end_frames=None):
        connector = self._connector(number)
        if connector.session is None:
            raise PileError(f"no session on connector {number}")
        return self._stop_session(connector, reason, end_frames=end_frames)

    def _stop_session(self, connector, reason, finishing=True, moment=None, end_frames=None,
                      finishing_seconds=None):
        """End the session: StopTransaction (queued like the start) and, with
        the gun still in, Finishing (before or after it, see ``end_frames``),
        then Available after ``finishing_seconds`` simulated seconds (default:
        the pile's). Returns a Future of the StopTransaction reply."""
        session = connector.session
        end_frames = end_frames or self.end_frames
        plugged = finishing and reason not in _UNPLUGGED_REASONS and self.powered
        if plugged and end_frames == "finishing_stop":
            connector.stage = "finishing"
            self._refresh(connector)
        connector.cancel_timers()
        if moment is None:
            self._advance(connector)
            moment = session.clock
        session.stop_reason = reason
        session.stopped_at = moment
        end_sample = session.sample(self._timestamp(moment), "Transaction.End", self._measurands())
        id_tag = session.id_tag if reason == "Local" else None

        def payload():
            if session.transaction_id is None:
                return None  # the platform never opened it: nothing to close
            data = {"transactionId": session.transaction_id, "meterStop": session.meter_wh,
                    "timestamp": self._timestamp(moment), "reason": reason,
                    "transactionData": [end_sample]}
            if id_tag:
                data["idTag"] = id_tag
            return data

        call = self.outbox.submit("StopTransaction", payload, transactional=True)
        connector.session = None
        self._emit("transaction_stopped", {
            "session": session.sequence, "connector": connector.number,
            "transaction_id": session.transaction_id, "id_tag": session.id_tag, "reason": reason,
            "meter_start": session.meter_start, "meter_stop": session.meter_wh,
            "energy_wh": session.meter_wh - session.meter_start,
            "duration_s": moment - session.started_at, "soc": session.vehicle.soc,
        })
        if plugged and end_frames != "stop_available":
            connector.stage = "finishing"
            unplug_after = self.finishing_seconds if finishing_seconds is None else finishing_seconds
            self._connector_timer(connector, "finish", self._sim_delay(unplug_after), self._finished, connector)
        else:
            connector.stage = None
            self._apply_pending_availability(connector)
        self._refresh(connector)
        return call.future

    def _finished(self, connector):
        if connector.stage == "finishing":
            connector.stage = None
            self._refresh(connector)
            self._apply_pending_availability(connector)

    # reservations ----------------------------------------------------------------------

    def _connector_of_reservation(self, reservation_id):
        return next((c for c in self._charge_points()
                     if c.reservation is not None and c.reservation.reservation_id == reservation_id), None)

    def _place_reservation(self, connector, reservation_id, id_tag, expiry, parent_id_tag=None):
        """Hold ``connector`` for ``id_tag`` until ``expiry`` (the caller announces it)."""
        connector.reservation = Reservation(reservation_id, id_tag, expiry, parent_id_tag)
        self._arm_reservation(connector)

    def _drop_reservation(self, connector):
        """End the connector's reservation (used, cancelled, replaced or expired)."""
        connector.reservation = None
        self._cancel(f"reservation-{connector.number}")

    def _arm_reservation(self, connector):
        """The expiry timer: simulated seconds to ``expiry``, scaled by ``speed``."""
        reservation = connector.reservation
        delay = self._sim_delay(max(0.0, reservation.expiry - self.sim_now()))
        self._later(f"reservation-{connector.number}", delay, self._reservation_due, connector, reservation)

    def _arm_reservations(self):
        """Timers again after a power cut (they stop) or a clock change."""
        for connector in self._charge_points():
            if connector.reservation is not None:
                self._arm_reservation(connector)

    def _reservation_due(self, connector, reservation):
        if connector.reservation is not reservation:
            return
        if reservation.expiry - self.sim_now() > 1e-3:  # the clock moved back meanwhile
            self._arm_reservation(connector)
            return
        self._drop_reservation(connector)
        self._emit("reservation_expired", {"connector": connector.number,
                                           "reservation_id": reservation.reservation_id})
        self._refresh(connector)

    # faults -----------------------------------------------------------------------------

    def _inject_fault(self, number, error_code, vendor_error_code, info, stop_reason):
        connector = self._connector(number, allow_zero=True)
        connector.fault = (error_code, vendor_error_code, info)
        self._refresh(connector)
        targets = self._charge_points() if number == 0 else [connector]
        for target in targets:
            if target.session is not None:
                self._stop_session(target, stop_reason, finishing=False)
            elif target.stage in ("preparing", "finishing"):
                target.cancel_timers()
                target.stage = None
                self._refresh(target)

    def _clear_fault(self, number):
        connector = self._connector(number, allow_zero=True)
        connector.fault = None
        self._refresh(connector)

    # power, reset -------------------------------------------------------------------

    def _power_up(self):
        if self.powered:
            return
        self.powered = True
        reason, self._interruption = self._interruption or "PowerLoss", None
        for connector in self._charge_points():
            session = connector.session
            if session is not None:  # frozen by a power cut or a hard reset
                self._stop_session(connector, reason, finishing=False, moment=session.clock)
            connector.stage = None
            connector.current = self._status_of(connector)
        self._arm_reservations()
        self.transport.open()

    def _power_down(self, graceful, mode, final, interruption="PowerLoss"):
        """Switch off: timers stop, the link goes (cleanly or not), sessions
        freeze (stopped with reason ``interruption`` at the next power up),
        queued transaction messages are kept (unless ``final``)."""
        if not self.powered and not final:
            return
        self._interruption = interruption
        for connector in self._charge_points():
            if connector.session is not None:
                self._advance(connector)
        self.powered = False
        self.booted = False
        self._boot_call = None
        for name in list(self._timers):
            self._cancel(name)
        for connector in self._connectors.values():
            connector.cancel_timers()
            if connector.session is None:
                connector.stage = None
        if graceful:
            self.transport.close()
        else:
            self.transport.abort(mode)
        self.outbox.clear(keep_transactional=not final)

    def _reset(self, kind):
        """Soft: stop the sessions (SoftReset), let the StopTransactions leave,
        disconnect cleanly, reboot. Hard: reboot at once; the sessions are
        stopped (HardReset) after the new BootNotification (OCPP 1.6, 5.14)."""
        if kind == "Hard":
            # give the Reset reply time to leave, then drop everything
            self._later("reset", 0.2, self._reboot, False, "HardReset")
            return
        for connector in self._charge_points():
            if connector.session is not None:
                self._stop_session(connector, "SoftReset", finishing=False)
        self._when_drained(self.loop.time() + self.outbox.timeout, self._reboot, True, "Reboot")

    def _when_drained(self, deadline, callback, *args):
        if not self.outbox.has_transactional() or self.loop.time() >= deadline \
                or not self.transport.connected:
            callback(*args)
        else:
            self._later("drain", 0.2, self._when_drained, deadline, callback, *args)

    def _reboot(self, graceful, interruption):
        self._power_down(graceful, ABORT_CLOSE, False, interruption)
        self.loop.call_later(self.reboot_seconds, self._power_up)

    # state --------------------------------------------------------------------------------

    def _snapshot(self):
        connectors = []
        for connector in self._connectors.values():
            session = connector.session
            entry = {
                "number": connector.number,
                "status": (connector.current or self._status_of(connector))[0],
                "error_code": (connector.current or self._status_of(connector))[1],
                "operative": connector.operative, "register_wh": math.floor(connector.register_wh),
            }
            if connector.reservation is not None:
                entry.update(reservation_id=connector.reservation.reservation_id,
                             reserved_for=connector.reservation.id_tag)
            if session is not None:
                entry.update(transaction_id=session.transaction_id, id_tag=session.id_tag,
                             soc=round(session.vehicle.soc, 1), power_w=round(session.power_w),
                             energy_wh=math.floor(session.energy_wh))
            connectors.append(entry)
        return {
            "serial": self.serial, "powered": self.powered, "connected": self.transport.connected,
            "booted": self.booted, "boot_status": self.boot_status, "queued": len(self.outbox),
            "connectors": connectors, "qr_codes": dict(self.qr_codes), "hotline": self.hotline,
            "tariff": self.tariff, "configuration": self.config.describe()["configurationKey"],
            "local_list_version": self.local_auth_list.version,
            "local_list": self.local_auth_list.statuses(),
        }
