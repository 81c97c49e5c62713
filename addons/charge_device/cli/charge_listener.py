"""The device listener: takes the piles' frames from the MQTT broker, processes
them in batches (one transaction per batch, one savepoint per frame) and
publishes the replies after commit. Several processes share the load through
an MQTT 5 shared subscription. A batch that fails is retried or processed frame
by frame (tools/batch_runner.py): no frame blocks the listener."""
import argparse
import dataclasses
import logging
import queue
import signal
import socket
import threading
import time

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from odoo import SUPERUSER_ID, api
from odoo.cli.command import Command
from odoo.modules.registry import Registry

from odoo.addons.charge_device.cli._common import add_odoo_arguments, load_odoo_config
from odoo.addons.charge_device.tools.batch_runner import BatchRunner
from odoo.addons.charge_device.tools.mqtt_client import new_client, set_nodelay

_logger = logging.getLogger("odoo.addons.charge_device.listener")

# The broker keeps a listener's session (its queue, its share of the shared
# subscription) this long while it is away: a listener that crashes and comes
# back gets what arrived meanwhile. Retire an instance for good with --forget,
# or its session keeps taking its share of the frames until it expires.
SESSION_EXPIRY = 3600


class Listener:
    """One listener process."""

    def __init__(self, dbname, bus, client_id):
        self.dbname = dbname
        self.bus = bus
        self.client_id = client_id
        self.inbox = queue.Queue()
        self.stopping = threading.Event()
        self.client = None
        self.prefixes = []
        self.processed = 0
        self.runner = BatchRunner(self._process_in_transaction, self._give_up_in_transaction,
                                  sleep=self.stopping.wait, stopping=self.stopping.is_set,
                                  describe=lambda message: f"message {message.mid} on {message.topic}")

    # MQTT side ---------------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            _logger.error("broker refused the connection: %s", reason_code)
            return
        set_nodelay(client)
        topics = [(f"$share/{self.bus.listener_group}/{prefix}/+/up", 1) for prefix in self.prefixes]
        _logger.info("connected to %s:%s (session present: %s); subscribing to %s", self.bus.mqtt_host,
                     self.bus.mqtt_port, flags.session_present, ", ".join(t for t, _q in topics))
        client.subscribe(topics)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        if not self.stopping.is_set():
            _logger.warning("disconnected from the broker (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message):
        self.inbox.put(message)

    def connect(self):
        client = new_client(self.bus, self.client_id, manual_ack=True)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        client.max_inflight_messages_set(max(self.bus.batch_size, 20))
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY
        client.connect_async(self.bus.mqtt_host, self.bus.mqtt_port, keepalive=30, clean_start=False,
                             properties=properties)
        client.loop_start()
        self.client = client

    # Processing ----------------------------------------------------------------

    def _take_batch(self):
        """Up to batch_size messages, waiting at most batch_ms after the first one."""
        try:
            batch = [self.inbox.get(timeout=0.5)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + self.bus.batch_ms / 1000.0
        while len(batch) < self.bus.batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self.inbox.get(timeout=remaining))
            except queue.Empty:
                break
        return batch

    def _process(self, batch):
        """The batch through the runner (one transaction, or one per frame when
        a frame makes it fail); the replies are published after commit, then
        the messages acknowledged. Frames are idempotent: a retried batch
        changes nothing twice."""
        replies = self.runner.run(batch)
        if replies is None:  # stopping while the database is away: the broker delivers them again
            return
        for topic, text in replies:
            try:
                self.client.publish(topic, text, qos=1)
            except Exception:  # noqa: BLE001 - one reply must not keep the others or the acks back
                _logger.exception("reply on %s could not be published", topic)
        for message in batch:
            self.client.ack(message.mid, message.qos)
        self.processed += len(batch)

    def _transaction(self, work):
        with Registry(self.dbname).cursor() as cr:
            return work(api.Environment(cr, SUPERUSER_ID, {})["charge.device.bus"])

    def _process_in_transaction(self, messages):
        return self._transaction(lambda bus: bus._process_batch([(m.topic, m.payload) for m in messages]))

    def _give_up_in_transaction(self, message, error):
        return self._transaction(lambda bus: bus._process_failed(message.topic, message.payload,
                                                                 f"{type(error).__name__}: {error}"[:200]))

    def _load_prefixes(self):
        registry = Registry(self.dbname)
        with registry.cursor() as cr:
            cr.execute("SELECT DISTINCT charge_mqtt_prefix FROM res_company WHERE charge_mqtt_prefix IS NOT NULL")
            self.prefixes = sorted(row[0] for row in cr.fetchall())

    def run(self):
        self._load_prefixes()
        self.connect()
        _logger.info("listener %s started on database %s (batches of %d / %d ms)", self.client_id,
                     self.dbname, self.bus.batch_size, self.bus.batch_ms)
        last_report = time.monotonic()
        while not self.stopping.is_set():
            batch = self._take_batch()
            if batch:
                self._process(batch)
            if time.monotonic() - last_report > 60:
                _logger.info("%d message(s) processed", self.processed)
                last_report = time.monotonic()
        # drain what was already received, then leave cleanly
        while not self.inbox.empty():
            self._process(self._take_batch())
        self.client.disconnect()
        self.client.loop_stop()
        _logger.info("listener stopped after %d message(s)", self.processed)

    def stop(self, *_args):
        self.stopping.set()

    def forget(self):
        """Connect with a clean start, which ends the session the broker kept
        for this instance, and leave."""
        client = new_client(self.bus, self.client_id)
        connected = threading.Event()
        client.on_connect = lambda *_args: connected.set()
        client.connect(self.bus.mqtt_host, self.bus.mqtt_port, keepalive=30, clean_start=True)
        client.loop_start()
        if not connected.wait(10):
            raise SystemExit(f"could not reach the broker at {self.bus.mqtt_host}:{self.bus.mqtt_port}")
        client.disconnect()
        client.loop_stop()
        _logger.info("broker session of %s ended", self.client_id)


class ChargeListener(Command):
    """Listen to the charging piles on the device bus (OCPP 1.6 over MQTT)."""
    name = "charge_listener"

    def run(self, cmdargs):
        parser = argparse.ArgumentParser(prog=self.prog, description=self.__doc__)
        add_odoo_arguments(parser)
        parser.add_argument("--instance", default="1",
                            help="name of this listener process, unique per host (its broker session)")
        parser.add_argument("--batch-size", type=int, help="messages per transaction")
        parser.add_argument("--batch-ms", type=int, help="milliseconds to wait to fill a batch")
        parser.add_argument("--forget", action="store_true",
                            help="retire this instance: end its broker session (and its share of the "
                                 "frames) instead of listening")
        args = parser.parse_args(cmdargs)
        dbname = load_odoo_config(args)
        with Registry(dbname).cursor() as cr:
            bus = api.Environment(cr, SUPERUSER_ID, {})["charge.device.broker"]._bus_config()
        overrides = {key: value for key, value in
                     (("batch_size", args.batch_size), ("batch_ms", args.batch_ms)) if value}
        if overrides:
            bus = dataclasses.replace(bus, **overrides)
        client_id = f"{bus.listener_group}-{socket.gethostname()}-{args.instance}"
        listener = Listener(dbname, bus, client_id)
        if args.forget:
            listener.forget()
            return
        signal.signal(signal.SIGTERM, listener.stop)
        signal.signal(signal.SIGINT, listener.stop)
        listener.run()
