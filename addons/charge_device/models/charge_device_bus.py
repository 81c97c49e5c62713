import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta

from psycopg2.extras import execute_values

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..tools import frame_guard as guard
from ..tools import ocpp_frames as frames
from ..tools import ocpp_routes as routes
from ..tools import ocpp_schema as schema
from ..tools.faults import INVALID_FRAMES
from ..tools.ocpp_values import format_time, read_samples

_logger = logging.getLogger(__name__)

# last_seen is written at most this often per pile: it only has to tell a pile
# that is silent for two heartbeat intervals, and each write locks the row.
SEEN_RESOLUTION = timedelta(seconds=5)
# what the frame log keeps of a frame beyond the size limit
LOGGED_HEAD = 1024
HEARTBEAT_TRIGGER = {"requestedMessage": "Heartbeat"}


@dataclass
class Inbound:
    """One message taken from the bus, and what became of it."""
    topic: str
    raw: bytes
    serial: str = ""
    prefix: str = ""
    pile: dict = None          # row of the pile: id, company_id, state, online, last_boot
    frame: object = None       # Call / CallResult / CallError once decoded
    error: frames.FrameError = None
    reply: object = None       # CallResult / CallError to publish, if any
    duplicate: bool = False
    payload_hash: str = ""
    log: dict = field(default_factory=dict)
    checked: guard.Checked = None  # what the guard dropped or replaced in a CALL's payload
    notes: list = field(default_factory=list)  # (code, text) for the frame log, besides the error


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
        batch = [Inbound(topic, _bytes(raw)) for topic, raw in messages]
        back = self._identify(batch, seen_at=now)
        self._decode(batch, now)
        self._find_duplicates(batch)
        self._back_online(back)
        # the batch's StopTransactions together, where the first of them comes (charge_device_bus_stops.py)
        stops = self._set_based_stops([
            item for item in batch
            if item.pile and not item.duplicate and not item.error and isinstance(item.frame, frames.Call)])
        together = {id(item) for item in stops}
        for item in batch:
            if item.pile and not item.duplicate and not item.error:
                if id(item) in together:
                    if item is stops[0]:
                        self._handle_stops(stops)
                elif isinstance(item.frame, frames.Call) and item.frame.action not in routes.HOT_ACTIONS:
                    self._handle_one(item)
                elif not isinstance(item.frame, frames.Call):
                    self._handle_answer(item)
        self._handle_hot([
            item for item in batch
            if item.pile and not item.duplicate and not item.error and isinstance(item.frame, frames.Call)
            and item.frame.action in routes.HOT_ACTIONS
        ], now)
        self._sync_clocks(batch, now)
        self._write_log(batch, now)
        self._count_invalid_frames(batch, now)
        return self._replies(batch)

    def _replies(self, batch):
        return [
            (routes.down_topic(item.prefix, item.serial), item.reply.encode())
            for item in batch if item.reply is not None and item.serial
        ]

    @api.model
    def _process_failed(self, topic, raw, description):
        """A message that failed even processed alone, in a transaction of its
        own (the listener's last resort): log it with an InternalError, count it
        against its pile, and return its reply to publish (a CALLERROR for a
        CALL, nothing for an answer). Delivered again, it gets the same reply
        without being processed (a frame must never block the bus)."""
        now = fields.Datetime.now()
        item = Inbound(topic, _bytes(raw))
        self._identify([item])
        if not item.serial:
            return []
        item.payload_hash = hashlib.sha1(item.raw).hexdigest()
        try:
            item.frame = frames.decode(item.raw)
            message_id = item.frame.message_id
            message_type = (frames.CALL if isinstance(item.frame, frames.Call) else
                            frames.CALLRESULT if isinstance(item.frame, frames.CallResult) else frames.CALLERROR)
        except frames.FrameError as error:
            message_id, message_type = error.message_id, error.message_type
        self._refuse(item, frames.FrameError(frames.INTERNAL_ERROR, f"the frame could not be processed: {description}",
                                             message_id, message_type=message_type))
        self._write_log([item], now)
        self._count_invalid_frames([item], now)
        return self._replies([item])

    # Steps ------------------------------------------------------------------

    def _identify(self, batch, seen_at=None):
        """Find the pile of each message from its topic: serial, and the prefix
        of the pile's company. With ``seen_at``, the piles found are also marked
        seen then, in the same statement: every frame from a pile says it is
        alive (last seen, online; written at most once per SEEN_RESOLUTION).
        Rows another listener is updating right now are skipped: it is writing
        the same thing. Returns the ids of the piles that were offline, for
        _back_online."""
        for item in batch:
            parsed = routes.parse_up_topic(item.topic)
            if parsed:
                item.prefix, item.serial = parsed
        pairs = sorted({(item.serial, item.prefix) for item in batch if item.serial})
        if not pairs:
            return []
        serials = sorted({serial for serial, _prefix in pairs})
        if seen_at is None:
            self.env.cr.execute("""
                SELECT p.serial, p.id, p.company_id, p.state, p.online, c.charge_mqtt_prefix, p.last_boot
                  FROM charge_pile p
                  JOIN res_company c ON c.id = p.company_id
                 WHERE p.serial = ANY(%s) AND p.active
            """, [serials])
        else:
            # the piles as they were before this batch (online included), and the update of
            # those heard under their company's prefix: one round trip instead of two
            self.env.cr.execute("""
                WITH piles AS (
                    SELECT p.serial, p.id, p.company_id, p.state, p.online, c.charge_mqtt_prefix, p.last_boot
                      FROM charge_pile p
                      JOIN res_company c ON c.id = p.company_id
                     WHERE p.serial = ANY(%s) AND p.active
                ), seen AS (
                    UPDATE charge_pile p SET last_seen = %s, online = true
                      FROM (SELECT id, online FROM charge_pile
                             WHERE id IN (SELECT piles.id FROM piles
                                            JOIN unnest(%s::varchar[], %s::varchar[]) AS k(serial, prefix)
                                              ON k.serial = piles.serial AND k.prefix = piles.charge_mqtt_prefix)
                               AND (NOT online OR last_seen IS NULL OR last_seen < %s)
                             -- without the key: another listener inserting rows that point to these piles
                             -- (frame log, meter values) share-locks their keys, and would wait for this commit
                             ORDER BY id FOR NO KEY UPDATE SKIP LOCKED) old
                     WHERE p.id = old.id
                 RETURNING p.id, old.online
                )
                SELECT piles.*, seen.id IS NOT NULL AND NOT seen.online FROM piles LEFT JOIN seen ON seen.id = piles.id
            """, [serials, seen_at, [serial for serial, _prefix in pairs], [_text(prefix) for _serial, prefix in pairs],
                  seen_at - SEEN_RESOLUTION])
        rows = self.env.cr.fetchall()
        if seen_at is not None:
            self.env["charge.pile"].invalidate_model(["last_seen", "online"])
        piles = {row[0]: row for row in rows}
        for item in batch:
            row = piles.get(item.serial)
            if row and row[5] == item.prefix:
                item.pile = {"id": row[1], "company_id": row[2], "state": row[3], "online": row[4],
                             "last_boot": row[6]}
        return sorted(row[1] for row in rows if seen_at is not None and row[7])

    def _decode(self, batch, now=None):
        """Read each frame and check it (frame limits, schema, guard): a frame
        that fails is refused here, and answered when OCPP allows it."""
        now = now or fields.Datetime.now()
        window = None
        for item in batch:
            if not item.serial:
                _logger.warning("message on unexpected topic %r ignored", _text(item.topic)[:200])
                continue
            item.payload_hash = hashlib.sha1(item.raw).hexdigest()
            try:
                item.frame = frames.decode(item.raw)
                if not isinstance(item.frame, frames.Call):
                    guard.check_answer(item.frame, item.raw)
                    continue
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
                window = window or self._frame_window()
                item.checked = guard.check_call(item.frame, now, schema.validate_call, *window, raw=item.raw)
                if item.checked.payload is not item.frame.payload:
                    item.frame = frames.Call(item.frame.message_id, item.frame.action, item.checked.payload)
                item.notes.extend(item.checked.notes)
            except frames.FrameError as error:
                self._refuse(item, error)
            except Exception as error:  # noqa: BLE001 - a frame must never stop the batch
                _logger.exception("frame from %s could not be checked", item.serial)
                frame = item.frame
                self._refuse(item, frames.FrameError(
                    frames.INTERNAL_ERROR, f"the frame could not be checked: {type(error).__name__}",
                    getattr(frame, "message_id", frames.UNKNOWN_MESSAGE_ID),
                    message_type=None if frame is None or isinstance(frame, frames.Call) else frames.CALLRESULT))

    def _refuse(self, item, error):
        """``item`` is not processed; a CALL (or a frame whose type cannot be
        read) gets a CALLERROR, an answer is never answered."""
        item.error = error
        item.reply = error.to_call_error() if error.answerable else None
        if item.notes:
            item.notes = []  # what the guard changed does not matter in a refused frame
        _logger.info("frame from %s refused: %s %s", item.serial, error.error_code, _text(error.description))

    @api.model
    def _frame_window(self):
        """(max age, max ahead) of the timestamps the platform takes from piles."""
        days = self.env["ir.config_parameter"].sudo().get_param("charge_device.frame_max_age_days")
        try:
            max_age = timedelta(days=min(max(float(days), 0.0), 36500.0)) if days else guard.MAX_AGE
        except ValueError:  # not a number
            max_age = guard.MAX_AGE
        return max_age, guard.MAX_CLOCK_AHEAD

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
        answered again with the stored reply and not processed again. A message
        id already used with another content is processed (OCPP-J makes ids
        unique per connection, and a rebooted pile may start its counter again)
        but flagged in the frame log: counted as invalid when the earlier frame
        came since the pile's last boot."""
        calls = [item for item in batch if item.pile and isinstance(item.frame, frames.Call) and not item.error]
        if not calls:
            return
        self.env.cr.execute("""
            SELECT m.serial, m.message_id, m.payload_hash, m.reply, m.received_at
              FROM charge_device_message m
              JOIN unnest(%s::varchar[], %s::varchar[]) AS k(serial, message_id)
                ON m.serial = k.serial AND m.message_id = k.message_id
             WHERE m.frame_type = 'call'
        """, [[item.serial for item in calls], [item.frame.message_id for item in calls]])
        stored, used = {}, {}
        for serial, message_id, digest, reply, received_at in self.env.cr.fetchall():
            stored[serial, message_id, digest] = reply
            used[serial, message_id] = max(received_at, used.get((serial, message_id), received_at))
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
                if key[:2] in used:
                    earlier, boot = used[key[:2]], item.pile["last_boot"]
                    since_boot = earlier is None or not boot or earlier >= boot
                    item.notes.append((
                        guard.MESSAGE_ID_REUSED if since_boot else guard.MESSAGE_ID_REUSED_AFTER_BOOT,
                        "message id already used by another frame " + (
                            "in this batch" if earlier is None else f"received at {earlier}")))
                seen[key] = item
                used.setdefault(key[:2], None)

    def _back_online(self, pile_ids):
        """Piles that were offline come back online."""
        if pile_ids:
            self.env["charge.pile"].browse(pile_ids)._on_back_online()

    def _handle_one(self, item):
        """A business frame, through its ORM handler, in a savepoint."""
        call = item.frame
        pile = self.env["charge.pile"].browse(item.pile["id"])
        handler = getattr(self, routes.DEVICE_ROUTES[call.action])
        try:
            with self.env.cr.savepoint():
                if item.checked and item.checked.last_meter:
                    call = item.frame = self._with_last_meter(call, item.pile["id"])
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

    def _with_last_meter(self, call, pile_id):
        """A StopTransaction whose meterStop was out of range: it closes the
        session with the last register the pile reported for it (in its meter
        values or in the stop's own transaction data)."""
        self.env.cr.execute("""
            SELECT COALESCE(meter_last, meter_start) FROM charge_session WHERE id = %s AND pile_id = %s
        """, [call.payload["transactionId"], pile_id])
        row = self.env.cr.fetchone()
        registers = [row[0] if row else 0] + [
            sample["energy_wh"] for sample in read_samples(call.payload.get("transactionData") or [])
            if "energy_wh" in sample]
        return frames.Call(call.message_id, call.action, {**call.payload, "meterStop": int(max(registers))})

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
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            # another listener updated the same rows (two frames of one pile, one in each listener's
            # batch): the snapshot is stale for every frame, which the listener retries as a whole
            raise
        except Exception:  # noqa: BLE001
            _logger.exception("set-based processing of %d frames failed; retrying one by one", len(items))
            self.env.invalidate_all()
            for item in items:
                try:
                    with self.env.cr.savepoint():
                        self._hot_frames([item], now)
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                    raise
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

    def _sync_clocks(self, batch, now):
        """Piles that sent implausible times get their clock set the OCPP 1.6
        way: a TriggerMessage Heartbeat (its answer carries the platform's
        time), at most once per CLOCK_SYNC_INTERVAL per pile, published after
        commit like every command."""
        skewed = {}
        for item in batch:
            if item.checked and item.checked.clock_off and not item.error and not item.duplicate:
                skewed.setdefault(item.pile["id"], item.checked.clock_skew)
        if not skewed:
            return
        commands = self.env["charge.device.command"]
        payload = json.dumps(HEARTBEAT_TRIGGER, ensure_ascii=False)
        self.env.cr.execute("""
            SELECT DISTINCT pile_id FROM charge_device_command
             WHERE pile_id = ANY(%s) AND action = 'TriggerMessage' AND payload = %s AND create_date >= %s
        """, [list(skewed), payload, now - guard.CLOCK_SYNC_INTERVAL])
        recent = {row[0] for row in self.env.cr.fetchall()}
        for pile in self.env["charge.pile"].browse(sorted(set(skewed) - recent)):
            skew = skewed[pile.id]
            _logger.warning("clock of pile %s is off (%s): asking it for a Heartbeat", pile.serial,
                            "unreadable time" if skew is None else f"{skew.total_seconds():+.0f} s")
            try:
                with self.env.cr.savepoint():
                    commands._send(pile, "TriggerMessage", dict(HEARTBEAT_TRIGGER))
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception:  # noqa: BLE001 - the frames are processed anyway
                _logger.exception("could not ask pile %s for a Heartbeat", pile.serial)
                self.env.invalidate_all()

    def _write_log(self, batch, now):
        rows = []
        for item in batch:
            if not item.serial or item.duplicate:
                continue
            frame = item.frame
            frame_type = ("call" if isinstance(frame, frames.Call) else "result" if isinstance(frame, frames.CallResult)
                          else "error" if isinstance(frame, frames.CallError) else "invalid")
            error = item.error
            if error:
                code, description = error.error_code, error.description
            elif item.notes:
                # the counted notes first: the frame log code is what alarm 5003 counts
                notes = sorted(item.notes, key=lambda note: note[0] not in guard.COUNTED_CODES)
                code, description = notes[0][0], "; ".join(dict.fromkeys(text for _code, text in notes))
            else:
                code, description = item.log.get("error_code"), item.log.get("error_description")
            message_id = getattr(frame, "message_id", None) or (error and error.message_id) or frames.UNKNOWN_MESSAGE_ID
            rows.append((
                _text(item.serial), _text(message_id),
                item.pile["id"] if item.pile else None, item.pile["company_id"] if item.pile else None,
                now, frame_type, _text(getattr(frame, "action", None)) if frame_type == "call" else None,
                _logged_payload(item.raw), item.payload_hash,
                _text(item.reply.encode()) if item.reply is not None else None,
                _text(code), _text(description),
            ))
        if rows:
            execute_values(self.env.cr._obj, """
                INSERT INTO charge_device_message (serial, message_id, pile_id, company_id, received_at,
                       frame_type, action, payload, payload_hash, reply, error_code, error_description)
                VALUES %s
            """, rows, page_size=1000)

    def _count_invalid_frames(self, batch, now):
        """Alarm 5003 for the piles of the batch with INVALID_FRAME_THRESHOLD
        counted frames (see guard.COUNTED_CODES) in the last
        INVALID_FRAME_WINDOW; one more occurrence of the open alarm per batch
        while it lasts. Read from the frame log: one query, only for batches
        with such frames."""
        pile_ids = sorted({item.pile["id"] for item in batch if item.pile and not item.duplicate and (
            (item.error and item.error.error_code in guard.COUNTED_CODES)
            or any(note[0] in guard.COUNTED_CODES for note in item.notes))})
        if not pile_ids:
            return
        self.env.cr.execute("""
            SELECT p.id, (SELECT count(*) FROM (SELECT 1 FROM charge_device_message m
                                                  WHERE m.pile_id = p.id AND m.error_code IS NOT NULL
                                                    AND m.received_at >= %s AND m.error_code = ANY(%s)
                                                  LIMIT %s) recent)
              FROM unnest(%s::int[]) AS p(id)
        """, [now - guard.INVALID_FRAME_WINDOW, sorted(guard.COUNTED_CODES), guard.INVALID_FRAME_THRESHOLD,
              pile_ids])
        over = [pile_id for pile_id, count in self.env.cr.fetchall() if count >= guard.INVALID_FRAME_THRESHOLD]
        alarm_type = self.env.ref(f"charge_device.alarm_type_{INVALID_FRAMES}", raise_if_not_found=False)
        if not over or not alarm_type:
            return
        minutes = int(guard.INVALID_FRAME_WINDOW.total_seconds() // 60)
        for pile in self.env["charge.pile"].browse(over):
            alarm = self.env["charge.alarm"]._raise(pile, alarm_type, detail=self.env._(
                "%(count)s invalid frames or more in %(minutes)s minutes (see the frame log)",
                count=guard.INVALID_FRAME_THRESHOLD, minutes=minutes))
            if alarm.count == 1:
                _logger.warning("pile %s sent %d invalid frames or more in %d minutes: alarm %s", pile.serial,
                                guard.INVALID_FRAME_THRESHOLD, minutes, INVALID_FRAMES)

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


def _bytes(raw):
    """A message's payload as bytes (lone surrogates of a str kept, to be refused)."""
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogatepass")
    return bytes(raw)


def _text(value):
    """``value`` as PostgreSQL text can hold it: without NUL nor lone surrogates."""
    if not isinstance(value, str):
        return value
    return _UNSTORABLE.sub("\ufffd", value) if _UNSTORABLE.search(value) else value


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _logged_payload(raw):
    """What the frame log keeps of a frame: the whole of it within the size limit."""
    if len(raw) > frames.MAX_FRAME_BYTES:
        return _text(raw[:LOGGED_HEAD].decode("utf-8", "replace")) + f"… ({len(raw)} bytes)"
    return _text(raw.decode("utf-8", "replace"))
