"""Storms on the device bus: 2,000 piles at once.

Reconnect storm: every pile has a transaction in flight when the broker
restarts; then all of them boot within 10 s (BootNotification, then
StatusNotification) and send again the transaction frames that were never
answered (OCPP 1.6: transaction-related messages are retried until answered):
a StopTransaction made while the broker was down, a StopTransaction or
MeterValues whose answer was lost (sent again with the same message id), a
StartTransaction whose answer was lost (sent again by the rebooted pile with a
new message id: the platform's start key must give the same transaction).
Prints how many boots were answered, their latency, the time until every pile
was answered, and checks in the database that no transaction was lost or
doubled.

Stop storm: 2,000 piles charging with members' cards (each start through the
listener, which opens the session and its order, paid from the member's
wallet), then 2,000 StopTransactions within 20 s while other piles send
heartbeats; prints the StopTransaction p99 and the heartbeat latency before
and during the storm, then waits until every order is settled (the settle
queue: priced, completed and paid after the StopTransaction's commit) and
posted to accounting (one entry per document; an Odoo server with cron
threads runs both queues).

Run by `make bench` (scripts/ops/bench.py): ``prepare(env, ...)`` runs in an
Odoo shell on the bench database (piles STORM00001..., members with cards
STORMC00001... and a wallet), then this file as a script runs the broker, the
listeners and the piles. Prints its figures; asserts nothing."""

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

SERIAL_PREFIX = "STORM"
CARD_PREFIX = "STORMC"
CRON_NICENESS = 10  # the cron server's niceness (the listeners run at 0)
WALLET_AMOUNT = 1000
CONNECTOR = 1


# Preparation, in an Odoo shell ------------------------------------------------------------

def prepare(env, count, posting_mode):
    """``count`` commissioned piles STORM00001... on the Bay station, a member
    with a card STORMC00001... and a wallet for each, the company's posting
    mode set to ``posting_mode``; leftovers of an interrupted run (sessions
    still open on these piles) closed by SQL. Prints ``STORM-PREP {json}``."""
    from odoo import fields
    from odoo.addons.charge_billing.models.charge_order import OPEN_STATES

    station = env.ref("charge_base.station_bay")
    company = station.company_id
    Pile = env["charge.pile"]
    piles = Pile.search([("serial", "=like", f"{SERIAL_PREFIX}%")])
    while len(piles) < count:  # the batch wizard makes 500 piles at a time
        env["charge.pile.batch"].create({
            "station_id": station.id, "model_id": env.ref("charge_base.pile_model_teld_dc120").id,
            "serial_prefix": SERIAL_PREFIX, "first_number": len(piles) + 1, "number_width": 5,
            "quantity": min(count - len(piles), 500),
        }).action_create()
        piles = Pile.search([("serial", "=like", f"{SERIAL_PREFIX}%")], order="serial")
    piles = piles.sorted("serial")[:count]
    # commissioned as action_commission does once a pile has been online (these have not yet)
    piles.filtered(lambda p: p.state != "commissioned").sudo().write({
        "state": "commissioned", "commissioning_date": fields.Datetime.now()})
    if not company._charge_finance_ready():
        company._charge_finance_setup()
    before = company.charge_posting_mode
    names = [f"{CARD_PREFIX}{n:05d}" for n in range(1, count + 1)]
    existing = set(env["charge.card"].search([("company_id", "=", company.id), ("name", "in", names)]).mapped("name"))
    missing = [name for name in names if name not in existing]
    if missing:
        # the recharges wait for the daily summary instead of an entry each, posted below when leaving daily
        company.charge_posting_mode = "daily"
        members = env["res.partner"].create([{
            "name": f"Storm Member {name[len(CARD_PREFIX):]}", "charge_member": True,
            "charge_mobile": f"1970{int(name[len(CARD_PREFIX):]):07d}", "company_id": company.id,
        } for name in missing])
        env["charge.card"].create([{
            "name": name, "partner_id": member.id, "company_id": company.id, "card_type": "auth",
        } for name, member in zip(missing, members)])
        for member in members:
            member._charge_wallet()._recharge(WALLET_AMOUNT, reference="storm bench")
        env.cr.commit()
    # an interrupted run leaves sessions open: their members could not start again (one session at once)
    env.cr.execute("""
        UPDATE charge_order SET state = 'voided', payment_state = 'none'
         WHERE pile_id = ANY(%s) AND state = ANY(%s)
    """, [piles.ids, list(OPEN_STATES)])
    voided = env.cr.rowcount
    env.cr.execute("""
        UPDATE charge_session SET state = 'finished', stop_date = now() AT TIME ZONE 'UTC', stop_reason = 'Other',
               meter_stop = COALESCE(meter_last, meter_start)
         WHERE pile_id = ANY(%s) AND state != 'finished'
    """, [piles.ids])
    closed = env.cr.rowcount
    # the piles of an earlier run are offline since (else the offline cron of the stop storm's Odoo server
    # works through them all, events and alarms, while the storm runs); they come back online when they boot
    env.cr.execute("UPDATE charge_pile SET online = false WHERE serial LIKE %s AND online",
                   [f"{SERIAL_PREFIX}%"])
    env.invalidate_all()
    if company.charge_posting_mode != posting_mode:
        company.charge_posting_mode = posting_mode
    env.cr.commit()
    print("STORM-PREP " + json.dumps({
        "prefix": company.charge_mqtt_prefix, "posting_mode_before": before,
        "piles": dict(zip(piles.mapped("serial"), names)), "leftovers": [closed, voided],
    }))


def restore_posting(env, mode):
    """The company's posting mode back as it was (leaving daily posts the lines waiting)."""
    company = env.ref("charge_base.station_bay").company_id
    if company.charge_posting_mode != mode:
        company.charge_posting_mode = mode
    env.cr.commit()
    print(f"STORM-RESTORED {mode}")


# Piles --------------------------------------------------------------------------------------

def utc_text(moment=None):
    moment = moment or datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(value):
    return f"{value * 1000:.0f} ms" if value == value else "n/a"


class Fleet:
    """Piles on a few MQTT connections (each subscribes to its piles' down
    topics): frames sent, their answers matched by (serial, message id), the
    latency from the first send; platform commands answered Accepted. A frame
    unanswered for ``retry_after`` seconds is sent again as it was."""

    def __init__(self, port, prefix, serials, connections=8, retry_after=None, name="storm"):
        self.port, self.prefix, self.serials = port, prefix, list(serials)
        self.connections, self.retry_after, self.name = connections, retry_after, name
        self.lock = threading.Lock()
        self.pending = {}
        self.client_of = {}
        self.clients = []
        self.retries = 0
        self.answered_after_resend = 0
        self.late = 0          # answers to a frame already answered (a retry's)
        self.commands = 0
        self.callback_errors = 0
        self._stop = threading.Event()
        self._watchdog = None

    def start(self, timeout=60):
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        chunks = [self.serials[i::self.connections] for i in range(self.connections)]
        for index, chunk in enumerate(chunk for chunk in chunks if chunk):
            connected, subscribed = threading.Event(), threading.Event()
            waiting = set()
            c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5,
                            client_id=f"{self.name}-{index}-{uuid.uuid4().hex[:6]}")
            c.max_inflight_messages_set(1000)
            c.max_queued_messages_set(0)
            c.on_connect = lambda *_a, ev=connected: ev.set()
            c.on_message = self._on_message

            def on_subscribe(_c, _u, mid, _codes, _props, waiting=waiting, ev=subscribed):
                waiting.discard(mid)
                if not waiting:
                    ev.set()
            c.on_subscribe = on_subscribe
            c.connect("127.0.0.1", self.port, keepalive=60)
            c.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            c.loop_start()
            if not connected.wait(timeout):
                raise RuntimeError("the broker did not accept a pile connection")
            for i in range(0, len(chunk), 100):
                result, mid = c.subscribe([(f"{self.prefix}/{serial}/down", 1) for serial in chunk[i:i + 100]])
                waiting.add(mid)
            if not subscribed.wait(timeout):
                raise RuntimeError("the broker did not acknowledge the piles' subscriptions")
            for serial in chunk:
                self.client_of[serial] = c
            self.clients.append(c)
        if self.retry_after:
            self._watchdog = threading.Thread(target=self._retry_loop, daemon=True)
            self._watchdog.start()
        return self

    def stop(self):
        self._stop.set()
        for c in self.clients:
            try:
                c.disconnect()
                c.loop_stop()
            except Exception:  # noqa: BLE001 - a dead connection is stopped anyway
                pass
        self.clients = []

    def send(self, serial, message_id, action, payload, callback=None):
        topic = f"{self.prefix}/{serial}/up"
        text = json.dumps([2, message_id, action, payload])
        now = time.perf_counter()
        with self.lock:
            self.pending[serial, message_id] = [topic, text, now, now, callback, 0]
        self.client_of[serial].publish(topic, text, qos=1)

    def _retry_loop(self):
        while not self._stop.wait(1.0):
            now = time.perf_counter()
            again = []
            with self.lock:
                for (serial, _mid), entry in self.pending.items():
                    if now - entry[3] >= self.retry_after:
                        entry[3] = now
                        entry[5] += 1
                        again.append((serial, entry[0], entry[1]))
                self.retries += len(again)
            for serial, topic, text in again:
                self.client_of[serial].publish(topic, text, qos=1)

    def _on_message(self, client, _userdata, message):
        now = time.perf_counter()
        try:
            frame = json.loads(message.payload)
            serial = message.topic.split("/")[-2]
            if frame[0] == 2:  # a command of the platform (a TriggerMessage...): accepted
                self.commands += 1
                client.publish(f"{self.prefix}/{serial}/up", json.dumps([3, frame[1], {"status": "Accepted"}]),
                               qos=1)
                return
            with self.lock:
                entry = self.pending.pop((serial, frame[1]), None)
                if entry is None:
                    self.late += 1
                    return
                if entry[5]:
                    self.answered_after_resend += 1
            if entry[4]:
                entry[4](frame, now - entry[2])
        except Exception:  # noqa: BLE001 - never kill paho's network thread
            self.callback_errors += 1
            import traceback
            traceback.print_exc()

    def unanswered(self):
        with self.lock:
            return len(self.pending)


class Ids:
    """Message ids unique across runs (a pile's ids of an earlier run are in the frame log)."""

    def __init__(self):
        self.token = f"{int(time.time()) % 10_000_000:x}"
        self.counter = 0
        self.lock = threading.Lock()

    def next(self):
        with self.lock:
            self.counter += 1
            return f"{self.token}-{self.counter}"


class Script:
    """One pile's frames in turn, each sent when the one before is answered.
    A step is ``(action, payload or function(pile) -> payload, options)``;
    options: ``id`` (a message id to use), ``lost`` (the answer never
    reaches the pile: kept aside, the script goes on), ``on_reply(pile, frame,
    latency)``."""

    def __init__(self, fleet, ids, pile, steps, done):
        self.fleet, self.ids, self.pile, self.steps, self.done = fleet, ids, pile, steps, done
        self.index = 0

    def start(self):
        self._send()

    def _send(self):
        if self.index >= len(self.steps):
            self.done(self)
            return
        action, payload, options = self.steps[self.index]
        if callable(payload):
            payload = payload(self.pile)
        message_id = options.get("id") or self.ids.next()
        if options.get("remember"):
            self.pile.sent[options["remember"]] = (message_id, action, payload)
        self.fleet.send(self.pile.serial, message_id, action, payload, self._answered)

    def _answered(self, frame, latency):
        action, _payload, options = self.steps[self.index]
        self.pile.answers.append((action, frame, latency, time.perf_counter()))
        if frame[0] == 4:
            self.pile.errors.append((action, frame[2], frame[3]))
        if options.get("on_reply"):
            options["on_reply"](self.pile, frame, latency)
        self.index += 1
        self._send()


class Pile:
    def __init__(self, serial, card, kind):
        self.serial, self.card, self.kind = serial, card, kind
        self.transaction_id = None
        self.start_status = None
        self.lost_transaction_id = None
        self.resent_transaction_id = None
        self.start_payload = None
        self.sent = {}
        self.answers = []
        self.errors = []
        self.boot_latency = None
        self.boot_status = None
        self.finished_at = None


def run_scripts(scripts, window, timeout):
    """Start the scripts, at most ``window`` running at once; wait for all (``timeout`` s). Returns the done count."""
    gate = threading.Semaphore(window)
    finished = threading.Event()
    count = [0]
    lock = threading.Lock()

    def done(script):
        script.pile.finished_at = time.perf_counter()
        gate.release()
        with lock:
            count[0] += 1
            if count[0] == len(scripts):
                finished.set()

    deadline = time.perf_counter() + timeout
    for script in scripts:
        script.done = done
        if not gate.acquire(timeout=max(0.0, deadline - time.perf_counter())):
            break
        script.start()
    finished.wait(max(0.0, deadline - time.perf_counter()))
    return count[0]


def boot_step():
    return ("BootNotification", {"chargePointVendor": "TELD", "chargePointModel": "DC120", "firmwareVersion": "storm"},
            {"on_reply": _booted})


def _booted(pile, frame, latency):
    pile.boot_latency = latency
    pile.boot_status = frame[2].get("status") if frame[0] == 3 else frame[2]


def status_step(status):
    return ("StatusNotification", {"connectorId": CONNECTOR, "status": status, "errorCode": "NoError",
                                   "timestamp": utc_text()}, {})


def _take_transaction(pile, frame, _latency):
    if frame[0] == 3:
        pile.transaction_id = frame[2].get("transactionId")
        pile.start_status = frame[2].get("idTagInfo", {}).get("status")


def start_step(remember=None, message_id=None, on_reply=None):
    def payload(pile):
        if pile.start_payload is None:
            pile.start_payload = {"connectorId": CONNECTOR, "idTag": pile.card, "meterStart": 0,
                                  "timestamp": utc_text(datetime.now(timezone.utc) - timedelta(minutes=10))}
        return pile.start_payload
    options = {"on_reply": on_reply or _take_transaction, "remember": remember}
    if message_id:
        options["id"] = message_id
    return ("StartTransaction", payload, options)


def meter_payload(energy_wh, when=None):
    def payload(pile):
        return {"connectorId": CONNECTOR, "transactionId": pile.transaction_id, "meterValue": [{
            "timestamp": utc_text(when), "sampledValue": [
                {"value": str(energy_wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": "30000", "measurand": "Power.Active.Import", "unit": "W"}]}]}
    return payload


def stop_payload(meter_stop, when=None):
    def payload(pile):
        return {"transactionId": pile.transaction_id, "idTag": pile.card, "meterStop": meter_stop,
                "timestamp": utc_text(when), "reason": "EVDisconnected"}
    return payload


# Processes -------------------------------------------------------------------------------------

class Stack:
    """mosquitto, listeners and (optionally) an Odoo server running the crons;
    everything started is stopped in ``close``."""

    def __init__(self, args):
        self.args = args
        self.folder = Path(args.folder)
        self.port = int(Path(args.conf).read_text().split("mqtt_port = ")[1].split()[0])
        self.odoo = json.loads(args.odoo_argv)
        self.broker = None
        self.listeners = []
        self.cron = None
        self.broker_conf = self.folder / "mosquitto.conf"
        lines = [f"listener {self.port} 127.0.0.1", "allow_anonymous true", "persistence true",
                 f"persistence_location {self.folder}/", "max_queued_messages 1000000", "max_inflight_messages 0",
                 "set_tcp_nodelay true", "log_type error", "log_type warning"]
        if os.geteuid() == 0:
            lines.append("user root")
        self.broker_conf.write_text("\n".join(lines) + "\n")

    def start_broker(self, timeout=15):
        self.broker = subprocess.Popen([self.args.mosquitto, "-c", str(self.broker_conf)],
                                       stdout=open(self.folder / "mosquitto.log", "ab"), stderr=subprocess.STDOUT)
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return time.perf_counter()
            except OSError:
                if self.broker.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not start on port {self.port} (see {self.folder}/mosquitto.log)")

    def stop_broker(self):
        if self.broker and self.broker.poll() is None:
            self.broker.terminate()
            try:
                self.broker.wait(15)
            except subprocess.TimeoutExpired:
                self.broker.kill()
                self.broker.wait(5)
        self.broker = None

    def start_listeners(self, count, timeout=120):
        logs = []
        for n in range(count):
            log = self.folder / f"listener{n}.log"
            offset = log.stat().st_size if log.exists() else 0
            logs.append((log, offset))
            self.listeners.append(subprocess.Popen(
                self.odoo + ["charge_listener", "-c", self.args.conf, "-d", self.args.db, "--instance",
                             f"storm{n}"],
                stdout=open(log, "ab"), stderr=subprocess.STDOUT))
        self.wait_subscribed(logs, timeout)

    def listener_logs(self):
        return [(self.folder / f"listener{n}.log", (self.folder / f"listener{n}.log").stat().st_size)
                for n in range(len(self.listeners))]

    def wait_subscribed(self, logs, timeout):
        """Wait until each listener logged its (re)connection after ``offset`` in its log."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if all("subscribing to" in log.read_bytes()[offset:].decode(errors="replace") for log, offset in logs):
                return
            if any(proc.poll() is not None for proc in self.listeners):
                raise RuntimeError(f"a listener exited (see {self.folder}/listener*.log)")
            time.sleep(0.2)
        raise RuntimeError(f"the listeners did not connect within {timeout} s (see {self.folder}/listener*.log)")

    def start_cron(self):
        # Three cron threads: a long job (the card lists sent to 2,000 piles that just came online) holds one,
        # the settle queue (triggered by every StopTransaction) and the posting queue (triggered by the payments
        # it makes) run in the others. A cron job over its real time limit makes a threaded server restart
        # itself, which fails when started as `python -m odoo`: a limit above the stage's.
        # The queues' work can wait, the piles' answers cannot: the cron server runs at a lower CPU priority
        # than the listeners (`nice`, as the README's deployment section advises), so that a stop storm's
        # settlement and posting take the cores the listeners leave.
        self.cron = subprocess.Popen(
            ["nice", "-n", str(CRON_NICENESS)] + self.odoo + [
                "server", "-c", self.args.conf, "-d", self.args.db, "--no-http", "--workers=0",
                "--max-cron-threads=3", "--limit-time-real-cron=1800"],
            stdout=open(self.folder / "cron.log", "ab"), stderr=subprocess.STDOUT)

    def close(self):
        procs = self.listeners + ([self.cron] if self.cron else [])
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.listeners, self.cron = [], None
        self.stop_broker()


def connect_db(args):
    import psycopg2
    return psycopg2.connect(**json.loads(args.dsn))


def query(conn, sql, params=None):
    with conn.cursor() as cr:
        cr.execute(sql, params)
        rows = cr.fetchall()
    conn.rollback()
    return rows


# Reconnect storm --------------------------------------------------------------------------------

KINDS = ("stop unsent", "stop answer lost", "start answer lost", "meter values answer lost")


def reconnect_storm(args, prep):
    ids = Ids()
    piles = [Pile(serial, card, KINDS[n % len(KINDS)])
             for n, (serial, card) in enumerate(sorted(prep["piles"].items()))]
    stack = Stack(args)
    conn = connect_db(args)
    serial_ids = dict(query(conn, "SELECT serial, id FROM charge_pile WHERE serial = ANY(%s)",
                            [[p.serial for p in piles]]))
    last_session = query(conn, "SELECT COALESCE(MAX(id), 0) FROM charge_session")[0][0]
    last_meter = query(conn, "SELECT COALESCE(MAX(id), 0) FROM charge_meter_value")[0][0]
    fleet = None
    try:
        stack.start_broker()
        stack.start_listeners(args.listeners)
        # before the outage: every pile boots, starts its transaction; some frames' answers never arrive
        fleet = Fleet(stack.port, prep["prefix"], [p.serial for p in piles], name="storm-pre").start()
        stop_at = datetime.now(timezone.utc)
        scripts = []
        for pile in piles:
            steps = [boot_step(), status_step("Preparing")]
            if pile.kind == "start answer lost":
                steps.append(start_step(remember="start", on_reply=_lost_start))
            else:
                steps += [start_step(), status_step("Charging")]
            if pile.kind == "stop answer lost":
                steps.append(("StopTransaction", stop_payload(4000, stop_at), {"remember": "stop"}))
            elif pile.kind == "meter values answer lost":
                steps.append(("MeterValues", meter_payload(3000, stop_at), {"remember": "meter"}))
            scripts.append(Script(fleet, ids, pile, steps, None))
        began = time.perf_counter()
        done = run_scripts(scripts, window=args.window, timeout=args.setup_timeout)
        print(f"before the outage: {done}/{len(piles)} piles booted and charging in "
              f"{time.perf_counter() - began:.1f} s",
              flush=True)
        ready = [p for p in piles if p.finished_at and not p.errors
                 and (p.lost_transaction_id if p.kind == "start answer lost" else p.transaction_id)]
        if len(ready) < len(piles):
            other = [p for p in piles if p not in ready]
            print(f"  {len(other)} piles not ready (unanswered, an error or no transaction; left out of the storm), "
                  f"e.g. {other[0].serial}: {other[0].errors[:2]}")
        piles = ready
        for pile in piles:
            pile.finished_at = None
            pile.answers = []
        fleet.stop()
        # the outage: the broker stops (its persistent sessions saved) and starts again
        stack.stop_broker()
        time.sleep(args.down)
        logs = stack.listener_logs()
        restarted_wall = time.time()
        restarted = stack.start_broker()
        fleet = Fleet(stack.port, prep["prefix"], [p.serial for p in piles], retry_after=args.retry,
                      name="storm").start()
        # every pile boots within the boot window, in random order, then sends what was never answered
        rng = random.Random(13)
        schedule = sorted(((rng.uniform(0, args.boot_window), pile) for pile in piles), key=lambda item: item[0])
        scripts = {}
        for _at, pile in schedule:
            steps = [boot_step()]
            if pile.kind == "stop unsent":
                steps += [status_step("Available"), ("StopTransaction", stop_payload(4000, stop_at), {})]
            elif pile.kind == "stop answer lost":
                message_id, action, payload = pile.sent["stop"]
                steps += [status_step("Available"), (action, payload, {"id": message_id})]
            elif pile.kind == "start answer lost":
                steps += [status_step("Charging"), start_step(on_reply=_resent_start),
                          ("MeterValues", meter_payload(3500), {})]
            else:
                message_id, action, payload = pile.sent["meter"]
                steps += [status_step("Charging"), (action, payload, {"id": message_id})]
            scripts[pile.serial] = Script(fleet, ids, pile, steps, None)
        finished = threading.Event()
        counter = [0]
        lock = threading.Lock()

        def done_one(script):
            script.pile.finished_at = time.perf_counter()
            with lock:
                counter[0] += 1
                if counter[0] == len(piles):
                    finished.set()
        t0 = time.perf_counter()
        for at, pile in schedule:
            delay = t0 + at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            script = scripts[pile.serial]
            script.done = done_one
            script.start()
        booted_by = time.perf_counter() - restarted
        finished.wait(args.storm_timeout)
        back = [reconnected_at(log, offset) for log, offset in logs]
        relisten = None if not back or None in back else max(back) - restarted_wall
        fleet.stop()
        wrong = report_reconnect(args, piles, fleet, restarted, booted_by, relisten, conn, serial_ids, last_session,
                                 last_meter)
    finally:
        if fleet:
            fleet.stop()
        stack.close()
        conn.close()
    return 1 if wrong else 0  # a transaction lost or doubled fails the stage


def reconnected_at(log, offset):
    """Epoch time of the first (re)connection a listener logged after ``offset`` in its log, or None."""
    for line in log.read_bytes()[offset:].decode(errors="replace").splitlines():
        if "subscribing to" in line:
            stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
            return stamp.replace(tzinfo=timezone.utc).timestamp()
    return None


def _lost_start(pile, frame, _latency):
    """The StartTransaction's answer never reached the pile: it keeps what the platform said, for the check."""
    if frame[0] == 3:
        pile.lost_transaction_id = frame[2].get("transactionId")


def _resent_start(pile, frame, _latency):
    if frame[0] == 3:
        pile.resent_transaction_id = pile.transaction_id = frame[2].get("transactionId")


def report_reconnect(args, piles, fleet, restarted, booted_by, relisten, conn, serial_ids, last_session, last_meter):
    n = len(piles)
    boots = [p for p in piles if p.boot_latency is not None]
    accepted = [p for p in boots if p.boot_status == "Accepted"]
    latencies = [p.boot_latency for p in boots]
    complete = [p for p in piles if p.finished_at]
    last = max((p.finished_at for p in complete), default=None)
    last_boot = max((a[3] for p in piles for a in p.answers if a[0] == "BootNotification" and a[3] >= restarted),
                    default=None)
    errors = [(p.serial, e) for p in piles for e in p.errors]
    print(f"\nReconnect storm ({n} piles, {args.listeners} listener(s), broker down {args.down:g} s, "
          f"boots spread over {args.boot_window:g} s; {os.cpu_count()} cores shared)")
    print(f"  boots answered: {len(boots)}/{n}, accepted {len(accepted)} (target: every boot answered)")
    print(f"  boot latency: p50 {ms(percentile(latencies, 0.5))}, p99 {ms(percentile(latencies, 0.99))}, "
          f"max {ms(max(latencies, default=float('nan')))}")
    print(f"  piles booted by {booted_by:.1f} s after the restart (target: within {args.boot_window:g} s); "
          f"last boot answered at {(last_boot - restarted) if last_boot else float('nan'):.1f} s")
    if last is not None and len(complete) == n:
        print(f"  every pile answered (boot, status, resent transaction frames) {last - restarted:.1f} s after "
              f"the broker restart")
    else:
        print(f"  piles answered in full: {len(complete)}/{n} within {args.boot_window + args.storm_timeout:g} s "
              "of the restart (NOT all answered)")
    print(f"  frames sent again after {args.retry:g} s without answer: {fleet.retries}, answered then "
          f"{fleet.answered_after_resend} (second answers {fleet.late}); error answers: {len(errors)}"
          f"{' e.g. ' + str(errors[:2]) if errors else ''}")
    if relisten is None:
        print("  a listener did NOT reconnect")
    else:
        # boots published before the listeners were back on the broker, and those answered only after a resend
        sent = [(answered_at - latency - restarted, latency) for p in piles
                for action, _frame, latency, answered_at in p.answers if action == "BootNotification"]
        early = [latency for at, latency in sent if at < relisten]
        print(f"  listeners back {relisten:.1f} s after the restart; boots sent before that: {len(early)}, answered "
              f"only after a resend: {sum(1 for latency in early if latency >= args.retry)}; boots sent after "
              f"answered only after a resend: {sum(1 for at, lat in sent if at >= relisten and lat >= args.retry)}")
    # the database: one session per start, each stop closing its session once
    ids = [serial_ids[p.serial] for p in piles]
    sessions = query(conn, """
        SELECT s.pile_id, s.id, s.state, s.meter_stop, s.start_key,
               (SELECT COUNT(*) FROM charge_order o WHERE o.session_id = s.id),
               (SELECT COUNT(*) FROM charge_wallet_transaction t JOIN charge_order o ON o.id = t.order_id
                 WHERE o.session_id = s.id AND t.type = 'payment')
          FROM charge_session s WHERE s.pile_id = ANY(%s) AND s.id > %s
    """, [ids, last_session])
    by_pile = {}
    for row in sessions:
        by_pile.setdefault(row[0], []).append(row)
    lost = [p.serial for p in piles if not by_pile.get(serial_ids[p.serial])]
    doubled = [p.serial for p in piles if len(by_pile.get(serial_ids[p.serial], [])) > 1]
    stops = [p for p in piles if p.kind in ("stop unsent", "stop answer lost")]
    closed_once = [p for p in stops if len(by_pile.get(serial_ids[p.serial], [])) == 1
                   and by_pile[serial_ids[p.serial]][0][2] == "finished" and by_pile[serial_ids[p.serial]][0][3] == 4000
                   and by_pile[serial_ids[p.serial]][0][5] == 1 and by_pile[serial_ids[p.serial]][0][6] <= 1]
    paid_twice = [row[1] for row in sessions if row[6] > 1]
    starts = [p for p in piles if p.kind == "start answer lost"]
    same_start = [p for p in starts if p.lost_transaction_id and p.lost_transaction_id == p.resent_transaction_id]
    meters = [p for p in piles if p.kind == "meter values answer lost"]
    counts = dict(query(conn, """
        SELECT session_id, COUNT(*) FROM charge_meter_value
         WHERE id > %s AND pile_id = ANY(%s) AND energy_wh = 3000 GROUP BY session_id
    """, [last_meter, [serial_ids[p.serial] for p in meters]]))
    meters_once = [p for p in meters if counts.get(p.transaction_id) == 1]
    print(f"  database: transactions lost {len(lost)}, doubled {len(doubled)} (target 0, 0)"
          f"{' e.g. ' + str((lost + doubled)[:3]) if lost or doubled else ''}")
    print(f"  stops closing their session once (one order, paid at most once): {len(closed_once)}/{len(stops)}; "
          f"orders paid twice: {len(paid_twice)}")
    print(f"  starts sent again with a new message id given the same transaction: {len(same_start)}/{len(starts)}; "
          f"meter values sent again stored once: {len(meters_once)}/{len(meters)}")
    doubled_meters = sum(1 for p in meters if counts.get(p.transaction_id, 0) > 1)
    return len(lost) + len(doubled) + len(paid_twice) + doubled_meters + sum(
        1 for p in starts if p.resent_transaction_id and p.resent_transaction_id != p.lost_transaction_id)


# Stop storm ---------------------------------------------------------------------------------------

def stop_storm(args, prep):
    ids = Ids()
    piles = [Pile(serial, card, "stop") for serial, card in sorted(prep["piles"].items())]
    heartbeat_serials = sorted(json.loads(args.heartbeat_serials))
    stack = Stack(args)
    conn = connect_db(args)
    fleet = beat_fleet = None
    beats = []  # (sent at, latency)
    beating = threading.Event()
    try:
        stack.start_broker()
        stack.start_cron()  # the settle and posting queues' crons (an Odoo server without HTTP, with cron threads)
        stack.start_listeners(args.listeners)
        fleet = Fleet(stack.port, prep["prefix"], [p.serial for p in piles], name="storm").start()
        began = time.perf_counter()
        scripts = [Script(fleet, ids, pile, [boot_step(), status_step("Preparing"), start_step(),
                                             status_step("Charging")], None) for pile in piles]
        done = run_scripts(scripts, window=args.window, timeout=args.setup_timeout)
        started = [p for p in piles if p.transaction_id and p.start_status == "Accepted"]
        print(f"setup: {done}/{len(piles)} piles booted, {len(started)} charging with a member's card accepted, "
              f"in {time.perf_counter() - began:.1f} s", flush=True)
        if len(started) < len(piles):
            other = [p for p in piles if p not in started][:3]
            print("  not started: " + ", ".join(f"{p.serial} {p.start_status} {p.errors[:1]}"
                                                for p in other))
        # meter values last, so that no pile looks silent at the storm
        scripts = [Script(fleet, ids, pile, [("MeterValues", meter_payload(3000), {})], None) for pile in started]
        run_scripts(scripts, window=args.window, timeout=args.setup_timeout)
        # heartbeats of other piles, in the background
        beat_fleet = Fleet(stack.port, prep["prefix"], heartbeat_serials, connections=2, name="storm-beat").start()
        beater = threading.Thread(target=_heartbeats, args=(beat_fleet, ids, heartbeat_serials, args.heartbeat_rate,
                                                             beating, beats), daemon=True)
        beating.set()
        beater.start()
        time.sleep(2 + args.baseline)
        # the storm: every pile stops within the storm window, evenly
        stop_latencies = {}
        stopped = threading.Event()
        lock = threading.Lock()

        def on_stop(pile, frame, latency):
            with lock:
                stop_latencies[pile.serial] = (latency, frame[0])
                if len(stop_latencies) == len(started):
                    stopped.set()
        storm_start = time.perf_counter()
        for index, pile in enumerate(started):
            delay = storm_start + index * args.storm_window / max(len(started), 1) - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            Script(fleet, ids, pile, [("StopTransaction", stop_payload(5000), {"on_reply": on_stop})],
                   lambda _s: None).start()
        sent_by = time.perf_counter() - storm_start
        stopped.wait(args.storm_timeout)
        answered_at = time.perf_counter()
        beating.clear()
        beater.join(10)
        report_stop_storm(args, piles, started, stop_latencies, beats, storm_start, sent_by, answered_at)
        wait_posted(args, conn, started, answered_at, storm_start)
    finally:
        beating.clear()
        for f in (fleet, beat_fleet):
            if f:
                f.stop()
        stack.close()
        conn.close()
    return 0


def _heartbeats(fleet, ids, serials, rate, beating, beats):
    interval = 1.0 / rate
    next_at = time.perf_counter()
    index = 0
    while beating.is_set():
        now = time.perf_counter()
        if next_at > now:
            time.sleep(next_at - now)
        sent = time.perf_counter()
        serial = serials[index % len(serials)]
        index += 1
        fleet.send(serial, ids.next(), "Heartbeat", {},
                   lambda frame, latency, sent=sent: beats.append((sent, latency)))
        next_at += interval


def report_stop_storm(args, piles, started, stop_latencies, beats, storm_start, sent_by, answered_at):
    latencies = [lat for lat, _kind in stop_latencies.values()]
    errors = sum(1 for _lat, kind in stop_latencies.values() if kind != 3)
    before = [lat for sent, lat in beats if storm_start - args.baseline <= sent < storm_start]
    during = [lat for sent, lat in beats if storm_start <= sent < answered_at]
    print(f"\nStop storm ({len(started)} StopTransactions sent in {sent_by:.1f} s (target window "
          f"{args.storm_window:g} s), {args.listeners} listener(s), heartbeats of {args.heartbeat_rate:g}/s from "
          f"other piles; {os.cpu_count()} cores shared)")
    complete = len(latencies) == len(started)
    print(f"  StopTransactions answered: {len(latencies)}/{len(started)} ({errors} CALLERROR), "
          f"{'all' if complete else 'NOT all'} answered {answered_at - storm_start:.1f} s after the first was sent")
    print(f"  StopTransaction latency{'' if complete else ' (of the answered)'}: p50 {ms(percentile(latencies, 0.5))}, "
          f"p99 {ms(percentile(latencies, 0.99))} (target p99 < 1000 ms)")
    print(f"  heartbeat latency before the storm: p50 {ms(percentile(before, 0.5))}, p99 {ms(percentile(before, 0.99))}"
          f" ({len(before)} heartbeats)")
    print(f"  heartbeat latency during the storm: p50 {ms(percentile(during, 0.5))}, p99 {ms(percentile(during, 0.99))}"
          f" ({len(during)} heartbeats; target: as before)")


POSTED = """
    SELECT o.id, o.state, o.payment_state, NOT o.settle_pending AND o.state = 'completed' AND o.payment_state = 'paid',
           EXISTS (SELECT 1 FROM charge_wallet_transaction t
                     JOIN charge_wallet_transaction_move_rel r ON r.transaction_id = t.id
                     JOIN account_move m ON m.id = r.move_id AND m.state = 'posted'
                    WHERE t.order_id = o.id AND t.type = 'payment')
           OR EXISTS (SELECT 1 FROM account_move m WHERE m.charge_order_id = o.id AND m.state = 'posted')
      FROM charge_order o WHERE o.session_id = ANY(%s)
"""


# seconds from each order's payment to its journal entry (the database's clocks)
POSTING_LAG = """
    SELECT EXTRACT(EPOCH FROM MAX(m.create_date) - MAX(o.paid_date)),
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM m.create_date - o.paid_date)),
           MAX(EXTRACT(EPOCH FROM m.create_date - o.paid_date))
      FROM charge_order o
      JOIN charge_wallet_transaction t ON t.order_id = o.id AND t.type = 'payment'
      JOIN charge_wallet_transaction_move_rel r ON r.transaction_id = t.id
      JOIN account_move m ON m.id = r.move_id AND m.state = 'posted'
     WHERE o.session_id = ANY(%s)
"""


def wait_posted(args, conn, started, answered_at, storm_start):
    """Poll until every order of the storm is posted (or the timeout); print the time it took."""
    sessions = [p.transaction_id for p in started]
    deadline = answered_at + args.posting_timeout
    rows = []
    settled_at, settled = None, 0
    while True:
        rows = query(conn, POSTED, [sessions])
        settled = sum(1 for row in rows if row[3])
        if settled_at is None and settled >= len(started):
            settled_at = time.perf_counter()
        posted = sum(1 for row in rows if row[4])
        if posted >= len(started) or time.perf_counter() >= deadline:
            break
        time.sleep(1)
    now = time.perf_counter()
    # the settle queue: every order priced, completed and paid from its member's wallet (after its commit)
    if settled_at is not None:
        print(f"  orders settled (priced, completed, paid): {settled}/{len(started)}, all "
              f"{settled_at - storm_start:.1f} s after the storm began (target: within 120 s)")
    else:
        print(f"  orders settled (priced, completed, paid): {settled}/{len(started)}, NOT all "
              f"{now - storm_start:.1f} s after the storm began (target: within 120 s)")
    states = {}
    for _id, state, payment, _settled, _posted in rows:
        states[f"{state}/{payment}"] = states.get(f"{state}/{payment}", 0) + 1
    lag = query(conn, POSTING_LAG, [sessions])[0]
    lags = (f"; posted after the payment: p50 {lag[1] or 0:.1f} s, max {lag[2] or 0:.1f} s, the last entry "
            f"{lag[0] or 0:.1f} s after the last payment") if lag[2] is not None else ""
    if posted >= len(started):
        print(f"  orders posted: {posted}/{len(started)}, all {now - storm_start:.1f} s after the storm began, "
              f"{now - answered_at:.1f} s after the wait for the StopTransactions ended{lags} "
              f"(target: within 120 s)")
    else:
        print(f"  orders posted: {posted}/{len(started)}, {args.posting_timeout:g} s after the wait for the "
              f"StopTransactions ended (NOT all posted{lags}; target: within 120 s)")
    print(f"  orders: {len(rows)} ({', '.join(f'{k} {v}' for k, v in sorted(states.items()))})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("reconnect", "stop"))
    parser.add_argument("--odoo-argv", required=True, help="JSON list: python3 -m odoo --addons-path=...")
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--dsn", required=True, help="JSON of psycopg2.connect keyword arguments")
    parser.add_argument("--folder", required=True)
    parser.add_argument("--mosquitto", required=True)
    parser.add_argument("--prep", required=True, help="file with the JSON that prepare() printed")
    parser.add_argument("--heartbeat-serials", default="[]", help="JSON list of other piles' serials")
    parser.add_argument("--listeners", type=int, default=2)
    parser.add_argument("--window", type=int, default=200, help="piles set up at once")
    parser.add_argument("--setup-timeout", type=float, default=200)
    parser.add_argument("--down", type=float, default=3, help="seconds the broker is down")
    parser.add_argument("--boot-window", type=float, default=10)
    parser.add_argument("--retry", type=float, default=30, help="seconds before a pile sends an unanswered frame again")
    parser.add_argument("--storm-timeout", type=float, default=90,
                        help="seconds to wait for the answers after the boot or storm window")
    parser.add_argument("--storm-window", type=float, default=20)
    parser.add_argument("--baseline", type=float, default=10, help="seconds of heartbeats measured before the storm")
    parser.add_argument("--heartbeat-rate", type=float, default=200)
    parser.add_argument("--posting-timeout", type=float, default=120)
    args = parser.parse_args()
    # a stage stopped from outside (its timeout) still stops the broker, the listeners and the cron server
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(1))
    prep = json.loads(Path(args.prep).read_text())
    return (reconnect_storm if args.mode == "reconnect" else stop_storm)(args, prep)


if __name__ == "__main__":
    sys.exit(main())
