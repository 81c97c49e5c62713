"""Labels of the OCPP 1.6 values the platform stores as the piles send them.

The listener writes the values as text (error codes, stop reasons, firmware
and diagnostics statuses, frame actions and codes), cheaply and whatever a
vendor sends; the models show them to the clerks through a computed selection
(``<field>_label``, see ``label_key``) whose labels Odoo translates. A value
the lists do not know (a vendor's own) is shown as UNKNOWN next to the text.
"""

UNKNOWN = "unknown"
_UNKNOWN_LABEL = (UNKNOWN, "Other (see the reported value)")

# StopTransaction.reason, and the platform's own reason of an order settled by hand
STOP_REASONS = [
    ("Local", "Stopped at the Pile"),
    ("Remote", "Stopped Remotely"),
    ("EVDisconnected", "Vehicle Unplugged"),
    ("DeAuthorized", "Card Not Authorized"),
    ("EmergencyStop", "Emergency Stop"),
    ("HardReset", "Pile Hard Reset"),
    ("SoftReset", "Pile Soft Reset"),
    ("Reboot", "Pile Rebooted"),
    ("PowerLoss", "Power Loss"),
    ("UnlockCommand", "Connector Unlocked"),
    ("Other", "Other Reason"),
    ("SettledByOperator", "Settled by the Operator"),
    _UNKNOWN_LABEL,
]

# StatusNotification.errorCode (ChargePointErrorCode)
ERROR_CODES = [
    ("NoError", "Normal"),
    ("ConnectorLockFailure", "Connector Lock Failure"),
    ("EVCommunicationError", "Vehicle Communication Error"),
    ("GroundFailure", "Ground Fault"),
    ("HighTemperature", "Over Temperature"),
    ("InternalError", "Internal Error"),
    ("LocalListConflict", "Local List Conflict"),
    ("OtherError", "Other Error"),
    ("OverCurrentFailure", "Over Current"),
    ("OverVoltage", "Over Voltage"),
    ("PowerMeterFailure", "Power Meter Failure"),
    ("PowerSwitchFailure", "Power Switch Failure"),
    ("ReaderFailure", "Card Reader Failure"),
    ("ResetFailure", "Reset Failure"),
    ("UnderVoltage", "Under Voltage"),
    ("WeakSignal", "Weak Signal"),
    _UNKNOWN_LABEL,
]

# FirmwareStatusNotification.status
FIRMWARE_STATUSES = [
    ("Idle", "Idle"),
    ("Downloading", "Downloading"),
    ("Downloaded", "Downloaded"),
    ("DownloadFailed", "Download Failed"),
    ("Installing", "Installing"),
    ("Installed", "Installed"),
    ("InstallationFailed", "Installation Failed"),
    _UNKNOWN_LABEL,
]

# DiagnosticsStatusNotification.status
DIAGNOSTICS_STATUSES = [
    ("Idle", "Idle"),
    ("Uploading", "Uploading"),
    ("Uploaded", "Uploaded"),
    ("UploadFailed", "Upload Failed"),
    _UNKNOWN_LABEL,
]

# the actions of the CALLs a pile sends (the frame log)
PILE_ACTIONS = [
    ("BootNotification", "Boot Notification"),
    ("Heartbeat", "Heartbeat"),
    ("StatusNotification", "Status Notification"),
    ("Authorize", "Card Authorization"),
    ("StartTransaction", "Charge Started"),
    ("MeterValues", "Meter Values"),
    ("StopTransaction", "Charge Stopped"),
    ("DataTransfer", "Data Transfer"),
    ("FirmwareStatusNotification", "Firmware Status"),
    ("DiagnosticsStatusNotification", "Diagnostics Status"),
    _UNKNOWN_LABEL,
]

# the code of a frame the platform refused (CALLERROR codes) or corrected (frame_guard)
FRAME_CODES = [
    ("NotImplemented", "Action Not Implemented"),
    ("NotSupported", "Action Not Supported"),
    ("InternalError", "Internal Error"),
    ("ProtocolError", "Protocol Error"),
    ("SecurityError", "Security Error"),
    ("FormationViolation", "Malformed Frame"),
    ("PropertyConstraintViolation", "Invalid Property Value"),
    ("OccurenceConstraintViolation", "Missing or Repeated Property"),
    ("TypeConstraintViolation", "Invalid Property Type"),
    ("GenericError", "Generic Error"),
    ("Rejected", "Unknown Device"),
    ("ValueDropped", "Value Dropped"),
    ("TimestampReplaced", "Timestamp Replaced"),
    ("MessageIdReused", "Message Id Reused"),
    ("MessageIdReusedAfterBoot", "Message Id Reused After a Reboot"),
    _UNKNOWN_LABEL,
]

# the commands the platform sends (charge.device.command): the OCPP action is what is stored and sent
COMMAND_LABELS = {
    "RemoteStartTransaction": "Remote Start",
    "RemoteStopTransaction": "Remote Stop",
    "Reset": "Reboot",
    "UnlockConnector": "Unlock Connector",
    "ChangeAvailability": "Change Availability",
    "TriggerMessage": "Request a Report",
    "GetConfiguration": "Read Configuration",
    "ChangeConfiguration": "Change Configuration",
    "DataTransfer": "Data Transfer",
    "ReserveNow": "Reserve",
    "CancelReservation": "Cancel Reservation",
    "SendLocalList": "Send Card List",
    "GetLocalListVersion": "Read Card List Version",
}


def label_key(value, selection):
    """The key of ``value`` in ``selection`` (one of the lists above): the
    value itself when the list knows it, UNKNOWN otherwise, False for none."""
    if not value:
        return False
    return value if value != UNKNOWN and any(value == key for key, _label in selection) else UNKNOWN
