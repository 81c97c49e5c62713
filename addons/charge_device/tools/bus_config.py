"""Settings of the device bus, read from the ``[charge_device]`` section of
the Odoo configuration file (Odoo itself only reads ``[options]``).

    [charge_device]
    mqtt_host = localhost
    mqtt_port = 1883
    mqtt_username = charge_platform
    mqtt_password =
    listener_group =
    batch_size = 200
    batch_ms = 50
    receive_maximum = 0
    broker_dir =
    broker_auth_secret =
"""
import configparser
from dataclasses import dataclass, fields

SECTION = "charge_device"


@dataclass(frozen=True)
class BusConfig:
    mqtt_host: str = "localhost"
    mqtt_port: int = 1883
    mqtt_username: str = "charge_platform"
    mqtt_password: str = ""
    # shared subscription group of the listeners: a secret (a pile that knew
    # it could join the group and swallow its turn of the frames); empty =
    # generated once and kept in the database, like the platform's password
    listener_group: str = ""
    batch_size: int = 200
    batch_ms: int = 50
    # frames the broker may send a listener before it acknowledges them (the
    # MQTT 5 Receive Maximum of its connection): the broker keeps the rest;
    # 0 = twice batch_size (one batch processed while the next one fills)
    receive_maximum: int = 0
    # folder where the broker's password and ACL files are written
    broker_dir: str = ""
    # shared secret of a broker that asks the platform over HTTP who may log
    # in and what each may do (controllers/broker_auth.py), instead of reading
    # the files; empty = that endpoint refuses every request
    broker_auth_secret: str = ""


def load(path):
    """BusConfig from the config file at ``path`` (defaults for what is missing)."""
    parser = configparser.RawConfigParser()
    if path:
        parser.read([path])
    values = {}
    if parser.has_section(SECTION):
        for field in fields(BusConfig):
            if parser.has_option(SECTION, field.name):
                raw = parser.get(SECTION, field.name).strip()
                values[field.name] = int(raw) if field.type is int else raw
    return BusConfig(**values)
