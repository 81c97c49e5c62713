"""MQTT connections of the platform (paho-mqtt 2.x, MQTT 5)."""
import socket
import threading
import uuid
from collections import deque
from contextlib import contextmanager

import paho.mqtt.client as mqtt
from paho.mqtt import _packet as paho_packet
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.properties import Properties

# bytes a listener reads from its socket at once (paho reads a packet's header a byte at a time)
READ_CHUNK = 1 << 16
# how long the network thread waits for its owner to make room before it looks at its socket again
READ_PAUSE = 0.01


class PublishError(Exception):
    pass


class SharedTablesProperties(Properties):
    """paho's Properties, whose constructor builds its three lookup tables
    (dozens of lists and dicts) for every packet received: about half of the
    CPU a listener spent per message. These share one copy of the tables
    (paho only reads them); everything else is paho's."""

    _tables = None

    def __init__(self, packetType):  # noqa: N803 - paho's name
        tables = SharedTablesProperties._tables
        if tables is None:
            model = Properties(packetType)
            tables = SharedTablesProperties._tables = (model.types, model.names, model.properties)
        object.__setattr__(self, "packetType", packetType)
        object.__setattr__(self, "types", tables[0])
        object.__setattr__(self, "names", tables[1])
        object.__setattr__(self, "properties", tables[2])

    def clear(self):
        # paho's looks each of the 27 property names up (``unpack`` starts with it): the same, on what is set
        for name in [name for name in vars(self) if name not in _PROPERTIES_OWN]:
            delattr(self, name)


_PROPERTIES_OWN = frozenset(("packetType", "types", "names", "properties"))


def use_shared_properties():
    """The packets paho decodes get SharedTablesProperties (for the whole
    process: the listener's; a no-op if paho's decoder moved)."""
    if getattr(paho_packet, "Properties", None) is Properties:
        paho_packet.Properties = SharedTablesProperties


class BatchingClient(mqtt.Client):
    """paho's client with less work per message, for the listener, which
    receives, acknowledges and answers thousands of messages a second:

    - the properties of the packets it receives share their lookup tables
      (SharedTablesProperties);
    - reads: paho reads each packet in three or more ``recv`` calls (its type,
      its length a byte at a time, its body); this client reads what the
      socket holds in one call and serves paho's small reads from it;
    - writes: inside ``batched_writes()``, the acknowledgements and QoS 1
      publishes of the calling thread are gathered and handed to the network
      thread as one write at the end, instead of one ``send`` and one wake-up
      of the network thread each. Gathered packets of a connection that was
      lost meanwhile are dropped: paho sends the QoS 1 publishes again on the
      next connection, and acknowledgements belong to the connection their
      message came on;
    - in-flight limit: paho scans every message it keeps (up to the broker's
      Receive Maximum, 1,000 with mosquitto) at each PUBACK it receives, to
      find one waiting for its turn: the more replies in flight, the more
      each PUBACK cost (15 % of an overloaded listener's network thread).
      This client keeps the waiting messages in a queue of their own: the
      same order, one look per PUBACK;
    - a read gate (``read_gate``: ``is_open()``, ``wait_open(timeout)``, e.g.
      tools/inbox.py Inbox): while it is closed the client reads no further
      packet from its socket (it still writes), so that a broker that sends
      more than the connection's Receive Maximum cannot swamp the listener:
      the excess stays with the broker and in the socket's buffers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_shared_properties()
        self._read_sock = None
        self._read_buffer = b""
        self._read_pos = 0
        self._batching = None  # (thread id, socket, [packets]) while batched_writes() runs
        self._waiting_mids = deque()  # QoS > 0 publishes left queued by the in-flight limit, in order
        self.read_gate = None

    # reads -----------------------------------------------------------------

    def _sock_recv(self, bufsize):
        if self._read_sock is not self._sock:  # a new connection: nothing read yet
            self._read_sock, self._read_buffer, self._read_pos = self._sock, b"", 0
        if self._read_pos >= len(self._read_buffer):
            data = super()._sock_recv(READ_CHUNK)
            if len(data) <= bufsize:
                return data
            self._read_buffer, self._read_pos = data, 0
        start = self._read_pos
        self._read_pos = min(start + bufsize, len(self._read_buffer))
        return self._read_buffer[start:self._read_pos]

    def buffered(self):
        """Bytes read from the socket that paho has not processed yet."""
        return len(self._read_buffer) - self._read_pos if self._read_sock is self._sock else 0

    def loop_read(self, max_packets=1):
        gate = self.read_gate
        if gate is not None and not gate.is_open():
            # the socket stays readable, so select() returns at once: what is due is written
            # (the acks of the batch that will make room among them), then room awaited a moment
            if self.want_write():
                rc = self.loop_write()
                if rc:
                    return rc
            if not gate.wait_open(READ_PAUSE):
                return MQTTErrorCode.MQTT_ERR_SUCCESS
        # paho reads a bounded number of packets, then waits on select(): the
        # packets already in the buffer would wait for the next bytes to arrive
        rc = super().loop_read(max_packets)
        while (rc == MQTTErrorCode.MQTT_ERR_SUCCESS and self._sock is not None and self.buffered()
               and (gate is None or gate.is_open())):
            rc = super().loop_read(max_packets)
        return rc

    def _packet_read(self):
        # a closed gate stops paho's reading between two packets (as if the socket were empty)
        gate = self.read_gate
        if gate is not None and self._in_packet["command"] == 0 and not gate.is_open():
            return MQTTErrorCode.MQTT_ERR_AGAIN
        return super()._packet_read()

    # in-flight limit --------------------------------------------------------

    def publish(self, topic, payload=None, qos=0, retain=False, properties=None):
        with self._out_message_mutex:  # a reentrant lock: paho's publish takes it again
            info = super().publish(topic, payload, qos, retain, properties)
            message = self._out_messages.get(info.mid) if qos else None
            if message is not None and message.state == mqtt.mqtt_ms_queued:
                self._waiting_mids.append(info.mid)
            return info

    def _messages_reconnect_reset_out(self):
        with self._out_message_mutex:
            super()._messages_reconnect_reset_out()
            self._waiting_mids = deque(mid for mid, message in self._out_messages.items()
                                       if message.state == mqtt.mqtt_ms_queued)

    def _update_inflight(self):
        # paho's, without its scan: the queued messages in the order they were published
        # (called with _out_message_mutex held, on each PUBACK)
        waiting = self._waiting_mids
        while waiting and (self._max_inflight_messages == 0
                           or self._inflight_messages < self._max_inflight_messages):
            message = self._out_messages.get(waiting.popleft())
            if message is None or message.qos == 0 or message.state != mqtt.mqtt_ms_queued:
                continue
            self._inflight_messages += 1
            message.state = mqtt.mqtt_ms_wait_for_puback if message.qos == 1 else mqtt.mqtt_ms_wait_for_pubrec
            rc = self._send_publish(message.mid, message.topic.encode("utf-8"), message.payload, message.qos,
                                    message.retain, message.dup, properties=message.properties)
            if rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                return rc
        return MQTTErrorCode.MQTT_ERR_SUCCESS

    # writes ----------------------------------------------------------------

    @contextmanager
    def batched_writes(self):
        """Acknowledgements and QoS 1 publishes of this thread written at once on leaving."""
        self._batching = (threading.get_ident(), self._sock, [])
        try:
            yield
        finally:
            _thread, sock, packets = self._batching
            self._batching = None
            if packets and sock is not None and sock is self._sock:
                super()._packet_queue(mqtt.PUBACK, b"".join(packets), 0, 0)

    def _packet_queue(self, command, packet, mid, qos, info=None):
        batching = self._batching
        # only on the connection the batch began on: what comes after a reconnection goes paho's way
        if (batching is not None and batching[0] == threading.get_ident() and self._sock is batching[1]
                and ((command & 0xF0) == mqtt.PUBACK or ((command & 0xF0) == mqtt.PUBLISH and qos == 1))):
            batching[2].append(bytes(packet))
            return MQTTErrorCode.MQTT_ERR_SUCCESS
        return super()._packet_queue(command, packet, mid, qos, info)


def new_client(config, client_id, *, manual_ack=False, batching=False):
    """A paho client with the platform's credentials, not yet connected
    (a BatchingClient with ``batching``)."""
    client = (BatchingClient if batching else mqtt.Client)(
        callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id,
        protocol=mqtt.MQTTv5, manual_ack=manual_ack,
    )
    if config.mqtt_username:
        client.username_pw_set(config.mqtt_username, config.mqtt_password or None)
    return client


def set_nodelay(client):
    """Send small frames at once (no Nagle delay): a pile waits for each answer."""
    sock = client.socket()
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Publisher:
    """One connection per process for the commands that Odoo workers send
    after their transaction commits. Thread-safe; connects on first use."""

    _lock = threading.Lock()
    _shared = None

    def __init__(self, config):
        self.config = config
        self.client = None

    @classmethod
    def shared(cls, config):
        with cls._lock:
            if cls._shared is None or cls._shared.config != config:
                cls._shared = cls(config)
            return cls._shared

    def _connect(self):
        client = new_client(self.config, f"charge-odoo-{uuid.uuid4().hex[:12]}")
        client.connect(self.config.mqtt_host, self.config.mqtt_port, keepalive=60)
        set_nodelay(client)
        client.loop_start()
        self.client = client

    def publish(self, messages, timeout=5.0):
        """Publish ``(topic, text)`` pairs with QoS 1 and wait for the broker's acknowledgements."""
        with self._lock:
            try:
                if self.client is None or not self.client.is_connected():
                    if self.client is not None:
                        self.client.loop_stop()
                    self._connect()
                infos = [self.client.publish(topic, text, qos=1) for topic, text in messages]
                for info in infos:
                    info.wait_for_publish(timeout)
                    if not info.is_published():
                        raise PublishError("the broker did not acknowledge the message in time")
            except (OSError, ValueError, RuntimeError, mqtt.WebsocketConnectionError) as error:
                self.client = None
                raise PublishError(str(error)) from error
