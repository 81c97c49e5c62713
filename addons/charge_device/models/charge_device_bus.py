import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from psycopg2.extras import execute_values

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..tools import ocpp_frames as frames
from ..tools import ocpp_routes as routes
from ..tools import ocpp_schema as schema
from ..tools.ocpp_values import format_time

_logger = logging.getLogger(__name__)

# last_seen is written at most this often per pile: it only has to tell a pile
# that is silent for two heartbeat intervals, and each write locks the row.
SEEN_RESOLUTION = timedelta(seconds=5)


@dataclass
class Inbound:
    """One message taken from the bus, and what became of it."""
    topic: str
    raw: bytes
    serial: str = ""
    prefix: str = ""
    pile: dict = None          # row of the pile: id, company_id, state, online
    frame: object = None       # Call / CallResult / CallError once decoded
    error: frames.FrameError = None
    reply: object = None       # CallResult / CallError to publish, if any
    duplicate: bool = False
    payload_hash: str = ""
    log: dict = field(default_factory=dict)


class ChargeDeviceBus(models.AbstractModel):
    """Processing of the frames the listener takes from the bus, a batch at a
    time in one transaction: heartbeats, statuses and meter values with
    set-based SQL, the other actions one by one through the ORM handlers
    (``_ocpp_<action>``, see charge_device_bus_handlers.py), each in its own
    savepoint so that one bad frame never spoils the batch."""
    _name = "charge.device.bus"
    _description = "Device Bus"

    @api.model
    def _process_batch(self, messages):
        """Process ``messages``, a list of ``(topic, raw payload)``; return the
        replies to publish after commit, as ``(topic, text)`` in order."""
        now = fields.Datetime.now()
        self.env.flush_all()  # the SQL below reads what the ORM may still hold
        batch = [Inbound(topic, raw if isinstance(raw, bytes) else raw.encode()) for topic, raw in messages]
        self._identify(batch)
        self._decode(batch)
        self._find_duplicates(batch)
        self._mark_seen([item for item in batch if item.pile], now)
        for item in batch:
            if item.pile and not item.duplicate and not item.error:
                if isinstance(item.frame, frames.Call) and item.frame.action not in routes.HOT_ACTIONS:
                    self._handle_one(item)
                elif not isinstance(item.frame, frames.Call):
                    self._handle_answer(item)
        self._handle_hot([
            item for item in batch
            if item.pile and not item.duplicate and not item.error and isinstance(item.frame, frames.Call)
            and item.frame.action in routes.HOT_ACTIONS
        ], now)
        self._write_log(batch, now)
        return [
            (routes.down_topic(item.prefix, item.serial), item.reply.encode())
            for item in batch if item.reply is not None and item.serial
        ]

    # Steps ------------------------------------------------------------------

    def _identify(self, batch):
        """Find the pile of each message from its topic: serial, and the prefix of the pile's company."""
        for item in batch:
            parsed = routes.parse_up_topic(item.topic)
            if parsed:
                item.prefix, item.serial = parsed
        serials = list({item.serial for item in batch if item.serial})
        if not serials:
            return
        self.env.cr.execute("""
            SELECT p.serial, p.id, p.company_id, p.state, p.online, c.charge_mqtt_prefix
              FROM charge_pile p
              JOIN res_company c ON c.id = p.company_id
             WHERE p.serial = ANY(%s) AND p.active
        """, [serials])
        piles = {row[0]: row for row in self.env.cr.fetchall()}
        for item in batch:
            row = piles.get(item.serial)
            if row and row[5] == item.prefix:
                item.pile = {"id": row[1], "company_id": row[2], "state": row[3], "online": row[4]}

    def _decode(self, batch):
        for item in batch:
            if not item.serial:
                _logger.warning("message on unexpected topic %r ignored", item.topic)
                continue
            item.payload_hash = hashlib.sha1(item.raw).hexdigest()
            try:
                item.frame = frames.decode(item.raw)
                if isinstance(item.frame, frames.Call):
                    if not item.pile:
                        self._refuse_unknown_device(item)
                        continue
                    if item.frame.action not in routes.DEVICE_ACTIONS:
                        if schema.known_action(item.frame.action):
                            raise frames.FrameError(
                                frames.NOT_SUPPORTED, f"{item.frame.action} is not accepted from a pile",
                                item.frame.message_id)
                        raise frames.FrameError(
                            frames.NOT_IMPLEMENTED, f"unknown action {item.frame.action!r}", item.frame.message_id)
                    schema.validate_call(item.frame)
            except frames.FrameError as error:
                item.error = error
                item.reply = error.to_call_error()
                _logger.info("frame from %s refused: %s %s", item.serial, error.error_code, error.description)

    def _refuse_unknown_device(self, item):
        """An unknown serial (or a known one under another company's prefix):
        a BootNotification is rejected, anything else gets a SecurityError."""
        call = item.frame
        _logger.warning("frame %s from unknown device %r on %r refused", call.action, item.serial, item.topic)
        if call.action == "BootNotification":
            item.reply = frames.CallResult(call.message_id, {
                "status": "Rejected", "currentTime": self._now_text(), "interval": 300,
            })
            item.log = {"error_code": "Rejected", "error_description": "unknown device"}
        else:
            item.error = frames.FrameError(frames.SECURITY_ERROR, "unknown device", call.message_id)
            item.reply = item.error.to_call_error()

    def _find_duplicates(self, batch):
        """A CALL whose (serial, message id, content) was already processed is
        answered again with the stored reply and not processed again."""
        calls = [item for item in batch if item.pile and isinstance(item.frame, frames.Call) and not item.error]
        if not calls:
            return
        self.env.cr.execute("""
            SELECT m.serial, m.message_id, m.payload_hash, m.reply
              FROM charge_device_message m
              JOIN unnest(%s::varchar[], %s::varchar[]) AS k(serial, message_id)
                ON m.serial = k.serial AND m.message_id = k.message_id
             WHERE m.frame_type = 'call'
        """, [[item.serial for item in calls], [item.frame.message_id for item in calls]])
        stored = {(serial, message_id, digest): reply for serial, message_id, digest, reply in self.env.cr.fetchall()}
        seen = {}
        for item in calls:
            key = (item.serial, item.frame.message_id, item.payload_hash)
            if key in stored:
                item.duplicate = True
                item.reply = _StoredReply(stored[key])
            elif key in seen:
                item.duplicate = True
                item.reply = _SameReplyAs(seen[key])
            else:
                seen[key] = item

    def _mark_seen(self, items, now):
        """Every frame from a pile says it is alive: last seen now, online.
        Piles that were offline come back online. Rows another listener is
        updating right now are skipped: it is writing the same thing."""
        pile_ids = sorted({item.pile["id"] for item in items})
        if not pile_ids:
            return
        self.env.cr.execute("""
            UPDATE charge_pile p SET last_seen = %s, online = true
              FROM (SELECT id, online FROM charge_pile
                     WHERE id = ANY(%s) AND (NOT online OR last_seen IS NULL OR last_seen < %s)
                     ORDER BY id FOR UPDATE SKIP LOCKED) old
             WHERE p.id = old.id
         RETURNING p.id, old.online
        """, [now, pile_ids, now - SEEN_RESOLUTION])
        back = [pile_id for pile_id, was_online in self.env.cr.fetchall() if not was_online]
        self.env["charge.pile"].invalidate_model(["last_seen", "online"])
        if back:
            self.env["charge.pile"].browse(back)._on_back_online()

    def _handle_one(self, item):
        """A business frame, through its ORM handler, in a savepoint."""
        call = item.frame
        pile = self.env["charge.pile"].browse(item.pile["id"])
        handler = getattr(self, routes.DEVICE_ROUTES[call.action])
        try:
            with self.env.cr.savepoint():
                result = handler(pile, call.payload)
            item.reply = frames.CallResult(call.message_id, result)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            # another transaction holds what this frame needs (a wallet being debited...): the
            # snapshot is stale for the whole batch, which the listener retries (frames are idempotent)
            raise
        except Exception as error:  # noqa: BLE001 - one frame must never stop the batch
            _logger.exception("%s from %s failed", call.action, item.serial)
            self.env.invalidate_all()
            item.error = frames.FrameError(frames.INTERNAL_ERROR, str(error)[:200], call.message_id)
            item.reply = item.error.to_call_error()

    def _handle_answer(self, item):
        """A CALLRESULT or CALLERROR: the pile's answer to one of our commands."""
        try:
            with self.env.cr.savepoint():
                self.env["charge.device.command"]._on_answer(item.pile["id"], item.frame)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:  # noqa: BLE001
            _logger.exception("answer %s from %s could not be recorded", item.frame.message_id, item.serial)
            self.env.invalidate_all()

    def _handle_hot(self, items, now):
        """Heartbeats, statuses and meter values of the batch, set-based; if
        that fails, frame by frame, each in a savepoint."""
        if not items:
            return
        # the handlers before may hold writes on the rows the SQL below updates
        self.env.flush_all()
        try:
            with self.env.cr.savepoint():
                self._hot_frames(items, now)
        except Exception:  # noqa: BLE001
            _logger.exception("set-based processing of %d frames failed; retrying one by one", len(items))
            self.env.invalidate_all()
            for item in items:
                try:
                    with self.env.cr.savepoint():
                        self._hot_frames([item], now)
                except Exception as error:  # noqa: BLE001
                    _logger.exception("%s from %s failed", item.frame.action, item.serial)
                    self.env.invalidate_all()
                    item.error = frames.FrameError(frames.INTERNAL_ERROR, str(error)[:200], item.frame.message_id)
                    item.reply = item.error.to_call_error()
        self.env.invalidate_all()

    def _hot_frames(self, items, now):
        by_action = {}
        for item in items:
            by_action.setdefault(item.frame.action, []).append(item)
        now_text = self._now_text()
        for item in by_action.get("Heartbeat", []):
            item.reply = frames.CallResult(item.frame.message_id, {"currentTime": now_text})
        if statuses := by_action.get("StatusNotification"):
            self._status_notifications(statuses, now)
        if meter_values := by_action.get("MeterValues"):
            self._meter_values(meter_values)
        for item in items:
            if item.reply is None:
                item.reply = frames.CallResult(item.frame.message_id, {})

    def _write_log(self, batch, now):
        rows = []
        for item in batch:
            if not item.serial or item.duplicate:
                continue
            frame = item.frame
            frame_type = ("call" if isinstance(frame, frames.Call) else "result" if isinstance(frame, frames.CallResult)
                          else "error" if isinstance(frame, frames.CallError) else "invalid")
            error = item.error
            rows.append((
                item.serial, getattr(frame, "message_id", None) or frames.UNKNOWN_MESSAGE_ID,
                item.pile["id"] if item.pile else None, item.pile["company_id"] if item.pile else None,
                now, frame_type, getattr(frame, "action", None) if frame_type == "call" else None,
                item.raw.decode("utf-8", "replace"), item.payload_hash,
                item.reply.encode() if item.reply is not None else None,
                error.error_code if error else item.log.get("error_code"),
                error.description if error else item.log.get("error_description"),
            ))
        if rows:
            execute_values(self.env.cr._obj, """
                INSERT INTO charge_device_message (serial, message_id, pile_id, company_id, received_at,
                       frame_type, action, payload, payload_hash, reply, error_code, error_description)
                VALUES %s
            """, rows, page_size=1000)

    @api.model
    def _now_text(self):
        return format_time(fields.Datetime.now())


class _StoredReply:
    """The reply given to the first delivery of a frame, sent again as it was."""

    def __init__(self, text):
        self.text = text

    def encode(self):
        return self.text


class _SameReplyAs:
    """A frame delivered twice in the same batch gets the first one's reply."""

    def __init__(self, first):
        self.first = first

    def encode(self):
        return self.first.reply.encode()
