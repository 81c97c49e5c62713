"""A real device bus for the end-to-end tests: mosquitto with the access files
written from the piles of the e2e database, listener processes, and MQTT
clients standing in for piles. Everything on the loopback interface, on free
ports, in a temporary folder."""

import contextlib
import json
import queue
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import psycopg2
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from pile_simulator import VirtualPile
from scripts.ops import config as ops_config
from scripts.ops import device_bus, odoo_cmd, postgres

PREFIX = "charge"
SETTLE_EVERY = 0.3
# the settle queue's worker, run in an Odoo shell (``env``): the operator's language comes from the company
SETTLER = """
import time
orders = env(context={{}})["charge.order"]
try:
    while True:
        try:
            orders._cron_settle_queue()
            env.cr.commit()
        except Exception:
            env.cr.rollback()
        env.invalidate_all()
        time.sleep({every})
except KeyboardInterrupt:  # stopped with the bus (SIGTERM)
    pass
"""


class Bus:
    """mosquitto + the conf files of one test session."""

    def __init__(self, settings, folder: Path, db):
        self.settings = settings
        self.folder = folder
        self.db = db
        self.port = odoo_cmd.free_port()
        self.conf = folder / "odoo.conf"
        self.broker = None
        self.listeners = []
        self.settler = None
        self.write_conf()

    # set-up ---------------------------------------------------------------------

    def write_conf(self):
        device_bus.write_odoo_conf(self.settings, self.conf, self.port, mqtt_username="charge_platform",
                                   broker_dir=self.folder, batch_ms=20)

    def odoo(self, name, *args):
        return odoo_cmd.addon_command(self.settings, name, self.db, *args, conf=self.conf)

    def start_broker(self):
        """Access files from the piles of the database, then mosquitto."""
        subprocess.run(self.odoo("charge_broker"), check=True, cwd=self.settings.repo,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        device_bus.write_broker_conf(self.folder, self.port)
        self.restart_broker()

    def restart_broker(self):
        """(Re)start mosquitto on the same port with the same persistence."""
        self.broker = subprocess.Popen([device_bus.mosquitto_binary(), "-c", str(self.folder / "mosquitto.conf")],
                                       stdout=open(self.folder / "mosquitto.log", "ab"), stderr=subprocess.STDOUT)
        wait_for(lambda: odoo_cmd.port_open(self.port), 10, "mosquitto did not start")

    def start_settler(self):
        """The settle queue's worker: what a cron worker does when a StopTransaction triggers the queue (the
        listener only closes the session; the queue prices, checks, completes and pays the order after the
        commit), as a loop running the queue in a committed transaction every SETTLE_EVERY seconds (an Odoo
        server with cron threads would also run the database's other scheduled actions during the tests)."""
        if self.settler and self.settler.poll() is None:
            return
        self.settler = subprocess.Popen(self.odoo("shell", "--no-http"), stdin=subprocess.PIPE,
                                        stdout=open(self.folder / "settler.log", "ab"), stderr=subprocess.STDOUT,
                                        cwd=self.settings.repo, text=True)
        self.settler.stdin.write(SETTLER.format(every=SETTLE_EVERY))
        self.settler.stdin.close()

    def start_listener(self, instance="1"):
        self.start_settler()
        log_path = self.folder / f"listener-{instance}.log"
        connected = log_path.read_text(errors="replace").count("subscribing to") if log_path.exists() else 0
        log = open(log_path, "ab")
        proc = subprocess.Popen(self.odoo("charge_listener", "--instance", instance), cwd=self.settings.repo,
                                stdout=log, stderr=subprocess.STDOUT)
        self.listeners.append(proc)
        wait_for(lambda: log_path.read_text(errors="replace").count("subscribing to") > connected,
                 60, "the listener did not connect")
        return proc

    def stop(self):
        for proc in self.listeners + ([self.settler] if self.settler else []):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if self.broker and self.broker.poll() is None:
            self.broker.terminate()
            self.broker.wait(10)

    # database -----------------------------------------------------------------

    def sql(self, query, params=None):
        settings = self.settings
        with psycopg2.connect(dbname=self.db, host=settings.db_host, port=settings.db_port,
                              user=settings.db_user, password=settings.db_password or None) as conn:
            with conn.cursor() as cr:
                cr.execute(query, params)
                result = cr.fetchall() if cr.description else None
        conn.close()
        return result

    def grant_id_tag(self, serial, tag, name):
        """Let ``tag`` start sessions on pile ``serial`` (charge_device's own authorisation)."""
        self.sql("INSERT INTO charge_pile_id_tag (pile_id, company_id, tag, name, active) "
                 "SELECT id, company_id, %s, %s, true FROM charge_pile WHERE serial = %s "
                 "ON CONFLICT DO NOTHING", [tag, name, serial])

    def virtual_pile(self, serial, connectors=2, **options):
        """A simulated car pile of the database, connected and booted."""
        options = {"kind": "car", "max_power_kw": 120, "speed": 60, "meter_interval": 60, **options}
        pile = VirtualPile(serial, self.pile_password(serial), connectors=connectors, prefix="charge",
                           host="127.0.0.1", port=self.port, **options)
        pile.start()
        wait_for(lambda: pile.snapshot()["booted"], 30, f"the simulated pile {serial} did not boot")
        return pile

    def pile_password(self, serial):
        return self.sql("SELECT mqtt_password FROM charge_pile WHERE serial = %s", [serial])[0][0]

    def odoo_shell(self, code):
        """Run ``code`` in an Odoo shell on the e2e database (``env`` is there) and commit."""
        result = subprocess.run(self.odoo("shell", "--no-http"), input=code + "\nenv.cr.commit()\n",
                                text=True, capture_output=True, cwd=self.settings.repo, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    def odoo_shell_result(self, code):
        """``odoo_shell``, then the JSON the code printed on its line starting with "RESULT "."""
        output = self.odoo_shell(code)
        return json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])

    def listener_group(self):
        """The listeners' shared subscription group: generated once in the
        database (odoo.conf of the tests does not set one)."""
        rows = self.sql("SELECT value FROM ir_config_parameter WHERE key = 'charge_device.listener_group'")
        return rows[0][0] if rows else None

    def platform_password(self):
        rows = self.sql("SELECT value FROM ir_config_parameter WHERE key = 'charge_device.mqtt_password'")
        return rows[0][0] if rows else None

    def access_files(self):
        """The broker's password and ACL files, as text."""
        return {name: (self.folder / name).read_text() for name in ("passwd", "acl")}


@contextlib.contextmanager
def e2e_bus(folder, start=True):
    """A Bus on the e2e database (a copy of the test database that `make test`
    makes), with broker and listener running when ``start``; skips otherwise."""
    settings = ops_config.load()
    if not postgres.database_exists(settings, ops_config.E2E_DB):
        pytest.skip(f"no {ops_config.E2E_DB} database: run through `make test`")
    bus = Bus(settings, folder, ops_config.E2E_DB)
    try:
        if start:
            bus.start_broker()
            bus.start_listener()
        yield bus
    finally:
        bus.stop()


class Pile:
    """An MQTT client speaking for one pile, frame by frame."""

    def __init__(self, bus, serial, password=None, username=None):
        self.serial = serial
        self.replies = queue.Queue()
        self.client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                                  client_id=f"{serial}-{uuid.uuid4().hex[:6]}", protocol=mqtt.MQTTv5)
        self.client.username_pw_set(username or serial, password if password is not None else bus.pile_password(serial))
        self.client.on_message = lambda _c, _u, message: self.replies.put(json.loads(message.payload))
        self.connected = queue.Queue()
        self.client.on_connect = lambda _c, _u, _f, reason, _p: self.connected.put(reason)
        self.client.connect("127.0.0.1", bus.port)
        self.client.loop_start()
        reason = self.connected.get(timeout=10)
        self.refused = reason.is_failure
        if not self.refused:
            self.client.subscribe(f"{PREFIX}/{serial}/down", qos=1)
            time.sleep(0.2)

    def publish(self, text, topic_serial=None):
        self.client.publish(f"{PREFIX}/{topic_serial or self.serial}/up", text, qos=1).wait_for_publish(5)

    def call(self, action, payload, message_id=None):
        message_id = message_id or uuid.uuid4().hex[:20]
        self.publish(json.dumps([2, message_id, action, payload]))
        return self.reply(message_id)

    def reply(self, message_id=None, timeout=15):
        """The next frame for this pile (with ``message_id`` when given)."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self.replies.get(timeout=max(deadline - time.monotonic(), 0.01))
            if message_id is None or frame[1] == message_id:
                return frame

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


def wait_for(predicate, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(message)



class RetryingPile:
    """A pile that behaves like real firmware under faults: each CALL waits for
    its answer and is sent again, with the same message id, until it comes;
    the MQTT connection is persistent and reconnects by itself."""

    RETRY_AFTER = 2.0

    def __init__(self, bus, serial, password):
        self.serial = serial
        self.bus = bus
        self.answers = {}
        self.cond = threading.Condition()
        self.client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=serial,
                                  protocol=mqtt.MQTTv5)
        self.client.username_pw_set(serial, password)
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        self.client.on_message = self._on_message
        self.client.on_connect = lambda c, _u, _f, reason, _p: (
            None if reason.is_failure else c.subscribe(f"{PREFIX}/{serial}/down", qos=1))
        self.client.connect_async("127.0.0.1", bus.port)
        self.client.loop_start()
        self.resent = 0

    def _on_message(self, _client, _userdata, message):
        frame = json.loads(message.payload)
        with self.cond:
            self.answers.setdefault(frame[1], frame)
            self.cond.notify_all()

    def call(self, action, payload, message_id, deadline):
        text = json.dumps([2, message_id, action, payload])
        while time.monotonic() < deadline:
            if self.client.is_connected():
                self.client.publish(f"{PREFIX}/{self.serial}/up", text, qos=1)
            with self.cond:
                self.cond.wait_for(lambda: message_id in self.answers, timeout=self.RETRY_AFTER)
                if message_id in self.answers:
                    return self.answers[message_id]
            self.resent += 1
        raise AssertionError(f"{self.serial}: no answer to {action} {message_id}")

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


class Eavesdropper:
    """A pile account that subscribes where it should not: records what the
    broker answered to each subscription and every message it gets."""

    def __init__(self, bus, serial, topics, password=None):
        self.serial = serial
        self.messages = queue.Queue()
        self.granted = {}
        acks = queue.Queue()
        connected = queue.Queue()
        self.client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                                  client_id=f"{serial}-spy-{uuid.uuid4().hex[:6]}", protocol=mqtt.MQTTv5)
        self.client.username_pw_set(serial, password if password is not None else bus.pile_password(serial))
        self.client.on_connect = lambda _c, _u, _f, reason, _p: connected.put(reason)
        self.client.on_subscribe = lambda _c, _u, mid, reasons, _p: acks.put((mid, reasons))
        self.client.on_message = lambda _c, _u, message: self.messages.put((message.topic, message.payload))
        self.client.connect("127.0.0.1", bus.port)
        self.client.loop_start()
        assert not connected.get(timeout=10).is_failure, f"{serial} could not log in"
        for topic in topics:
            _result, mid = self.client.subscribe(topic, qos=1)
            ack_mid, reasons = acks.get(timeout=10)
            assert ack_mid == mid
            self.granted[topic] = str(reasons[0])

    def received(self):
        """Every message received so far."""
        got = []
        while not self.messages.empty():
            got.append(self.messages.get())
        return got

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()
