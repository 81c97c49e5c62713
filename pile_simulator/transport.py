"""How a pile reaches the platform: the Transport interface and its MQTT
implementation (paho-mqtt 2.x driven by the simulator's event loop).

A transport carries text frames: ``publish`` sends one on the pile's up
topic, the listener's ``transport_message`` receives those of its down topic.
It tells its listener (the pile) when the link comes up or goes down:

- ``transport_connected(session_present)``
- ``transport_disconnected(reason)``
- ``transport_connect_failed(reason)`` (refused, unreachable; it retries)
- ``transport_message(text)`` (bytes or str)

``open`` keeps the link up (reconnecting with a backoff after a loss) until
``close`` (a clean MQTT DISCONNECT) or ``abort`` (an abrupt loss without
DISCONNECT, as when a pile loses power or its network).
"""
import concurrent.futures
import logging
import random
import socket

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

_logger = logging.getLogger(__name__)

# abort() modes
ABORT_CLOSE = "close"    # the TCP connection is closed without MQTT DISCONNECT
ABORT_SILENT = "silent"  # the pile goes mute; the broker only notices by keep-alive


class Transport:
    """Interface of a pile's link to the platform."""

    listener = None
    connected = False

    @property
    def closed(self):
        """True once no connection is left open (a DISCONNECT has been written)."""
        return not self.connected

    def bind(self, listener):
        self.listener = listener

    def open(self):
        """Connect, and stay connected (reconnect after losses) until close/abort."""
        raise NotImplementedError

    def close(self):
        """Disconnect cleanly and stay disconnected."""
        raise NotImplementedError

    def abort(self, mode=ABORT_CLOSE):
        """Lose the link abruptly and stay disconnected."""
        raise NotImplementedError

    def publish(self, text):
        """Send one frame on the pile's up topic (QoS 1)."""
        raise NotImplementedError

    def publish_to(self, topic, text):
        """Send ``text`` on any topic; a Future resolved with the broker's
        acknowledgement reason code (0 = accepted, 135 = not authorized...)."""
        raise NotImplementedError

    def shutdown(self):
        """Release resources for good (the transport is not used again)."""


class MqttTransport(Transport):
    """MQTT 5 link of one pile: client id and username = serial, persistent
    session (clean start off, session expiry), QoS 1 both ways."""

    def __init__(self, loop, client_id, username, password, up_topic, down_topic,
                 host="localhost", port=1883, keepalive=60, session_expiry=3600,
                 tls=None, reconnect_min=1.0, reconnect_max=30.0, connect_timeout=5.0,
                 rng=None):
        self.loop = loop
        self.up_topic = up_topic
        self.down_topic = down_topic
        self.host = host
        self.port = port
        self.reconnect_min = reconnect_min
        self.reconnect_max = reconnect_max
        self.rng = rng or random.Random()
        self.connected = False
        self.last_error = None
        self.connect_failures = 0
        self._wanted = False
        self._retry_handle = None
        self._misc_handle = None
        self._muted_socket = None
        self._acks = {}

        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5,
            reconnect_on_failure=False,
        )
        client.username_pw_set(username, password)
        client.connect_timeout = connect_timeout
        if tls:
            client.tls_set(**(tls if isinstance(tls, dict) else {}))
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = int(session_expiry)
        client.connect_async(host, port, keepalive=keepalive, clean_start=False, properties=properties)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.on_socket_open = self._on_socket_open
        client.on_socket_close = self._on_socket_close
        client.on_socket_register_write = self._on_socket_register_write
        client.on_socket_unregister_write = self._on_socket_unregister_write
        self.client = client

    # Transport API ---------------------------------------------------------

    @property
    def closed(self):
        return self.client.socket() is None or self._muted_socket is not None

    def open(self):
        self._wanted = True
        if not self.connected and self._retry_handle is None:
            self._connect()

    def close(self):
        self._wanted = False
        self._cancel_retry()
        if self.connected:
            self.connected = False
            self.client.disconnect()  # DISCONNECT is written, then paho closes the socket
            if self.listener:
                self.listener.transport_disconnected("closed")
        else:
            self._drop_socket()

    def abort(self, mode=ABORT_CLOSE):
        self._wanted = False
        self._cancel_retry()
        sock = self.client.socket()
        was_connected = self.connected
        self.connected = False
        if sock is not None:
            if mode == ABORT_SILENT:
                # stop reading, writing and pinging; the socket stays open and mute
                self._unwatch(sock)
                self._muted_socket = sock
            else:
                try:
                    sock.shutdown(socket.SHUT_RDWR)  # FIN without DISCONNECT; paho sees EOF
                except OSError:
                    pass
        if was_connected and self.listener:
            self.listener.transport_disconnected(f"aborted ({mode})")

    def publish(self, text):
        info = self.client.publish(self.up_topic, text.encode("utf-8"), qos=1)
        return info.mid

    def publish_to(self, topic, text):
        future = concurrent.futures.Future()
        info = self.client.publish(topic, text.encode("utf-8") if isinstance(text, str) else text, qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS and not self.connected:
            future.set_exception(ConnectionError(mqtt.error_string(info.rc)))
        else:
            self._acks[info.mid] = future
        return future

    def shutdown(self):
        self._wanted = False
        self._cancel_retry()
        self._drop_socket()

    # connection -------------------------------------------------------------

    def _connect(self):
        self._retry_handle = None
        if not self._wanted:
            return
        if self._muted_socket is not None:
            self._muted_socket = None  # reconnect() closes the mute socket
        try:
            self.client.reconnect()
        except (OSError, ValueError) as error:
            self._connect_failed(error)

    def _connect_failed(self, error):
        self.connect_failures += 1
        self.last_error = str(error)
        if self.listener:
            self.listener.transport_connect_failed(str(error))
        self._schedule_retry()

    def _schedule_retry(self):
        if not self._wanted or self._retry_handle is not None:
            return
        failures = max(1, self.connect_failures)
        delay = min(self.reconnect_max, self.reconnect_min * 2 ** (failures - 1))
        self._retry_handle = self.loop.call_later(delay * self.rng.uniform(0.5, 1.0), self._connect)

    def _cancel_retry(self):
        if self._retry_handle is not None:
            self._retry_handle.cancel()
            self._retry_handle = None

    def _drop_socket(self):
        sock = self.client.socket()
        if sock is not None:
            self._unwatch(sock)
            try:
                sock.close()
            except OSError:
                pass
        self._muted_socket = None

    def _unwatch(self, sock):
        self.loop.remove_reader(sock)
        self.loop.remove_writer(sock)
        if self._misc_handle is not None:
            self._misc_handle.cancel()
            self._misc_handle = None

    # paho callbacks (on the loop thread) ------------------------------------

    def _on_connect(self, client, _userdata, flags, reason_code, _properties):
        if reason_code.is_failure:
            # the broker closes the connection; _on_disconnect schedules the retry
            self._connect_failed(f"CONNACK {reason_code}")
            return
        self.connect_failures = 0
        self.last_error = None
        self.connected = True
        client.subscribe(self.down_topic, qos=1)
        if self.listener:
            self.listener.transport_connected(bool(flags.session_present))

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties):
        for future in self._acks.values():
            if not future.done():
                future.set_exception(ConnectionError("disconnected before the acknowledgement"))
        self._acks.clear()
        if self.connected:
            self.connected = False
            if self.listener:
                self.listener.transport_disconnected(str(reason_code))
        self._schedule_retry()

    def _on_message(self, _client, _userdata, message):
        if message.topic == self.down_topic and self.listener:
            self.listener.transport_message(message.payload)

    def _on_publish(self, _client, _userdata, mid, reason_code, _properties):
        future = self._acks.pop(mid, None)
        if future is not None and not future.done():
            future.set_result(int(getattr(reason_code, "value", reason_code)))

    def _on_socket_open(self, client, _userdata, sock):
        if hasattr(sock, "setsockopt"):
            try:  # small frames, answered one at a time: Nagle would add ~40 ms a round trip
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        self.loop.add_reader(sock, self._read)
        self._misc_handle = self.loop.call_later(1.0, self._misc)

    def _on_socket_close(self, _client, _userdata, sock):
        self._unwatch(sock)

    def _on_socket_register_write(self, _client, _userdata, sock):
        self.loop.add_writer(sock, self._write)

    def _on_socket_unregister_write(self, _client, _userdata, sock):
        self.loop.remove_writer(sock)

    def _read(self):
        self.client.loop_read()

    def _write(self):
        self.client.loop_write()

    def _misc(self):
        self._misc_handle = None
        if self.client.loop_misc() == mqtt.MQTT_ERR_SUCCESS and self.client.socket() is not None:
            self._misc_handle = self.loop.call_later(1.0, self._misc)
