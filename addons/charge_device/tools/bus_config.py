"""Settings of the device bus, read from the ``[charge_device]`` section of
the Odoo configuration file (Odoo itself only reads ``[options]``).

    [charge_device]
    mqtt_host = localhost
    mqtt_port = 1883
    mqtt_username = charge_platform
    mqtt_password =
    listener_group = charge_listener
    batch_size = 200
    batch_ms = 50
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
    listener_group: str = "charge_listener"
    batch_size: int = 200
    batch_ms: int = 50
    # folder where the broker's password and ACL files are written
    broker_dir: str = ""


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
