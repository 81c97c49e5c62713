"""Pile simulator: virtual charge points speaking OCPP 1.6-J over MQTT
(the protocol: ``addons/charge_device/readme/PROTOCOL.md``), for the demo of
``make run`` and the end-to-end, fault and benchmark tests. A test and demo
tool of the repository, not part of the addons an operator installs. Pure
Python (paho-mqtt; jsonschema and the ``ocpp`` package's schemas for
validation): it never imports Odoo. Its Odoo entry point is the addon
command ``charge_simulator`` (``addons/charge_device/cli/charge_simulator.py``),
which reads the piles and cards from a database. See ``README.md``.

- ``VirtualPile``: one pile (boot, heartbeat, status, sessions, reservations, local
  authorization list and offline starts, commands, faults)
- ``Simulator``: many piles on one event loop, a scenario runner, a summary
- ``Scenario``: N sessions spread over free connectors with random id tags
- ``DemoScenario``: the endless, lively demo of ``make run`` (members' cards,
  occupancies, a refused card, faults)
- ``MemoryTransport`` + ``ManualLoop``: broker-less, deterministic test harness
"""
from .configuration import Configuration, ConfigurationKey
from .curves import ConstantCurve, DcCurve, Electrical, PowerCurve, Vehicle, curve_for, random_vehicle
from .demo import DemoScenario
from .frames import Call, CallError, CallResult, FrameError
from .loop import LoopThread, ManualLoop
from .memory import MemoryTransport
from .outbox import CallDropped, CallFailed, CallTimeout, Outbox
from .pile import AuthorizationRejected, PileError, VirtualPile
from .scenario import Scenario
from .schemas import PayloadError, SchemaValidator
from .session import Session
from .simulator import Simulator
from .stats import PileStats
from .transport import ABORT_CLOSE, ABORT_SILENT, MqttTransport, Transport

__all__ = [
    "ABORT_CLOSE", "ABORT_SILENT", "AuthorizationRejected", "Call", "CallDropped", "CallError",
    "CallFailed", "CallResult", "CallTimeout", "Configuration", "ConfigurationKey", "ConstantCurve",
    "DcCurve", "DemoScenario", "Electrical", "FrameError", "LoopThread", "ManualLoop", "MemoryTransport",
    "MqttTransport", "Outbox", "PayloadError", "PileError", "PileStats", "PowerCurve", "Scenario",
    "SchemaValidator", "Session", "Simulator", "Transport", "Vehicle", "VirtualPile", "curve_for",
    "random_vehicle",
]
