"""Unit tests of how the listener gets a batch through (tools/batch_runner.py),
with fake batches and fake transactions: no broker, no database."""
import logging
import socket
from contextlib import contextmanager
from unittest.mock import patch

import psycopg2
import psycopg2.errors

from odoo.tests import BaseCase, TransactionCase, tagged

from ..tools import batch_runner
from ..tools.batch_runner import BatchRunner, classify
from ..tools.bus_config import BusConfig


class FakeBus:
    """Processes batches of message names: a message named "poison" fails
    whatever batch it is in, ``outages`` batches fail as if the database were
    down, ``conflicts`` as concurrent updates."""

    def __init__(self, outages=0, conflicts=0, give_up_fails=False):
        self.outages = outages
        self.conflicts = conflicts
        self.give_up_fails = give_up_fails
        self.transactions = []
        self.given_up = []

    def process(self, messages):
        self.transactions.append(list(messages))
        if self.outages:
            self.outages -= 1
            raise psycopg2.OperationalError("connection to server at \"localhost\", port 5432 failed: "
                                            "Connection refused")
        if self.conflicts:
            self.conflicts -= 1
            raise psycopg2.errors.SerializationFailure("could not serialize access due to concurrent update")
        if "poison" in messages:
            raise ValueError("A string literal cannot contain NUL (0x00) characters.")
        return [(message, f"reply to {message}") for message in messages]

    def give_up(self, message, error):
        if self.give_up_fails:
            raise RuntimeError("cannot log")
        self.given_up.append((message, type(error).__name__))
        return [(message, "InternalError")]


@tagged("at_install", "-post_install")
class TestBatchRunner(BaseCase):

    def runner(self, bus, stopping=lambda: False):
        self.sleeps = []
        return BatchRunner(bus.process, bus.give_up, sleep=self.sleeps.append, stopping=stopping)

    def test_a_good_batch_goes_through_in_one_transaction(self):
        bus = FakeBus()
        self.assertEqual(self.runner(bus).run(["a", "b"]), [("a", "reply to a"), ("b", "reply to b")])
        self.assertEqual(bus.transactions, [["a", "b"]])
        self.assertEqual(self.sleeps, [])

    def test_a_frame_that_fails_the_batch_is_given_up_alone(self):
        bus = FakeBus()
        with self.assertLogs("odoo.addons.charge_device.listener", logging.WARNING) as logs:
            replies = self.runner(bus).run(["a", "poison", "b"])
        self.assertEqual(replies, [("a", "reply to a"), ("poison", "InternalError"), ("b", "reply to b")])
        self.assertEqual(bus.transactions, [["a", "poison", "b"], ["a"], ["poison"], ["b"]])
        self.assertEqual(bus.given_up, [("poison", "ValueError")])
        self.assertEqual(self.sleeps, [])
        self.assertTrue(any("one by one" in line for line in logs.output))
        # alone in its batch, it is given up at once
        bus = FakeBus()
        with self.assertLogs("odoo.addons.charge_device.listener", logging.ERROR):
            self.assertEqual(self.runner(bus).run(["poison"]), [("poison", "InternalError")])
        self.assertEqual(bus.transactions, [["poison"]])

    def test_a_frame_that_cannot_even_be_logged_is_acknowledged(self):
        bus = FakeBus(give_up_fails=True)
        with self.assertLogs("odoo.addons.charge_device.listener", logging.ERROR) as logs:
            self.assertEqual(self.runner(bus).run(["a", "poison"]), [("a", "reply to a")])
        self.assertTrue(any("could not be logged" in line for line in logs.output))

    def test_an_unavailable_database_is_waited_for_with_back_off(self):
        bus = FakeBus(outages=9)
        with self.assertLogs("odoo.addons.charge_device.listener", logging.WARNING) as logs:
            self.assertEqual(self.runner(bus).run(["a"]), [("a", "reply to a")])
        self.assertEqual(self.sleeps, [1, 2, 4, 8, 16, 32, 60, 60, 60])
        self.assertEqual(len(bus.transactions), 10)
        self.assertEqual(bus.given_up, [])
        levels = [line.split(":")[0] for line in logs.output]
        self.assertEqual(levels, ["WARNING"] * 4 + ["ERROR"] * 5 + ["WARNING"])
        self.assertIn("attempt 9 failed", logs.output[8])
        self.assertIn("recovered", logs.output[-1])

    def test_a_concurrent_update_is_retried_at_once(self):
        bus = FakeBus(conflicts=2)
        self.assertEqual(self.runner(bus).run(["a", "b"]), [("a", "reply to a"), ("b", "reply to b")])
        self.assertEqual(bus.transactions, [["a", "b"]] * 3)
        self.assertEqual(len(self.sleeps), 2)
        self.assertTrue(all(delay <= batch_runner.CONCURRENCY_JITTER for delay in self.sleeps))

    def test_the_database_going_away_during_the_fallback(self):
        bus = FakeBus()
        process = bus.process
        calls = []

        def flaky(messages):
            calls.append(messages)
            if len(calls) == 3:  # "a" alone meets an outage, once
                raise psycopg2.InterfaceError("connection already closed")
            return process(messages)

        runner = BatchRunner(flaky, bus.give_up, sleep=lambda _s: None)
        with self.assertLogs("odoo.addons.charge_device.listener", logging.WARNING):
            replies = runner.run(["poison", "a"])
        self.assertEqual(replies, [("poison", "InternalError"), ("a", "reply to a")])

    def test_stopping_while_the_database_is_away_leaves_the_batch_unacknowledged(self):
        bus = FakeBus(outages=100)
        stop_after = iter([False, False, True])
        with self.assertLogs("odoo.addons.charge_device.listener", logging.WARNING):
            self.assertIsNone(self.runner(bus, stopping=lambda: next(stop_after, True)).run(["a"]))
        self.assertEqual(bus.given_up, [])

    def test_classify(self):
        unavailable = [psycopg2.OperationalError("could not connect"), psycopg2.InterfaceError("closed"),
                       psycopg2.errors.AdminShutdown(), psycopg2.errors.CannotConnectNow(),
                       psycopg2.errors.TooManyConnections(), ConnectionRefusedError()]
        for error in unavailable:
            self.assertEqual(classify(error), batch_runner.UNAVAILABLE, repr(error))
        for error in (psycopg2.errors.SerializationFailure(), psycopg2.errors.DeadlockDetected(),
                      psycopg2.errors.LockNotAvailable()):
            self.assertEqual(classify(error), batch_runner.CONCURRENCY, repr(error))
        for error in (ValueError("NUL"), RecursionError(), psycopg2.errors.NumericValueOutOfRange(),
                      psycopg2.errors.QueryCanceled(), psycopg2.errors.UniqueViolation(), KeyError("x"),
                      UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")):
            self.assertEqual(classify(error), batch_runner.FRAME, repr(error))


class FakeMessage:
    def __init__(self, mid, topic, payload):
        self.mid, self.topic, self.payload, self.qos = mid, topic, payload, 1


class FakeClient:
    def __init__(self, failing_topic=None):
        self.published, self.acked = [], []
        self.failing_topic = failing_topic
        self.batches = []  # what each batched_writes() block wrote: ("publish", topic) / ("ack", mid)
        self.batch = None

    @contextmanager
    def batched_writes(self):
        self.batch = []
        try:
            yield
        finally:
            self.batches.append(self.batch)
            self.batch = None

    def publish(self, topic, text, qos):
        if topic == self.failing_topic:
            raise UnicodeEncodeError("utf-8", text, 0, 1, "surrogates not allowed")
        self.published.append((topic, text))
        if self.batch is not None:
            self.batch.append(("publish", topic))

    def ack(self, mid, qos):
        self.acked.append(mid)
        if self.batch is not None:
            self.batch.append(("ack", mid))


@tagged("at_install", "-post_install")
class TestListenerProcess(BaseCase):
    """The listener publishes the replies, then acknowledges the whole batch;
    a batch left unprocessed (stopping while the database is away) is not
    acknowledged, so that the broker delivers it again."""

    def listener(self, bus, client):
        from odoo.addons.charge_device.cli.charge_listener import Listener  # noqa: PLC0415 - a CLI module
        listener = Listener("no_db", None, "test-listener")
        listener.client = client
        listener.runner = BatchRunner(lambda messages: bus.process([m.payload for m in messages]),
                                      lambda message, error: bus.give_up(message.payload, error),
                                      sleep=lambda _s: None, stopping=listener.stopping.is_set)
        return listener

    def test_replies_published_then_every_message_acknowledged(self):
        client = FakeClient(failing_topic="b")
        messages = [FakeMessage(1, "t/a/up", "a"), FakeMessage(2, "t/p/up", "poison"), FakeMessage(3, "t/b/up", "b")]
        with self.assertLogs("odoo.addons.charge_device.listener", logging.WARNING):
            self.listener(FakeBus(), client)._process([(0, message) for message in messages])
        self.assertEqual(client.published, [("a", "reply to a"), ("poison", "InternalError")])
        self.assertEqual(client.acked, [1, 2, 3])

    def test_the_replies_and_acks_of_a_batch_are_written_together(self):
        client = FakeClient()
        self.listener(FakeBus(), client)._process([(0, FakeMessage(1, "t/a/up", "a")),
                                                   (0, FakeMessage(2, "t/b/up", "b"))])
        self.assertEqual(client.batches, [[("publish", "a"), ("publish", "b"), ("ack", 1), ("ack", 2)]])

    def test_replies_go_out_on_their_own_connection_before_the_acks(self):
        # the replies' PUBACKs never wait behind frames the listener leaves unread (tools/inbox.py)
        client, replier, order = FakeClient(), FakeClient(), []
        client.ack = lambda mid, qos, ack=client.ack: (order.append(("ack", mid)), ack(mid, qos))
        replier.publish = lambda topic, text, qos, publish=replier.publish: (
            order.append(("publish", topic)), publish(topic, text, qos))
        listener = self.listener(FakeBus(), client)
        listener.replier = replier
        listener._process([(0, FakeMessage(1, "t/a/up", "a")), (0, FakeMessage(2, "t/b/up", "b"))])
        self.assertEqual(replier.batches, [[("publish", "a"), ("publish", "b")]])
        self.assertEqual(client.batches, [[("ack", 1), ("ack", 2)]])
        self.assertEqual(order, [("publish", "a"), ("publish", "b"), ("ack", 1), ("ack", 2)])

    def test_a_batch_is_processed_in_topic_order_and_acknowledged_in_received_order(self):
        # every listener writes the rows of a batch's piles in the same order: no deadlock between two
        client, bus = FakeClient(), FakeBus()
        received = [FakeMessage(1, "t/P3/up", "p3"), FakeMessage(2, "t/P1/up", "p1-first"),
                    FakeMessage(3, "t/P2/up", "p2"), FakeMessage(4, "t/P1/up", "p1-second")]
        self.listener(bus, client)._process([(0, message) for message in received])
        self.assertEqual(bus.transactions, [["p1-first", "p1-second", "p2", "p3"]])  # a pile's frames keep theirs
        self.assertEqual(client.acked, [1, 2, 3, 4])

    def test_notify_connections_kept_in_the_pool(self):
        from odoo.addons.charge_device.cli.charge_listener import keep_notify_connections  # noqa: PLC0415

        class Pool:
            def __init__(self):
                self.given = []

            def give_back(self, connection, keep_in_pool=True):
                self.given.append((connection.info.dbname, keep_in_pool))

        class Connection:
            closed = False

            def __init__(self, dbname):
                self.info = type("Info", (), {"dbname": dbname})()
        keep_notify_connections(Pool)
        keep_notify_connections(Pool)  # once is enough
        pool = Pool()
        # Odoo's cursor gives a connection to "postgres" (the bus notifications) back with keep_in_pool=False
        pool.give_back(Connection("postgres"), keep_in_pool=False)
        pool.give_back(Connection("template1"), keep_in_pool=False)
        pool.give_back(Connection("charge"))
        self.assertEqual(pool.given, [("postgres", True), ("template1", False), ("charge", True)])

    def test_client_id(self):
        from odoo.addons.charge_device.cli.charge_listener import client_id_of  # noqa: PLC0415 - a CLI module
        bus = BusConfig(listener_group="grp")
        self.assertEqual(client_id_of(bus, "2", "node-b"), "grp-node-b-2")
        self.assertEqual(client_id_of(bus, "1"), f"grp-{socket.gethostname()}-1")

    def test_nothing_acknowledged_when_stopping_while_the_database_is_away(self):
        client = FakeClient()
        listener = self.listener(FakeBus(outages=3), client)
        listener.stopping.set()
        with self.assertLogs("odoo.addons.charge_device.listener", logging.WARNING):
            listener._process([(0, FakeMessage(1, "t/a/up", "a"))])
        self.assertEqual((client.published, client.acked, listener.processed), ([], [], 0))

    def test_only_the_messages_of_the_current_connection_are_acknowledged(self):
        # the listener reconnected while the batch was processed: the broker delivers the messages
        # of the first connection again under packet ids of their own, which an ack must not hit
        client = FakeClient()
        listener = self.listener(FakeBus(), client)
        listener.connection = 2
        listener._process([(1, FakeMessage(7, "t/a/up", "a")), (2, FakeMessage(7, "t/b/up", "b"))])
        self.assertEqual(client.published, [("a", "reply to a"), ("b", "reply to b")])
        self.assertEqual(client.acked, [7])
        self.assertEqual(listener.processed, 2)


@tagged("at_install", "-post_install")
class TestListenerHotFrames(BaseCase):
    """Heartbeats, statuses and meter values go through a transaction of their
    own, first, at READ COMMITTED; the other frames of the batch after them."""

    def test_frequent_frames_go_first_and_apart(self):
        from odoo.addons.charge_device.cli.charge_listener import Listener  # noqa: PLC0415 - a CLI module
        hot_bus, other_bus, client = FakeBus(), FakeBus(), FakeClient()
        listener = Listener("no_db", None, "test-listener")
        listener.client = client
        for name, bus in (("runner", other_bus), ("hot_runner", hot_bus)):
            setattr(listener, name, BatchRunner(lambda messages, bus=bus: bus.process([m.payload for m in messages]),
                                                lambda message, error, bus=bus: bus.give_up(message.payload, error),
                                                sleep=lambda _s: None))
        stop = '[2, "1", "StopTransaction", {"transactionId": 5, "meterStop": 10, "timestamp": "x"}]'
        beat = '[2, "2", "Heartbeat", {}]'
        meter = '[2, "3", "MeterValues", {"connectorId": 1, "meterValue": []}]'
        answer = '[3, "4", {}]'
        messages = [FakeMessage(n, f"t/p{n}/up", payload) for n, payload in enumerate([stop, beat, answer, meter])]
        listener._process([(0, message) for message in messages])
        self.assertEqual(hot_bus.transactions, [[beat, meter]])
        self.assertEqual(other_bus.transactions, [[stop, answer]])
        self.assertEqual([text for _topic, text in client.published][:2], [f"reply to {beat}", f"reply to {meter}"])
        self.assertEqual(sorted(client.acked), [0, 1, 2, 3])

    def test_is_hot_frame(self):
        from ..tools.ocpp_routes import is_hot_frame  # noqa: PLC0415
        self.assertTrue(is_hot_frame(b'[2, "1", "Heartbeat", {}]'))
        self.assertTrue(is_hot_frame('[2, "1", "StatusNotification", {}]'))
        for raw in (b'[2, "1", "BootNotification", {}]', b'[3, "1", {}]', b"not json", b"\xff\xfe", b'{"a": 1}',
                    b'[2, "1", ["Heartbeat"], {}]', b"[2]", b"", b"[" * 100000 + b"]" * 100000):
            self.assertFalse(is_hot_frame(raw), raw)


class TestListenerIsolation(TransactionCase):
    """The hot frames' transaction really runs at READ COMMITTED (a cursor of
    its own, as the listener opens it), the others at Odoo's REPEATABLE READ."""

    def test_isolation_levels(self):
        from odoo.addons.charge_device.cli.charge_listener import Listener  # noqa: PLC0415 - a CLI module
        listener = Listener(self.env.cr.dbname, None, "test-listener")

        def level(bus):
            bus.env.cr.execute("SHOW transaction_isolation")
            return bus.env.cr.fetchone()[0]
        self.assertEqual(listener._transaction(level, read_committed=True), "read committed")
        self.assertEqual(listener._transaction(level), "repeatable read")
        self.assertEqual(listener._transaction(level, read_committed=True), "read committed")

    def test_read_committed_costs_no_statement(self):
        # a round trip less per batch of hot frames: the level goes with the transaction's BEGIN
        from odoo.addons.charge_device.cli.charge_listener import Listener  # noqa: PLC0415 - a CLI module
        listener = Listener(self.env.cr.dbname, None, "test-listener")
        self.assertEqual(listener._transaction(lambda bus: bus.env.cr.sql_log_count, read_committed=True), 0)


class FakeProperties:
    pass


class FakeFlags:
    def __init__(self, session_present):
        self.session_present = session_present


class FakeReasonCode:
    is_failure = False


class ConnectingClient(FakeClient):
    """Records how the listener connects."""

    def __init__(self):
        super().__init__()
        self.connect_args, self.subscribed = None, []
        self._max_inflight_messages = 20

    def __getattr__(self, name):  # callbacks and settings the test does not look at
        return lambda *args, **kwargs: None

    def connect_async(self, host, port, **kwargs):
        self.connect_args = (host, port, kwargs)

    def socket(self):
        return None

    def subscribe(self, topics):
        self.subscribed.append(topics)


@tagged("at_install", "-post_install")
class TestListenerReceiveWindow(BaseCase):
    """The listener asks the broker for a window of unacknowledged messages
    (MQTT 5 Receive Maximum) and keeps its inbox within it."""

    def bus(self, **values):
        from odoo.addons.charge_device.tools.bus_config import BusConfig  # noqa: PLC0415
        return BusConfig(mqtt_host="127.0.0.1", listener_group="g", **values)

    def test_the_window_is_two_batches_unless_set(self):
        from odoo.addons.charge_device.cli.charge_listener import receive_window  # noqa: PLC0415
        self.assertEqual(receive_window(self.bus(batch_size=200)), 400)
        self.assertEqual(receive_window(self.bus(batch_size=200, receive_maximum=50)), 50)
        self.assertEqual(receive_window(self.bus(batch_size=50_000)), 65535)  # the most MQTT 5 allows

    def test_connect_carries_a_receive_maximum_and_the_inbox_its_bound(self):
        from odoo.addons.charge_device.cli import charge_listener  # noqa: PLC0415
        client = ConnectingClient()
        listener = charge_listener.Listener("no_db", self.bus(batch_size=20), "test-listener")
        with patch.object(charge_listener, "new_client", lambda *args, **kwargs: client):
            listener.connect()
        _host, _port, options = client.connect_args
        self.assertEqual(options["properties"].ReceiveMaximum, 40)
        self.assertFalse(options["clean_start"])
        self.assertEqual(listener.inbox.window, 40)
        self.assertIs(client.read_gate, listener.inbox)

    def test_replies_in_flight_follow_the_broker_receive_maximum(self):
        from odoo.addons.charge_device.cli import charge_listener  # noqa: PLC0415
        listener = charge_listener.Listener("no_db", self.bus(batch_size=20), "test-listener")
        listener.prefixes = ["tst"]
        client = ConnectingClient()
        connack = FakeProperties()
        connack.ReceiveMaximum = 32
        listener._on_connect(client, None, FakeFlags(False), FakeReasonCode(), connack)
        self.assertEqual(client._max_inflight_messages, 32)
        listener._on_connect(client, None, FakeFlags(False), FakeReasonCode(), FakeProperties())
        self.assertEqual(client._max_inflight_messages, 0)  # no limit from the broker: none
        self.assertEqual(len(client.subscribed), 2)

    def test_a_resumed_session_leaves_the_waiting_copies_to_the_broker(self):
        from odoo.addons.charge_device.cli import charge_listener  # noqa: PLC0415
        listener = charge_listener.Listener("no_db", self.bus(batch_size=20), "test-listener")
        listener.prefixes = ["tst"]
        client = ConnectingClient()
        listener._on_connect(client, None, FakeFlags(False), FakeReasonCode(), FakeProperties())
        listener._on_message(client, None, FakeMessage(1, "tst/a/up", "a"))
        # a new session: what is waiting is all there is, processed and acknowledged on the new connection
        listener._on_connect(client, None, FakeFlags(False), FakeReasonCode(), FakeProperties())
        self.assertEqual(len(listener.inbox), 1)
        # the session resumed: the broker delivers the unacknowledged messages again
        with self.assertLogs("odoo.addons.charge_device.listener", logging.INFO):
            listener._on_connect(client, None, FakeFlags(True), FakeReasonCode(), FakeProperties())
        self.assertEqual(len(listener.inbox), 0)
        listener._on_message(client, None, FakeMessage(1, "tst/a/up", "a"))
        self.assertEqual(listener.inbox.take(1, timeout=0)[0][0], listener.connection)
