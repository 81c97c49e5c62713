"""The listener's MQTT client (tools/mqtt_client.py BatchingClient): paho's
client with less work per message. Over a socket pair standing for the
broker's connection: the packets read from one recv are all handled, the
replies and acks of a batch go out in one write, and the decoded properties
are paho's, on shared lookup tables."""
import socket
import threading

from paho.mqtt import _packet as paho_packet
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from odoo.tests import BaseCase, tagged

from ..tools import mqtt_client
from ..tools.bus_config import BusConfig


def publish_packet(topic, payload, packet_id=None, properties=b"\x00"):
    """A PUBLISH packet (MQTT 5), QoS 1 with ``packet_id``, else QoS 0."""
    body = len(topic).to_bytes(2, "big") + topic
    if packet_id is not None:
        body += packet_id.to_bytes(2, "big")
    body += properties + payload
    return bytes([0x32 if packet_id is not None else 0x30, len(body)]) + body


class CountingSocket:
    """The client's end of the pair, counting the system calls the client makes."""

    def __init__(self, sock):
        self.sock = sock
        self.recvs = self.sends = 0

    def recv(self, size):
        self.recvs += 1
        return self.sock.recv(size)

    def send(self, data):
        self.sends += 1
        return self.sock.send(data)

    def __getattr__(self, name):
        return getattr(self.sock, name)


@tagged("at_install", "-post_install")
class TestBatchingClient(BaseCase):

    def setUp(self):
        super().setUp()
        config = BusConfig(mqtt_host="127.0.0.1", mqtt_port=1, mqtt_username="", listener_group="test")
        self.client = mqtt_client.new_client(config, "test-listener", manual_ack=True, batching=True)
        mine, self.broker = socket.socketpair()
        mine.setblocking(False)
        self.broker.settimeout(5)
        self.addCleanup(mine.close)
        self.addCleanup(self.broker.close)
        self.sock = CountingSocket(mine)
        # connected as far as paho's reading and writing go
        self.client._sock = self.sock
        self.client._sockpairW = None
        # as with loop_start(): the packets wait in paho's queue for the network thread (loop_write below)
        self.client._thread = threading.Thread(target=lambda: None)
        self.received = []
        self.client.on_message = lambda _client, _userdata, message: self.received.append(
            (message.topic, message.payload, message.mid))

    def test_packets_of_one_read_are_all_handled(self):
        packets = [publish_packet(f"test/P{n}/up".encode(), f'[2,"m{n}","Heartbeat",{{}}]'.encode(), n + 1)
                   for n in range(20)]
        self.broker.sendall(b"".join(packets))
        self.client.loop_read()
        self.assertEqual([topic for topic, _payload, _mid in self.received], [f"test/P{n}/up" for n in range(20)])
        self.assertEqual([mid for _t, _p, mid in self.received], list(range(1, 21)))
        # paho alone reads each packet in three recv calls (type, length, body): one read, and the
        # one that finds the socket empty
        self.assertLessEqual(self.sock.recvs, 2)

    def test_a_packet_split_across_reads(self):
        packet = publish_packet(b"test/P1/up", b'[2,"m1","Heartbeat",{}]', 7)
        self.broker.sendall(packet[:9])
        self.client.loop_read()
        self.assertEqual(self.received, [])
        self.broker.sendall(packet[9:])
        self.client.loop_read()
        self.assertEqual(self.received, [("test/P1/up", b'[2,"m1","Heartbeat",{}]', 7)])

    def test_replies_and_acks_of_a_batch_in_one_write(self):
        with self.client.batched_writes():
            self.client.publish("test/P1/down", b'[3,"m1",{}]', qos=1)
            self.client.publish("test/P2/down", b'[3,"m2",{}]', qos=1)
            self.client.ack(11, 1)
            self.client.ack(12, 1)
        self.assertEqual(len(self.client._out_packet), 1)
        self.client.loop_write()
        self.assertEqual(self.sock.sends, 1)
        data = self.broker.recv(4096)
        publishes = [b"\x32" in data[:1], data.count(b"test/P1/down"), data.count(b"test/P2/down")]
        self.assertEqual(publishes, [True, 1, 1])
        self.assertTrue(data.endswith(b"\x40\x02\x00\x0b\x40\x02\x00\x0c"), data)
        # the replies wait for their PUBACK as paho's own publishes do
        self.assertEqual(len(self.client._out_messages), 2)

    def test_writes_outside_a_batch_are_paho_s(self):
        self.client.ack(11, 1)
        self.client.ack(12, 1)
        self.assertEqual(len(self.client._out_packet), 2)

    def test_a_batch_of_a_lost_connection_is_dropped(self):
        with self.client.batched_writes():
            self.client.publish("test/P1/down", b'[3,"m1",{}]', qos=1)
            self.client.ack(11, 1)
            self.client._sock = CountingSocket(self.sock.sock)  # reconnected meanwhile
            self.client.publish("test/P2/down", b'[3,"m2",{}]', qos=1)
        # the ack belonged to the old connection, paho publishes the first reply again on the new
        # one; the reply published after the reconnection goes out as paho's own
        self.assertEqual(len(self.client._out_packet), 1)
        self.assertIn(b"test/P2/down", bytes(self.client._out_packet[0]["packet"]))
        self.assertEqual(len(self.client._out_messages), 2)

    def test_properties_decoded_as_paho_does_on_shared_tables(self):
        # Message Expiry Interval 60, Content Type "json", a user property
        properties = (b"\x02\x00\x00\x00\x3c" + b"\x03\x00\x04json" + b"\x26\x00\x01k\x00\x01v")
        packet = publish_packet(b"test/P1/up", b"{}", 3, bytes([len(properties)]) + properties)
        self.broker.sendall(packet)
        messages = []
        self.client.on_message = lambda _c, _u, message: messages.append(message)
        self.client.loop_read()
        decoded = messages[0].properties
        self.assertIsInstance(decoded, mqtt_client.SharedTablesProperties)
        self.assertIs(paho_packet.Properties, mqtt_client.SharedTablesProperties)
        reference = Properties(PacketTypes.PUBLISH)
        reference.unpack(bytes([len(properties)]) + properties)
        self.assertEqual(decoded.json(), reference.json())
        self.assertEqual((decoded.MessageExpiryInterval, decoded.ContentType, decoded.UserProperty),
                         (60, "json", [("k", "v")]))
        other = mqtt_client.SharedTablesProperties(PacketTypes.PUBACK)
        self.assertIs(other.names, decoded.names)
        self.assertTrue(other.isEmpty())
        decoded.clear()
        self.assertEqual(decoded.json(), Properties(PacketTypes.PUBLISH).json())

    def test_publishes_beyond_the_in_flight_limit_follow_in_order_without_a_scan(self):
        self.client._max_inflight_messages = 2
        mids = [self.client.publish(f"test/P{n}/down", f'[3,"m{n}",{{}}]'.encode(), qos=1).mid
                for n in range(5)]
        self.assertEqual(len(self.client._out_packet), 2)  # two in flight, three waiting their turn

        class NoScan(dict):
            def values(self):
                raise AssertionError("paho's scan of every message kept, at each PUBACK")
        self.client._out_messages = NoScan(self.client._out_messages)
        # the broker acknowledges the first two (MQTT 5 PUBACK, success)
        self.broker.sendall(b"".join(b"\x40\x02" + mid.to_bytes(2, "big") for mid in mids[:2]))
        self.client.loop_read()
        sent = [bytes(packet["packet"]) for packet in self.client._out_packet]
        self.assertEqual([any(f"test/P{n}/down".encode() in data for data in sent) for n in range(5)],
                         [True, True, True, True, False])
        self.assertEqual(self.client._inflight_messages, 2)
        self.broker.sendall(b"".join(b"\x40\x02" + mid.to_bytes(2, "big") for mid in mids[2:4]))
        self.client.loop_read()
        self.assertIn(b"test/P4/down", bytes(self.client._out_packet[-1]["packet"]))
        self.assertEqual(list(self.client._out_messages), [mids[4]])

    def test_a_closed_read_gate_leaves_the_packets_in_the_socket(self):
        received = self.received

        class Gate:  # open for three messages, as the listener's inbox with a window of three
            def is_open(self):
                return len(received) < 3

            def wait_open(self, _timeout):
                return self.is_open()
        self.client.read_gate = Gate()
        packets = [publish_packet(f"test/P{n}/up".encode(), f'[2,"m{n}","Heartbeat",{{}}]'.encode(), n + 1)
                   for n in range(8)]
        self.broker.sendall(b"".join(packets))
        self.client.loop_read()
        self.assertEqual(len(received), 3)
        self.client.loop_read()  # still closed: nothing more read, whatever select() said
        self.assertEqual(len(received), 3)
        del received[:2]  # the listener took a batch
        self.client.loop_read()
        self.assertEqual([mid for _t, _p, mid in received], [3, 4, 5])
        del received[:]
        self.client.loop_read()
        self.assertEqual([mid for _t, _p, mid in received], [6, 7, 8])
