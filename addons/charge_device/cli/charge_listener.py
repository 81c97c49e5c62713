"""The device listener: takes the piles' frames from the MQTT broker, processes
them in batches (one transaction per batch, one savepoint per frame) and
publishes the replies after commit. Several processes share the load through
an MQTT 5 shared subscription. A batch that fails is retried or processed frame
by frame (tools/batch_runner.py): no frame blocks the listener.

Flow control: the listener's connection carries an MQTT 5 Receive Maximum
(``receive_window``): the broker never has more frames in flight towards it
than that, unacknowledged, and keeps the rest in the listener's session (or
gives them to the other listeners of the group). The listener acknowledges a
batch once it is committed and its replies are handed to the client, so an
overloaded listener works at its own pace on a bounded inbox instead of
queueing without end. As mosquitto 2.0 does not always keep to that window,
the client also stops reading its socket while the inbox holds a window of
frames, and the replies go out on a connection of their own, whose PUBACKs
never wait behind unread frames (tools/inbox.py, tools/mqtt_client.py)."""
import argparse
import dataclasses
import logging
import signal
import socket
import sys
import threading
import time
from contextlib import nullcontext

from paho.mqtt.packettypes import PacketTypes
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED
from paho.mqtt.properties import Properties

from odoo import SUPERUSER_ID, api, sql_db
from odoo.cli.command import Command
from odoo.modules.registry import Registry

from odoo.addons.charge_device.cli._common import add_odoo_arguments, load_odoo_config
from odoo.addons.charge_device.tools.batch_runner import BatchRunner
from odoo.addons.charge_device.tools.inbox import Inbox
from odoo.addons.charge_device.tools.mqtt_client import new_client, set_nodelay
from odoo.addons.charge_device.tools.ocpp_routes import is_hot_frame

_logger = logging.getLogger("odoo.addons.charge_device.listener")

# The broker keeps a listener's session (its queue, its share of the shared
# subscription) this long while it is away: a listener that crashes and comes
# back gets what arrived meanwhile. Retire an instance for good with --forget,
# or its session keeps taking its share of the frames until it expires.
SESSION_EXPIRY = 3600
# the largest Receive Maximum MQTT 5 allows
MAX_RECEIVE_MAXIMUM = 65535
# How long a thread keeps the GIL while another one waits for it (Python's
# default is 5 ms). The processing thread is busy most of the time under load,
# and paho's network thread gives the GIL up at every socket call (several per
# frame, ack and reply): with 5 ms per hand-over it falls behind, the acks and
# replies wait and an overloaded listener answers less and less. 0.2 ms keeps
# both threads moving.
SWITCH_INTERVAL = 0.0002
# a batch is worth waiting batch_ms for until it holds batch_size // FILL_SHARE frames
FILL_SHARE = 4
# seconds a stopping listener waits for its last replies to be acknowledged by the broker
REPLIES_GRACE = 5.0


def receive_window(bus):
    """Frames the broker may send a listener before it acknowledges any (its
    Receive Maximum): ``receive_maximum`` of the settings, by default two
    batches (one processed while the next one fills)."""
    return max(1, min(bus.receive_maximum or 2 * bus.batch_size, MAX_RECEIVE_MAXIMUM))


def _topic_of(message):
    return message.topic


def follow_broker_maximum(client, connack_properties):
    """paho 2 does not honour the broker's own Receive Maximum (CONNACK) for
    the messages it publishes: at most that many in flight, no limit when the
    broker sets none."""
    broker_maximum = getattr(connack_properties, "ReceiveMaximum", 0) or 0
    client._max_inflight_messages = broker_maximum if broker_maximum < MAX_RECEIVE_MAXIMUM else 0


def keep_notify_connections(pool_class=sql_db.ConnectionPool):
    """Keep the connections to the ``postgres`` database in this process's pool.

    Odoo's bus sends its notifications after commit on a connection to the
    ``postgres`` database, and Odoo's pool closes those after each use (so
    that no connection is left on a database used as a template when a
    database is created). A listener commits tens of batches a second, most
    with a status change to notify: a new PostgreSQL backend process each
    time. A listener never creates databases: it keeps that connection."""
    original = pool_class.give_back
    if getattr(original, "keeps_notify_connections", False):
        return

    def give_back(self, connection, keep_in_pool=True):
        if not keep_in_pool and not connection.closed and connection.info.dbname == "postgres":
            keep_in_pool = True
        return original(self, connection, keep_in_pool=keep_in_pool)
    give_back.keeps_notify_connections = True
    pool_class.give_back = give_back


def client_id_of(bus, instance, host=None):
    """The broker session of a listener instance: ``<group>-<host>-<instance>``,
    the host being this machine's name unless given (``--host``: a session
    can then be ended with --forget from another machine)."""
    return f"{bus.listener_group}-{host or socket.gethostname()}-{instance}"


class Listener:
    """One listener process."""

    def __init__(self, dbname, bus, client_id):
        self.dbname = dbname
        self.bus = bus
        self.client_id = client_id
        self.window = receive_window(bus) if bus is not None else 0
        # (connection, message): at most a window of them, the broker keeps the rest (the
        # client reads no more from its socket while the inbox is full: tools/inbox.py)
        self.inbox = Inbox(self.window)
        self.connection = 0  # connections made so far: an ack only goes on the one its message came on
        self.stopping = threading.Event()
        self.client = None
        self.replier = None  # the connection the replies go out on (tools: _process_part)
        self.prefixes = []
        self.processed = 0
        self.runner = BatchRunner(self._process_in_transaction, self._give_up_in_transaction,
                                  sleep=self.stopping.wait, stopping=self.stopping.is_set,
                                  describe=lambda message: f"message {message.mid} on {message.topic}")
        # heartbeats, statuses and meter values: set-based writes of rows that
        # another listener may write at the same moment (the pile's last_seen,
        # the meter values' keys on the pile): at READ COMMITTED they wait for
        # each other instead of failing the whole batch on a serialization error
        self.hot_runner = BatchRunner(self._process_hot_in_transaction, self._give_up_in_transaction,
                                      sleep=self.stopping.wait, stopping=self.stopping.is_set,
                                      describe=lambda message: f"message {message.mid} on {message.topic}")

    # MQTT side ---------------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            _logger.error("broker refused the connection: %s", reason_code)
            return
        set_nodelay(client)
        self.connection += 1
        follow_broker_maximum(client, properties)
        if flags.session_present:
            # the broker delivers again what was not acknowledged on the
            # previous connection: the copies still waiting here go
            dropped = self._drop_inbox()
            if dropped:
                _logger.info("%d message(s) of the previous connection left to the broker", dropped)
        topics = [(f"$share/{self.bus.listener_group}/{prefix}/+/up", 1) for prefix in self.prefixes]
        _logger.info("connected to %s:%s (session present: %s); subscribing to %s", self.bus.mqtt_host,
                     self.bus.mqtt_port, flags.session_present, ", ".join(t for t, _q in topics))
        client.subscribe(topics)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        if not self.stopping.is_set():
            _logger.warning("disconnected from the broker (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message):
        self.inbox.put((self.connection, message))

    def _drop_inbox(self):
        return self.inbox.clear()

    def _on_replier_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            _logger.error("broker refused the reply connection: %s", reason_code)
            return
        set_nodelay(client)
        follow_broker_maximum(client, properties)

    def connect_replier(self):
        """The connection the replies go out on, apart from the one the frames
        come in on. Under overload the broker may send a listener more frames
        than its Receive Maximum (mosquitto 2.0), and the listener then leaves
        them unread in its socket (tools/inbox.py): the broker's PUBACKs of the
        replies, behind them in the same stream, would wait too, and with them
        every further reply (at most the broker's Receive Maximum in flight).
        On a connection of their own, nothing but their PUBACKs comes back."""
        client = new_client(self.bus, f"{self.client_id}-replies", batching=True)
        client.on_connect = self._on_replier_connect
        client.reconnect_delay_set(min_delay=0.25, max_delay=4)
        # no session to keep: paho sends the QoS 1 replies not yet acknowledged again on reconnecting
        client.connect_async(self.bus.mqtt_host, self.bus.mqtt_port, keepalive=30, clean_start=True)
        client.loop_start()
        self.replier = client

    def connect(self):
        client = new_client(self.bus, self.client_id, manual_ack=True, batching=True)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.read_gate = self.inbox
        # back soon after a broker restart: mosquitto keeps no shared subscription across one,
        # so the piles' frames are dropped until the listeners subscribe again
        client.reconnect_delay_set(min_delay=0.25, max_delay=4)
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY
        properties.ReceiveMaximum = self.window
        client.connect_async(self.bus.mqtt_host, self.bus.mqtt_port, keepalive=30, clean_start=False,
                             properties=properties)
        client.loop_start()
        self.client = client

    # Processing ----------------------------------------------------------------

    def _take_batch(self):
        """Every (connection, message) pair received so far, up to batch_size;
        with fewer than a quarter of that waiting, up to batch_ms more for them
        to arrive (a listener that is behind does not wait)."""
        return self.inbox.take(self.bus.batch_size, timeout=0.5, fill=self.bus.batch_ms / 1000.0,
                               enough=self.bus.batch_size // FILL_SHARE)

    def _process(self, batch):
        """The batch of (connection, message) through the runner (one
        transaction, or one per frame when a frame makes it fail); the replies
        are published after commit, then the messages acknowledged, those of
        the current connection only: the broker delivers the others again, on
        this connection, under packet ids of their own. Frames are idempotent:
        a retried batch changes nothing twice."""
        hot, others = [], []
        for pair in batch:  # each payload parsed once here; the bus decodes and validates it
            (hot if is_hot_frame(pair[1].payload) else others).append(pair)
        # the frequent frames first, answered at once: a heartbeat never waits for a storm of
        # StopTransactions settling their orders in the same batch
        for part, runner in ((hot, self.hot_runner), (others, self.runner)):
            if part:
                self._process_part(part, runner)

    def _process_part(self, batch, runner):
        # processed in the order of their topics (a pile's frames keep theirs: the sort is stable), so
        # that every listener writes the rows of a batch's piles in one order: two listeners writing
        # the same connectors or sessions in opposite orders deadlocked, each time stalling both for
        # PostgreSQL's deadlock_timeout (1 s) and processing one batch again (acks in received order)
        replies = runner.run(sorted((message for _connection, message in batch), key=_topic_of))
        if replies is None:  # stopping while the database is away: the broker delivers them again
            return
        replier = self.replier or self.client
        # the replies in one write (not one each), handed over before the acks, in one write too
        with self.client.batched_writes():
            with replier.batched_writes() if replier is not self.client else nullcontext():
                for topic, text in replies:
                    try:
                        replier.publish(topic, text, qos=1)
                    except Exception:  # noqa: BLE001 - one reply must not keep the others or the acks back
                        _logger.exception("reply on %s could not be published", topic)
            for connection, message in batch:
                if connection == self.connection:
                    self.client.ack(message.mid, message.qos)
        self.processed += len(batch)

    def _transaction(self, work, read_committed=False):
        with Registry(self.dbname).cursor() as cr:
            if read_committed:
                # Odoo's cursors are REPEATABLE READ, set on the connection before any query: the
                # level goes with the transaction's BEGIN, without a statement of its own (the next
                # cursor on this connection sets Odoo's level again)
                cr._cnx.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
            return work(api.Environment(cr, SUPERUSER_ID, {})["charge.device.bus"])

    def _process_in_transaction(self, messages):
        return self._transaction(lambda bus: bus._process_batch([(m.topic, m.payload) for m in messages]))

    def _process_hot_in_transaction(self, messages):
        return self._transaction(lambda bus: bus._process_batch([(m.topic, m.payload) for m in messages]),
                                 read_committed=True)

    def _give_up_in_transaction(self, message, error):
        return self._transaction(lambda bus: bus._process_failed(message.topic, message.payload,
                                                                 f"{type(error).__name__}: {error}"[:200]))

    def _load_prefixes(self):
        registry = Registry(self.dbname)
        with registry.cursor() as cr:
            cr.execute("SELECT DISTINCT charge_mqtt_prefix FROM res_company WHERE charge_mqtt_prefix IS NOT NULL")
            self.prefixes = sorted(row[0] for row in cr.fetchall())

    def run(self):
        sys.setswitchinterval(SWITCH_INTERVAL)
        keep_notify_connections()
        self._load_prefixes()
        self.connect_replier()
        self.connect()
        _logger.info("listener %s started on database %s (batches of %d / %d ms, receive maximum %d)",
                     self.client_id, self.dbname, self.bus.batch_size, self.bus.batch_ms, self.window)
        self._serve()

    def _serve(self):
        """Take and process batches until stopped, then leave the broker."""
        last_report = time.monotonic()
        while not self.stopping.is_set():
            batch = self._take_batch()
            if batch:
                self._process(batch)
            if time.monotonic() - last_report > 60:
                _logger.info("%d message(s) processed", self.processed)
                last_report = time.monotonic()
        # drain what was already received, then leave cleanly
        while len(self.inbox):
            self._process(self._take_batch())
        self.client.disconnect()
        self.client.loop_stop()
        if self.replier is not None:
            # the replies still waiting for their turn (the broker's Receive Maximum) go out first
            deadline = time.monotonic() + REPLIES_GRACE
            while self.replier._out_messages and self.replier.is_connected() and time.monotonic() < deadline:
                time.sleep(0.05)
            self.replier.disconnect()
            self.replier.loop_stop()
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
        parser.add_argument("--host",
                            help="name of this host in the broker session's name (default: the machine's "
                                 "hostname); give the same to --forget an instance from another machine")
        parser.add_argument("--batch-size", type=int, help="messages per transaction")
        parser.add_argument("--batch-ms", type=int, help="milliseconds to wait to fill a batch")
        parser.add_argument("--receive-maximum", type=int,
                            help="messages the broker may send before they are acknowledged (MQTT 5 "
                                 "Receive Maximum; default: twice the batch size)")
        parser.add_argument("--forget", action="store_true",
                            help="retire this instance: end its broker session (and its share of the "
                                 "frames) instead of listening")
        args = parser.parse_args(cmdargs)
        dbname = load_odoo_config(args)
        with Registry(dbname).cursor() as cr:
            bus = api.Environment(cr, SUPERUSER_ID, {})["charge.device.broker"]._bus_config()
        overrides = {key: value for key, value in (
            ("batch_size", args.batch_size), ("batch_ms", args.batch_ms), ("receive_maximum", args.receive_maximum),
        ) if value is not None}
        if overrides:
            bus = dataclasses.replace(bus, **overrides)
        client_id = client_id_of(bus, args.instance, args.host)
        listener = Listener(dbname, bus, client_id)
        if args.forget:
            listener.forget()
            return
        signal.signal(signal.SIGTERM, listener.stop)
        signal.signal(signal.SIGINT, listener.stop)
        listener.run()
