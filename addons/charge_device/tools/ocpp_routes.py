"""Which device action goes to which handler, in the spirit of the ``ocpp``
library's ``@on(Action)`` routing, but as a table: handlers are methods of an
Odoo model that higher addons override through inheritance, and a decorator
attribute would not survive an override.

A handler receives the device context and the validated payload and returns
the CALLRESULT payload.
"""

import json

# Frequent device actions, handled together per batch with set-based SQL.
HOT_ACTIONS = frozenset({"Heartbeat", "StatusNotification", "MeterValues"})


def is_hot_frame(raw):
    """Whether ``raw`` (a payload as received, not yet validated) looks like a
    CALL of a frequent action: the listener processes those apart, before the
    others of their batch. Anything else, malformed frames included, is not."""
    try:
        frame = json.loads(raw)
    except (ValueError, TypeError, RecursionError):  # RecursionError: a hostile frame nested too deep
        return False
    return (isinstance(frame, list) and len(frame) >= 3 and frame[0] == 2 and isinstance(frame[2], str)
            and frame[2] in HOT_ACTIONS)

# The other device actions, one by one through the ORM: action -> handler name.
DEVICE_ROUTES = {
    "BootNotification": "_ocpp_boot_notification",
    "Authorize": "_ocpp_authorize",
    "StartTransaction": "_ocpp_start_transaction",
    "StopTransaction": "_ocpp_stop_transaction",
    "DataTransfer": "_ocpp_data_transfer",
    "FirmwareStatusNotification": "_ocpp_firmware_status_notification",
    "DiagnosticsStatusNotification": "_ocpp_diagnostics_status_notification",
}

DEVICE_ACTIONS = HOT_ACTIONS | set(DEVICE_ROUTES)

# Platform-initiated commands (CALL down): the pile answers with a CALLRESULT.
COMMAND_ACTIONS = (
    "RemoteStartTransaction", "RemoteStopTransaction", "Reset", "UnlockConnector",
    "ChangeAvailability", "TriggerMessage", "GetConfiguration", "ChangeConfiguration",
    "DataTransfer", "ReserveNow", "CancelReservation", "SendLocalList", "GetLocalListVersion",
)

# The platform's own vendor id for DataTransfer extensions.
VENDOR_ID = "charge_ops"


def up_topic(prefix, serial):
    return f"{prefix}/{serial}/up"


def down_topic(prefix, serial):
    return f"{prefix}/{serial}/down"


def parse_up_topic(topic):
    """``(prefix, serial)`` of ``{prefix}/{serial}/up``, or None for any other topic."""
    prefix, sep, rest = topic.rpartition("/")
    if not sep or rest != "up":
        return None
    prefix, sep, serial = prefix.rpartition("/")
    if not sep or not prefix or not serial:
        return None
    return prefix, serial
