"""MQTT connections of the platform (paho-mqtt 2.x, MQTT 5)."""
import socket
import threading
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


class PublishError(Exception):
    pass


def new_client(config, client_id, *, manual_ack=False):
    """A paho client with the platform's credentials, not yet connected."""
    client = mqtt.Client(
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
