"""A minimal MQTT 5 client for the benchmarks' load and echo: CONNECT,
SUBSCRIBE, PUBLISH at QoS 0 or 1 both ways, PUBACK, PINGREQ.

Why not paho: paho-mqtt costs about 250 us of CPU per frame and round trip
on this machine (a socket send per packet plus a wake-up byte on its socket
pair, Properties and Condition objects per message), so a paho load and echo
sharing 2 cores with the broker top out near 3,000 frames/s, which is where
the old benchmark's ceiling stood. This client writes what is due in one
send and reads everything available in one recv, so that the harness takes
little of the CPU it measures. The listener under test keeps paho.

Single-threaded: the owner calls ``poll()`` in its loop."""

import select
import socket
import struct
import time
from collections import deque

CONNECT, CONNACK, PUBLISH, PUBACK, SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT = (
    0x10, 0x20, 0x30, 0x40, 0x82, 0x90, 0xC0, 0xD0, 0xE0)
RECEIVE_MAXIMUM = 0x21


class MqttError(ConnectionError):
    pass


def varint(value):
    out = bytearray()
    while True:
        byte, value = value % 128, value // 128
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def read_varint(buffer, pos):
    """(value, next position), or (None, pos) when the buffer ends first."""
    value, shift = 0, 0
    while pos < len(buffer):
        byte = buffer[pos]
        value += (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 21:
            raise MqttError("malformed variable byte integer")
    return None, pos


def string(text):
    data = text.encode() if isinstance(text, str) else text
    return struct.pack("!H", len(data)) + data


def packet(first_byte, body):
    return bytes([first_byte]) + varint(len(body)) + body


def _properties(data, pos, end):
    """{identifier: value} of the numeric properties (the others skipped)."""
    length, pos = read_varint(data, pos)
    stop, found = pos + length, {}
    sizes = {0x01: 1, 0x02: 4, 0x11: 4, 0x13: 2, 0x21: 2, 0x22: 2, 0x23: 2, 0x24: 1, 0x25: 1, 0x27: 4,
             0x28: 1, 0x29: 1, 0x2A: 1}
    while pos < stop:
        identifier = data[pos]
        pos += 1
        if identifier in sizes:
            size = sizes[identifier]
            found[identifier] = int.from_bytes(data[pos:pos + size], "big")
            pos += size
        elif identifier == 0x0B:  # subscription identifier
            found[identifier], pos = read_varint(data, pos)
        elif identifier == 0x26:  # user property: two strings
            for _pair in range(2):
                pos += 2 + struct.unpack_from("!H", data, pos)[0]
        else:  # one string or binary
            pos += 2 + struct.unpack_from("!H", data, pos)[0]
    return found, stop


class Connection:
    """One MQTT 5 connection. ``on_message(topic: bytes, payload: bytes)`` is
    called for each PUBLISH received; ``publish()`` queues a frame, written by
    the next ``flush()`` / ``poll()``. QoS 1 publishes beyond the broker's
    receive maximum wait in a local queue until a PUBACK frees a place."""

    def __init__(self, host, port, client_id, *, keepalive=60, timeout=20.0, on_message=None):
        self.on_message = on_message or (lambda topic, payload: None)
        self.keepalive = keepalive
        self.out = bytearray()
        self.inbuf = bytearray()
        self.inflight = set()
        self.waiting = deque()
        self.next_id = 0
        self.refused = 0  # PUBACKs with a failure reason code
        self.pending_subscribe = set()
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        body = string("MQTT") + bytes([5, 0x02]) + struct.pack("!H", keepalive) + b"\x00" + string(client_id)
        self.sock.sendall(packet(CONNECT, body))
        self.receive_maximum = None
        deadline = time.monotonic() + timeout
        self.sock.setblocking(False)
        self.last_write = time.monotonic()
        while self.receive_maximum is None:
            if time.monotonic() > deadline:
                raise MqttError(f"no CONNACK from {host}:{port}")
            self.poll(0.05)

    # writing ------------------------------------------------------------------

    def _packet_id(self):
        while True:
            self.next_id = self.next_id % 65535 + 1
            if self.next_id not in self.inflight:
                return self.next_id

    def publish(self, topic, payload, qos=1):
        topic = topic.encode() if isinstance(topic, str) else topic
        payload = payload.encode() if isinstance(payload, str) else payload
        if qos == 0:
            self.out += packet(PUBLISH, string(topic) + b"\x00" + payload)
        elif len(self.inflight) < self.receive_maximum and not self.waiting:
            self._publish1(topic, payload)
        else:
            self.waiting.append((topic, payload))

    def _publish1(self, topic, payload):
        packet_id = self._packet_id()
        self.inflight.add(packet_id)
        self.out += packet(PUBLISH | 0x02, string(topic) + struct.pack("!H", packet_id) + b"\x00" + payload)

    def subscribe(self, filters, qos=1, timeout=20.0):
        """Subscribe to ``filters`` (500 per SUBSCRIBE) and wait for the SUBACKs."""
        filters = list(filters)
        for start in range(0, len(filters), 500):
            packet_id = self._packet_id()
            self.pending_subscribe.add(packet_id)
            body = struct.pack("!H", packet_id) + b"\x00" + b"".join(
                string(f) + bytes([qos]) for f in filters[start:start + 500])
            self.out += packet(SUBSCRIBE, body)
        deadline = time.monotonic() + timeout
        while self.pending_subscribe:
            if time.monotonic() > deadline:
                raise MqttError("no SUBACK from the broker")
            self.poll(0.05)

    def flush(self):
        if self.out:
            try:
                sent = self.sock.send(self.out)
            except BlockingIOError:
                return
            except OSError as error:
                raise MqttError(f"connection lost: {error}") from error
            del self.out[:sent]
            self.last_write = time.monotonic()

    # reading ------------------------------------------------------------------

    def poll(self, timeout=0.0):
        """Write what is queued, read what arrived (waiting up to ``timeout``
        for something to read), handle it."""
        self.flush()
        if self.keepalive and time.monotonic() - self.last_write > self.keepalive / 2:
            self.out += packet(PINGREQ, b"")
            self.flush()
        readable, _w, _x = select.select([self.sock], [self.sock] if self.out else [], [], timeout)
        if readable:
            try:
                while True:
                    data = self.sock.recv(1 << 18)
                    if not data:
                        raise MqttError("the broker closed the connection")
                    self.inbuf += data
                    if len(data) < (1 << 18):
                        break
            except BlockingIOError:
                pass
            except OSError as error:
                raise MqttError(f"connection lost: {error}") from error
            self._handle()
        self.flush()

    def _handle(self):
        data, pos = self.inbuf, 0
        while pos + 2 <= len(data):
            length, start = read_varint(data, pos + 1)
            if length is None or start + length > len(data):
                break
            kind, end = data[pos], start + length
            if kind & 0xF0 == PUBLISH:
                qos = (kind >> 1) & 3
                topic_length = struct.unpack_from("!H", data, start)[0]
                topic = bytes(data[start + 2:start + 2 + topic_length])
                cursor = start + 2 + topic_length
                if qos:
                    packet_id = data[cursor:cursor + 2]
                    cursor += 2
                properties_length, cursor = read_varint(data, cursor)
                payload = bytes(data[cursor + properties_length:end])
                if qos:
                    self.out += b"\x40\x02" + packet_id
                self.on_message(topic, payload)
            elif kind == PUBACK:
                self.inflight.discard(struct.unpack_from("!H", data, start)[0])
                if length > 2 and data[start + 2] >= 0x80:
                    self.refused += 1
                while self.waiting and len(self.inflight) < self.receive_maximum:
                    self._publish1(*self.waiting.popleft())
            elif kind == CONNACK:
                if data[start + 1]:
                    raise MqttError(f"the broker refused the connection (reason code {data[start + 1]:#x})")
                found, _p = _properties(data, start + 2, end)
                self.receive_maximum = found.get(RECEIVE_MAXIMUM, 65535)
            elif kind == SUBACK:
                self.pending_subscribe.discard(struct.unpack_from("!H", data, start)[0])
                _found, cursor = _properties(data, start + 2, end)
                if any(code >= 0x80 for code in data[cursor:end]):
                    raise MqttError("the broker refused a subscription")
            elif kind == DISCONNECT:
                raise MqttError(f"the broker disconnected us (reason code {data[start] if length else 0:#x})")
            pos = end
        del data[:pos]

    def idle(self):
        """Nothing left to write, nothing in flight."""
        return not self.out and not self.inflight and not self.waiting

    def close(self):
        try:
            self.sock.setblocking(True)
            self.sock.settimeout(1)
            self.sock.sendall(bytes(self.out) + packet(DISCONNECT, b""))
        except OSError:
            pass
        finally:
            self.sock.close()
