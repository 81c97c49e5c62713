"""Fuzz test of the device bus (issue 10): 100,000 hostile frames drawn with
hypothesis (tests/fuzz_frames.py), sent by legitimate pile accounts through
the real broker and listener: random bytes, broken UTF-8, NUL bytes, deep and
huge JSON, wrong types and shapes, non-finite and extreme numbers, hostile
strings and timestamps, hostile and duplicated message ids, answers to
nothing, and frames naming other piles' transactions.

Afterwards:

- every frame got an answer on its pile's down topic or a row in
  charge_device_message (matched by its SHA-1, which the log keeps, or by its
  message id; a frame matched with neither must be one of those answered
  under no id of its pile's frames, "-1"); every CALL with a readable message
  id was answered under that id, and none with InternalError (a handler that
  crashed on a hostile value);
- a valid Heartbeat is answered within 1 s after the storm (and at all while
  it lasts: its latency then depends on the machine's load, it is reported),
  and every fuzzing pile still gets its heartbeats answered;
- no session, meter value or order of the run's piles holds a non-finite or
  out-of-range value (``RANGES``), no order is left charging on a finished
  session, no pile touched another pile's sessions;
- the listener is alive, never retried nor split a batch because of its
  frames, and its resident memory grew by less than ``RSS_GROWTH_MB``.

The piles are made for the run (on the demo stations, booted, commissioned,
with a card), so that no other test's pile is disturbed. Two of them open
sessions and then keep quiet (the car one sends the timed heartbeats): their
sessions are the other piles' sessions the fuzzing piles aim at, and must not
change. A fuzzing pile aims at its own sessions too: those it opened before
the storm and those its own StartTransaction frames open. A failure's report lists the frames to reproduce it with; the whole
report is also written to fuzz-report.txt in the test's folder.

CHARGE_FUZZ_FRAMES (default 100000) and CHARGE_FUZZ_SKIP (kinds to leave out,
comma-separated, see fuzz_frames.KINDS) are for diagnosing, not for the suite.
"""

import hashlib
import json
import os
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

import fuzz_frames as ff
from device_bus_harness import PREFIX, e2e_bus

FRAMES = int(os.environ.get("CHARGE_FUZZ_FRAMES") or 100_000)
SKIP_KINDS = {kind for kind in (os.environ.get("CHARGE_FUZZ_SKIP") or "").split(",") if kind}
CARD = "FUZZ0001"
DC_PILES = 6            # fuzzing piles on the car station (2 connectors each)
EBIKE_PILES = 2         # fuzzing piles on the e-bike station (10 connectors each)
WINDOW = 30             # CALLs a fuzzing pile may have unanswered: the broker's queue stays short
STALL_SECONDS = 30      # no answer to anyone for this long while CALLs wait: the listener is stuck
SETTLE_SECONDS = 60     # after the storm, how long the last answers may take
HEARTBEAT_SECONDS = 1.0
# The listener holds one batch (a few hundred frames of at most 128 KiB each,
# those beyond refused unread) and Odoo's bounded caches: what 100,000 frames
# leave behind must stay well below this.
RSS_GROWTH_MB = 200
NOW = "(now() at time zone 'UTC')"


def plausible(column):
    return f"{column} < '2000-01-01' OR {column} > {NOW} + interval '1 day'"


# table -> (column, SQL condition of an out-of-range value); besides, no
# numeric column of these tables may hold NaN or an infinity
RANGES = {
    "charge_session": [
        ("soc", "soc < 0 OR soc > 100"), ("energy_kwh", "energy_kwh < 0 OR energy_kwh > 100000"),
        ("power_kw", "power_kw < 0 OR power_kw > 10000"), ("meter_start", "meter_start < 0"),
        ("meter_last", "meter_last < 0"), ("meter_stop", "meter_stop < 0"),
        ("start_date", plausible("start_date")), ("stop_date", plausible("stop_date")),
        ("stop_date", "stop_date < start_date"),
    ],
    "charge_meter_value": [
        ("energy_wh", "energy_wh < 0 OR energy_wh > 2147483647"), ("power_w", "power_w < 0 OR power_w > 1e7"),
        ("current_a", "current_a < 0 OR current_a > 1e5"), ("voltage_v", "voltage_v < 0 OR voltage_v > 1e5"),
        ("soc", "soc < 0 OR soc > 100"), ("temperature_c", "temperature_c < -273.15 OR temperature_c > 1e4"),
        ("timestamp", plausible("timestamp")),
    ],
    "charge_order": [
        *((column, f"{column} < -1e6 OR {column} > 1e6") for column in (
            "amount_electricity", "amount_occupancy", "amount_pile", "amount_reservation", "amount_service",
            "amount_total", "running_amount", "prepaid_amount")),
        *((column, f"{column} < 0 OR {column} > 100000") for column in (
            "energy_kwh", "energy_flat", "energy_peak", "energy_sharp", "energy_standard", "energy_valley")),
        ("duration_minutes", "duration_minutes < 0 OR duration_minutes > 527040"),
        ("occupancy_minutes", "occupancy_minutes < 0 OR occupancy_minutes > 527040"),
        ("soc_start", "soc_start < 0 OR soc_start > 100"), ("soc_stop", "soc_stop < 0 OR soc_stop > 100"),
        ("max_power_kw", "max_power_kw < 0 OR max_power_kw > 10000"),
        *((column, plausible(column)) for column in ("start_date", "stop_date", "occupancy_start", "occupancy_stop")),
        ("stop_date", "stop_date < start_date"),
    ],
}


# A pile on the bus ---------------------------------------------------------------------


@dataclass
class Record:
    """What the test remembers of a frame it sent."""
    number: int              # in the order of the whole storm
    kind: str
    key: str                 # its readable message id, if any
    expects_answer: bool
    data: bytes              # the frame itself when small, else its first bytes
    digest: str              # its SHA-1, as the frame log keeps it


class FuzzPile:
    """An MQTT client for one pile: publishes frames, collects what comes back."""

    def __init__(self, bus, serial, password):
        self.serial = serial
        self.cond = threading.Condition()
        self.answers = Counter()          # message id -> answers under it (None: unreadable)
        self.errors = {}                  # message id -> (errorCode, description) of a CALLERROR
        self.pending = Counter()          # message id -> answers owed to CALLs under it
        self.owed = 0
        self.received = 0
        self.commands = 0                 # CALLs the platform sent down
        self.last_answer = time.monotonic()
        self.records = []
        self.transactions = []            # of the pile's own sessions, the latest last: the fuzz aims at them
        self.refused_mids = set()         # MQTT ids of frames the broker refused
        self.mids = {}                    # MQTT id -> frame number
        self.waiting = {}                 # message id of a call() -> [event, frame, time]
        self.client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                                  client_id=f"{serial}-fz-{uuid.uuid4().hex[:6]}", protocol=mqtt.MQTTv5)
        self.client.username_pw_set(serial, password)
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        subscribed = threading.Event()
        self.client.on_connect = lambda client, _u, _f, reason, _p: (
            None if reason.is_failure else client.subscribe(f"{PREFIX}/{serial}/down", qos=1))
        self.client.on_subscribe = lambda *_args: subscribed.set()
        self.client.connect("127.0.0.1", bus.port)
        self.client.loop_start()
        assert subscribed.wait(10), f"{serial} could not connect to the broker and subscribe"

    def _on_message(self, _client, _userdata, message):
        try:
            frame = json.loads(message.payload)
        except ValueError:
            frame = None
        if not isinstance(frame, list) or len(frame) < 2:
            message_id = None
        elif frame[0] == 2:
            self.commands += 1
            return
        else:
            message_id = frame[1] if isinstance(frame[1], str) else None
        with self.cond:
            if message_id in self.waiting:
                waiter = self.waiting.pop(message_id)
                waiter[1:] = [frame, time.monotonic()]
                waiter[0].set()
                return
            self.answers[message_id] += 1
            if frame and frame[0] == 3 and len(frame) == 3 and isinstance(frame[2], dict):
                transaction_id = frame[2].get("transactionId")
                if type(transaction_id) is int and transaction_id > 0:   # a session the fuzz opened
                    self.transactions.append(transaction_id)
                    del self.transactions[:-50]
            if frame and frame[0] == 4 and len(frame) >= 4:
                self.errors.setdefault(message_id, (frame[2], frame[3]))
            if self.pending.get(message_id):
                self.pending[message_id] -= 1
                self.owed -= 1
            self.received += 1
            self.last_answer = time.monotonic()
            self.cond.notify_all()

    def _on_publish(self, _client, _userdata, mid, reason, _properties):
        if reason.is_failure:
            self.refused_mids.add(mid)

    def send(self, sent, number):
        """Publish one frame, remembering what it is owed."""
        data = sent.data
        with self.cond:
            if sent.expects_answer:
                self.pending[sent.key] += 1
                self.owed += 1
            self.records.append(Record(number, sent.kind, sent.key, sent.expects_answer,
                                       data if len(data) <= 4096 else data[:300], hashlib.sha1(data).hexdigest()))
        self.mids[self.client.publish(f"{PREFIX}/{self.serial}/up", data, qos=1).mid] = number

    def wait_window(self, stop):
        """Until fewer than WINDOW CALLs wait for their answer (or ``stop``)."""
        with self.cond:
            while self.owed >= WINDOW and not stop.is_set():
                self.cond.wait(0.5)

    def call(self, action, payload, timeout=15):
        """A legitimate CALL, waiting for its answer: (answer or None, seconds)."""
        message_id = uuid.uuid4().hex[:20]
        waiter = [threading.Event(), None, None]
        with self.cond:
            self.waiting[message_id] = waiter
        started = time.monotonic()
        self.client.publish(f"{PREFIX}/{self.serial}/up", json.dumps([2, message_id, action, payload]), qos=1)
        if not waiter[0].wait(timeout):
            with self.cond:
                self.waiting.pop(message_id, None)
            return None, timeout
        return waiter[1], waiter[2] - started

    def refused_numbers(self):
        return {self.mids[mid] for mid in self.refused_mids if mid in self.mids}

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


# Set-up ----------------------------------------------------------------------------


def create_piles(bus, prefix):
    """Draft piles made for the run, each accepting CARD: ``D01``... and
    ``E01``... fuzz, the car pile ``V01`` and the e-bike pile ``W01`` keep quiet."""
    bus.odoo_shell(f"""
Batch = env['charge.pile.batch']
car = dict(station_id=env.ref('charge_base.station_bay').id, model_id=env.ref('charge_base.pile_model_teld_dc120').id)
ebike = dict(station_id=env.ref('charge_base.station_futian_ebike').id,
             model_id=env.ref('charge_base.pile_model_ebike_10').id)
for values, letter, quantity in ((car, 'D', {DC_PILES}), (ebike, 'E', {EBIKE_PILES}), (car, 'V', 1), (ebike, 'W', 1)):
    Batch.create(dict(values, serial_prefix='{prefix}' + letter, first_number=1, number_width=2,
                      quantity=quantity)).action_create()
piles = env['charge.pile'].search([('serial', '=like', '{prefix}%')])
env['charge.pile.id.tag'].create([dict(pile_id=pile.id, tag='{CARD}', name='fuzz') for pile in piles])
""")
    rows = bus.sql("SELECT serial, mqtt_password, id FROM charge_pile WHERE serial LIKE %s ORDER BY serial",
                   [f"{prefix}%"])
    assert len(rows) == DC_PILES + EBIKE_PILES + 2, rows
    return rows


def commission(bus, piles, prefix):
    """Boot each pile (a pile is commissioned once it is online), then commission them."""
    for pile in piles:
        answer = accepted(pile, "BootNotification", {"chargePointVendor": "Fuzz", "chargePointModel": "F1"})
        assert answer["status"] == "Accepted", (pile.serial, answer)
    bus.odoo_shell(f"env['charge.pile'].search([('serial', '=like', '{prefix}%')]).action_commission()")


def accepted(pile, action, payload):
    """The CALLRESULT payload of a legitimate CALL."""
    answer, _ = pile.call(action, payload)
    assert answer and answer[0] == 3, (pile.serial, action, payload, answer)
    return answer[2]


def open_sessions(pile, connectors, clock):
    """On each connector, Available, a session started with the card, Charging:
    the transaction ids."""
    transaction_ids = []
    for connector in connectors:
        status = {"connectorId": connector, "errorCode": "NoError", "status": "Available"}
        accepted(pile, "StatusNotification", status)
        answer = accepted(pile, "StartTransaction", {"connectorId": connector, "idTag": CARD, "meterStart": 1000,
                                                     "timestamp": ff.iso_time(clock, 0)})
        assert answer.get("transactionId"), (pile.serial, answer)
        transaction_ids.append(answer["transactionId"])
        accepted(pile, "StatusNotification", dict(status, status="Charging"))
    return transaction_ids


def rss_mb(pid):
    """Resident memory of a process, in MB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


# The storm ----------------------------------------------------------------------------


@dataclass
class Storm:
    """The fuzzing piles send their frames at once, each with at most WINDOW
    CALLs unanswered; the quiet car pile times a heartbeat every second."""
    piles: list
    probe: FuzzPile
    listener: object
    stop: threading.Event = field(default_factory=threading.Event)
    stalled: str = ""
    latencies: list = field(default_factory=list)      # of the heartbeats during the storm (None: no answer)
    rss_samples: list = field(default_factory=list)    # (frames sent, MB, time) every ten seconds
    sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, sequences, specs):
        started = time.monotonic()
        threads = [threading.Thread(target=self._drive, args=(pile, sequence, specs[number::len(self.piles)]))
                   for number, (pile, sequence) in enumerate(zip(self.piles, sequences))]
        watcher = threading.Thread(target=self._watch)
        for thread in threads + [watcher]:
            thread.start()
        for thread in threads:
            thread.join()
        self.publish_seconds = time.monotonic() - started
        deadline = time.monotonic() + SETTLE_SECONDS
        while (any(pile.owed for pile in self.piles) and time.monotonic() < deadline and not self.stalled
               and time.monotonic() - max(pile.last_answer for pile in self.piles) < 15):
            time.sleep(0.5)
        self.seconds = time.monotonic() - started
        self.stop.set()
        watcher.join()
        time.sleep(2)   # the answers to frames that owe none (answers, unreadable frames) may still come

    def _drive(self, pile, sequence, specs):
        try:
            for spec in specs:
                pile.wait_window(self.stop)
                if self.stop.is_set():
                    return
                sent = sequence.frame(spec)
                with self.lock:
                    self.sent += 1
                    number = self.sent
                pile.send(sent, number)
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.stalled = self.stalled or f"{pile.serial}: the test's sender failed: {error!r}"
            self.stop.set()

    def _watch(self):
        while not self.stop.is_set():
            answer, seconds = self.probe.call("Heartbeat", {}, timeout=STALL_SECONDS)
            self.latencies.append(seconds if answer else None)
            if not self.rss_samples or time.monotonic() - self.rss_samples[-1][2] >= 10:
                self.rss_samples.append((self.sent, round(rss_mb(self.listener.pid)), time.monotonic()))
            if self.listener.poll() is not None:
                self.stalled = f"the listener exited with code {self.listener.returncode}"
                self.stop.set()
            quiet = time.monotonic() - max(pile.last_answer for pile in self.piles)
            if any(pile.owed for pile in self.piles) and quiet > STALL_SECONDS:
                self.stalled = f"no answer to any pile for {quiet:.0f} s: the listener is stuck"
                self.stop.set()
            self.stop.wait(1.0)


# Checks ----------------------------------------------------------------------------------


def reply_id(reply):
    """The message id of a reply the frame log holds (None when unreadable)."""
    try:
        frame = json.loads(reply)
        return frame[1] if isinstance(frame[1], str) else None
    except (TypeError, ValueError, IndexError, KeyError):
        return None


def account(pile, log_rows):
    """Match ``pile``'s frames with its ``log_rows`` (message_id, payload_hash,
    reply), by SHA-1 first, else by message id, and with its answers by
    message id. Returns the frames matched with nothing (unless there are
    enough answers under no id of the pile's frames, "-1", to stand for them),
    the CALLs with a readable id logged but not answered, and tallies."""
    keys = {record.key for record in pile.records if record.key is not None}
    hashes = {record.digest for record in pile.records}
    by_hash, by_key, unmatched_rows = Counter(), Counter(), 0
    answers = Counter(pile.answers)
    stray = sum(count for key, count in answers.items() if key not in keys)
    for message_id, digest, reply in log_rows:
        if digest in hashes:
            by_hash[digest] += 1
        elif message_id in keys:
            by_key[message_id] += 1
        else:
            unmatched_rows += 1
        if reply:   # the answer to a logged frame stands for no other frame
            replied = reply_id(reply)
            if replied in keys:
                answers[replied] -= 1
            else:
                stray -= 1
    refused = pile.refused_numbers()
    unmatched, silent, tally = [], [], Counter()
    for record in pile.records:
        if by_hash[record.digest] > 0:
            by_hash[record.digest] -= 1
            tally["logged"] += 1
            if record.expects_answer and not pile.answers.get(record.key):
                silent.append(record)
        elif record.key is not None and by_key[record.key] > 0:
            by_key[record.key] -= 1
            tally["logged under its id only"] += 1
        elif record.key is not None and answers[record.key] > 0:
            answers[record.key] -= 1
            tally["answered, not logged"] += 1
        elif record.number in refused:
            tally["refused by the broker"] += 1
        else:
            unmatched.append(record)
    tally.update({"answers under no id of the pile's frames": max(stray, 0), "log rows of no frame": unmatched_rows})
    if len(unmatched) <= max(stray, 0) and not any(record.expects_answer for record in unmatched):
        tally["taken as answered under no id"] += len(unmatched)
        tally.update(f"  of kind {record.kind}" for record in unmatched)
        pile.taken = unmatched
        unmatched = []
    return unmatched, silent, tally


def listing(title, items, limit=20):
    items = sorted(items, key=lambda item: item[1].number)
    return f"{len(items)} {title}, the first ones sent:\n" + "\n".join(
        f"  {serial} #{record.number} {record.kind}: {ff.describe(record.data)}" for serial, record in items[:limit])


def frame_problems(piles, logged):
    """Frames neither answered nor logged, CALLs not answered, InternalErrors."""
    problems, missing, silent, crashed, tallies = [], [], [], {}, Counter()
    for pile in piles:
        unmatched, unanswered, tally = account(pile, logged.get(pile.serial, []))
        missing += [(pile.serial, record) for record in unmatched]
        silent += [(pile.serial, record) for record in unanswered]
        tallies.update(tally)
        by_key = {record.key: record for record in pile.records if record.key is not None}
        for key, (code, description) in pile.errors.items():
            if code == "InternalError" and key in by_key:
                crashed.setdefault(str(description)[:120], []).append((pile.serial, by_key[key]))
    if missing:
        problems.append(listing("frame(s) neither answered nor logged", missing))
    if silent:
        problems.append(listing("CALL(s) with a readable message id logged but never answered", silent))
    if crashed:
        problems.append(f"{sum(map(len, crashed.values()))} CALL(s) answered InternalError, "
                        f"{len(crashed)} distinct error(s):\n" + "\n".join(
                            f"  {len(items)} x {description!r}, e.g. {items[0][0]} {ff.describe(items[0][1].data)}"
                            for description, items in sorted(crashed.items(), key=lambda item: -len(item[1]))[:20]))
    return problems, tallies


def heartbeat_problems(storm, after, deaf):
    problems = []
    if None in storm.latencies:
        problems.append(f"{storm.latencies.count(None)} heartbeat(s) during the storm got no answer "
                        f"within {STALL_SECONDS} s")
    if not all(seconds < HEARTBEAT_SECONDS for seconds in after):
        problems.append(f"a heartbeat after the storm took more than {HEARTBEAT_SECONDS} s: {after}")
    if deaf:
        problems.append(f"piles whose heartbeat got no answer after the storm: {deaf}")
    return problems


def value_problems(bus, pile_ids, victims, victims_before):
    """Non-finite and out-of-range values of the run's piles, meter values on
    another pile's session, the quiet piles' sessions and orders changed."""
    problems = []
    for table, checks in RANGES.items():
        columns = dict(bus.sql("SELECT column_name, data_type FROM information_schema.columns "
                               "WHERE table_name = %s", [table]))
        conditions = [(column, f"{column}::text IN ('NaN', 'Infinity', '-Infinity')")
                      for column, data_type in columns.items() if data_type in ("numeric", "double precision", "real")]
        conditions += [(column, condition) for column, condition in checks if column in columns]
        for column, condition in conditions:
            [(count, examples)] = bus.sql(
                f"SELECT count(*), (array_agg(ARRAY[id::text, {column}::text] ORDER BY id))[1:3] FROM {table} "
                f"WHERE pile_id = ANY(%s) AND ({condition})", [pile_ids])
            if count:
                problems.append(f"{table}.{column}: {count} row(s) with {condition}, e.g. (id, value) {examples}")
    touched = bus.sql("SELECT v.id, v.session_id, v.pile_id, s.pile_id FROM charge_meter_value v "
                      "JOIN charge_session s ON s.id = v.session_id "
                      "WHERE v.pile_id != s.pile_id AND s.pile_id = ANY(%s) LIMIT 5", [pile_ids])
    if touched:
        problems.append(f"meter values (id, session, pile, session's pile) on another pile's session: {touched}")
    stuck = bus.sql("SELECT o.id, o.state, s.id FROM charge_order o JOIN charge_session s ON s.id = o.session_id "
                    "WHERE s.pile_id = ANY(%s) AND s.state = 'finished' AND o.state IN ('starting', 'charging') "
                    "ORDER BY o.id", [pile_ids])
    if stuck:
        problems.append(f"{len(stuck)} order(s) still charging after their session finished (order, state, "
                        f"session): {stuck[:5]}")
    if (after := victim_state(bus, victims)) != victims_before:
        problems.append(f"the quiet piles' sessions and orders changed: {victims_before} -> {after}")
    return problems


def victim_state(bus, victims):
    return bus.sql("""
        SELECT s.id, s.state, s.meter_last, s.stop_date, o.id, o.state, o.energy_kwh,
               (SELECT count(*) FROM charge_meter_value v WHERE v.session_id = s.id)
          FROM charge_session s LEFT JOIN charge_order o ON o.session_id = s.id
         WHERE s.id = ANY(%s) ORDER BY s.id, o.id""", [victims])


def listener_problems(listener, log_path, rss_before, rss_after):
    """The listener dead, batches retried (the database is up: their frames
    made them fail), batches split or frames processed alone because one of
    them made the transaction fail, memory grown; and the errors of its
    tracebacks."""
    text = log_path.read_text(errors="replace")
    lines = text.splitlines()
    retried = [line for line in lines if re.search(r"failed; retrying|database is unavailable", line)]
    split = [line for line in lines if re.search(
        r"processing them one by one|failed alone|set-based processing of .* failed", line)]
    errors = Counter(re.findall(r"^(\w[\w.]*(?:Error|Exception|Overflow)\w*: .{0,160})", text, re.M))
    problems = []
    if listener.poll() is not None:
        problems.append(f"the listener died (exit code {listener.returncode})")
    if retried:
        problems.append(f"{len(retried)} batch(es) failed and were retried, first: {retried[0][:300]}")
    if split:
        problems.append(f"{len(split)} batch(es) or frame(s) made their transaction fail, first: {split[0][:300]}")
    if rss_after - rss_before > RSS_GROWTH_MB:
        problems.append(f"the listener's memory grew from {rss_before:.0f} MB to {rss_after:.0f} MB")
    return problems, (f"{len(retried)} batch retries, {len(split)} failed transactions; errors in tracebacks: "
                      f"{dict(errors.most_common(12))}")


# The test -----------------------------------------------------------------------------


@pytest.fixture
def bus(tmp_path):
    with e2e_bus(tmp_path, start=False) as bus:
        yield bus


def test_a_storm_of_hostile_frames_is_answered_and_stores_nothing_absurd(bus):
    started = time.monotonic()
    run_tag = format(int(time.time()), "x")[-7:]   # message ids and serials of this run only
    prefix = f"FZ{run_tag.upper()}"
    rows = create_piles(bus, prefix)
    bus.start_broker()
    listener = bus.start_listener()
    kinds = {kind: weight for kind, weight in ff.KINDS.items() if kind not in SKIP_KINDS}
    specs = ff.expand(ff.draw_corpus(), FRAMES, kinds=kinds)
    drawn = time.monotonic() - started

    piles = {serial[len(prefix)] + serial[-2:]: FuzzPile(bus, serial, password) for serial, password, _id in rows}
    fuzzers = [pile for name, pile in piles.items() if name[0] in "DE"]
    commission(bus, piles.values(), prefix)
    clock = ff.utc_now()
    victims = open_sessions(piles["V01"], [1, 2], clock) + open_sessions(piles["W01"], [1, 2, 3, 4], clock)
    own = {pile.serial: open_sessions(pile, [1, 2] if pile in fuzzers[:DC_PILES] else [1, 2, 3], clock)
           for pile in fuzzers}
    for pile in fuzzers:
        pile.transactions.extend(own[pile.serial])
    victims_before = victim_state(bus, victims)
    log_before = bus.sql("SELECT coalesce(max(id), 0) FROM charge_device_message")[0][0]
    rss_before = rss_mb(listener.pid)

    storm = Storm(fuzzers, piles["V01"], listener)
    storm.run([ff.PileSequence(number, run_tag, ff.Context(
        CARD, own=pile.transactions, protected=set(victims), clock=clock,
        others=victims + [tx for serial, ids in own.items() if serial != pile.serial for tx in ids],
    )) for number, pile in enumerate(fuzzers)], specs)

    logged = {}
    for serial, message_id, digest, reply in bus.sql(
            "SELECT serial, message_id, payload_hash, reply FROM charge_device_message WHERE id > %s "
            "AND serial LIKE %s", [log_before, f"{prefix}%"]):
        logged.setdefault(serial, []).append((message_id, digest, reply))
    problems, tallies = frame_problems(fuzzers, logged)
    if storm.stalled:
        problems.insert(0, f"the storm stopped: {storm.stalled}")
    after = [piles["V01"].call("Heartbeat", {}, timeout=10)[1] for _ in range(5)]
    deaf = [pile.serial for pile in fuzzers if pile.call("Heartbeat", {}, timeout=10)[0] is None]
    problems += heartbeat_problems(storm, after, deaf)
    problems += value_problems(bus, [pile_id for _serial, _password, pile_id in rows], victims, victims_before)
    rss_after = rss_mb(listener.pid)
    listener_issues, listener_log = listener_problems(listener, bus.folder / "listener-1.log", rss_before, rss_after)
    problems += listener_issues

    sent = sum(len(pile.records) for pile in fuzzers)
    during = sorted(seconds for seconds in storm.latencies if seconds is not None)
    figures = (
        f"\nfuzz: {sent} frames from {len(fuzzers)} piles published in {storm.publish_seconds:.1f} s "
        f"({sent / max(storm.publish_seconds, 0.001):.0f} frames/s), storm {storm.seconds:.1f} s, whole test "
        f"{time.monotonic() - started:.1f} s (frames drawn in {drawn:.1f} s, with the broker's start)\n"
        f"  kinds: {dict(Counter(record.kind for pile in fuzzers for record in pile.records))}\n"
        f"  answers {sum(pile.received for pile in fuzzers)}, log rows {sum(map(len, logged.values()))}, "
        f"{dict(tallies)}, commands from the platform {sum(pile.commands for pile in fuzzers)}\n"
        f"  heartbeats during the storm: {len(during)} answered, median {during[len(during) // 2] if during else 0:.3f}"
        f" s, max {max(during, default=0):.3f} s; after: {', '.join(f'{seconds:.3f}' for seconds in after)} s\n"
        f"  listener RSS {rss_before:.0f} MB before, {rss_after:.0f} MB after; (frames sent, MB) every 10 s: "
        f"{[sample[:2] for sample in storm.rss_samples]}\n"
        f"  listener log: {listener_log}"
    )
    print(figures)
    (bus.folder / "fuzz-report.txt").write_text(figures + "\n\n" + "\n\n".join(problems), encoding="utf-8")
    for pile in piles.values():
        pile.close()
    assert sent >= FRAMES or storm.stalled, f"only {sent} frames sent"
    assert not problems, "\n\n".join(problems) + figures
