"""Pile faults decoded into platform alarm codes.

A pile reports a fault in an OCPP 1.6 StatusNotification with two fields:

- ``errorCode``: one of the OCPP ``ChargePointErrorCode`` values
  (alarm codes 2001-2015, ``NoError`` raises none);
- ``vendorErrorCode``: on Chinese piles, the decimal fault bitmask also shown on
  their segment screens, e.g. ``"0033"`` = 1 + 32 = no earth + meter fault
  (alarm codes 1001-1011 for bits 0-10, 1099 for the reserved bits 11-15).

The platform raises its own alarms too (5001-5003). :data:`ALARM_TYPES` is the
single list of alarm codes: ``data/charge_alarm_type_data.xml`` holds one
``charge.alarm.type`` record per entry, with the same level and source.
"""
import re
from typing import NamedTuple

from odoo.addons.charge_base.tools.coded_error import CodedError

LEVELS = ("general", "serious", "critical")
SOURCES = ("ocpp", "vendor", "platform")
VENDOR_MAX = 0xFFFF  # 16-bit field, bits 11-15 reserved
VENDOR_KNOWN_BITS = 11
_DIGITS = re.compile(r"[0-9]+")


class AlarmType(NamedTuple):
    code: str  # platform alarm code
    key: str  # OCPP errorCode for "ocpp", English fault name otherwise
    level: str  # one of LEVELS
    source: str  # one of SOURCES
    name: str  # English name (the charge.alarm.type name)
    bit: int = None  # bit of the vendor bitmask, for "vendor" entries


ALARM_TYPES = (
    AlarmType("1001", "no_ground", "critical", "vendor", "No earth", 0),
    AlarmType("1002", "relay_stuck", "critical", "vendor", "Relay welded", 1),
    AlarmType("1003", "over_current", "critical", "vendor", "Over-current", 2),
    AlarmType("1004", "over_voltage", "serious", "vendor", "Input over-voltage", 3),
    AlarmType("1005", "under_voltage", "general", "vendor", "Input under-voltage", 4),
    AlarmType("1006", "meter_fault", "serious", "vendor", "Meter fault", 5),
    AlarmType("1007", "emergency_stop", "serious", "vendor", "Emergency stop", 6),
    AlarmType("1008", "cp_error", "general", "vendor", "Control pilot (CP) error", 7),
    AlarmType("1009", "over_temp", "serious", "vendor", "Over-temperature", 8),
    AlarmType("1010", "leakage", "critical", "vendor", "Leakage current", 9),
    AlarmType("1011", "leakage_selftest", "serious", "vendor", "Leakage self-test failure", 10),
    AlarmType("1099", "unknown_vendor_fault", "general", "vendor", "Unknown vendor fault"),
    AlarmType("2001", "ConnectorLockFailure", "serious", "ocpp", "Connector lock failure"),
    AlarmType("2002", "EVCommunicationError", "general", "ocpp", "Vehicle communication error"),
    AlarmType("2003", "GroundFailure", "critical", "ocpp", "Ground failure"),
    AlarmType("2004", "HighTemperature", "serious", "ocpp", "High temperature"),
    AlarmType("2005", "InternalError", "serious", "ocpp", "Internal error"),
    AlarmType("2006", "LocalListConflict", "general", "ocpp", "Local authorization list conflict"),
    AlarmType("2007", "OtherError", "general", "ocpp", "Other error"),
    AlarmType("2008", "OverCurrentFailure", "critical", "ocpp", "Over-current failure"),
    AlarmType("2009", "OverVoltage", "serious", "ocpp", "Over-voltage"),
    AlarmType("2010", "PowerMeterFailure", "serious", "ocpp", "Power meter failure"),
    AlarmType("2011", "PowerSwitchFailure", "critical", "ocpp", "Power switch (relay) failure"),
    AlarmType("2012", "ReaderFailure", "general", "ocpp", "Card reader failure"),
    AlarmType("2013", "ResetFailure", "general", "ocpp", "Reset failure"),
    AlarmType("2014", "UnderVoltage", "general", "ocpp", "Under-voltage"),
    AlarmType("2015", "WeakSignal", "general", "ocpp", "Weak signal"),
    AlarmType("5001", "offline", "general", "platform", "Device offline"),
    AlarmType("5002", "boot_rejected", "general", "platform", "Boot rejected"),
    AlarmType("5003", "invalid_frames", "general", "platform", "Invalid frames received repeatedly"),
)

BY_CODE = {alarm.code: alarm for alarm in ALARM_TYPES}
OCPP_ALARMS = {alarm.key: alarm for alarm in ALARM_TYPES if alarm.source == "ocpp"}
VENDOR_BIT_ALARMS = {alarm.bit: alarm for alarm in ALARM_TYPES if alarm.bit is not None}
UNKNOWN_VENDOR_FAULT = BY_CODE["1099"]
OFFLINE, BOOT_REJECTED, INVALID_FRAMES = "5001", "5002", "5003"
OCPP_NO_ERROR = "NoError"
OCPP_OTHER_ERROR = "OtherError"


class FaultCodeError(CodedError):
    """A fault code that cannot be decoded."""


def vendor_bitmask(text):
    """The integer value of a decimal vendor fault code such as ``"0033"``."""
    value = (text or "").strip()
    if not _DIGITS.fullmatch(value):
        raise FaultCodeError("not_numeric", f"vendor fault code {text!r} is not a decimal number",
                             value=text)
    number = int(value)
    if number > VENDOR_MAX:
        raise FaultCodeError("out_of_range", f"vendor fault code {number} exceeds {VENDOR_MAX}",
                             value=number, max=VENDOR_MAX)
    return number


def decode_vendor_code(text):
    """The alarm types of the bits set in a vendor fault code, by bit order.

    Reserved bits (11-15) give a single "unknown vendor fault" entry.

    >>> [alarm.key for alarm in decode_vendor_code("0033")]
    ['no_ground', 'meter_fault']
    """
    mask = vendor_bitmask(text)
    alarms = [alarm for bit, alarm in VENDOR_BIT_ALARMS.items() if mask & (1 << bit)]
    if mask >> VENDOR_KNOWN_BITS:
        alarms.append(UNKNOWN_VENDOR_FAULT)
    return alarms


def alarms_for_status(error_code, vendor_error_code=None):
    """The ``(alarm code, detail)`` pairs of a StatusNotification's error fields.

    ``detail`` is the code as the pile sent it (the OCPP error code, or the
    vendor code text). An ``OtherError`` explained by a decodable vendor code
    gives only the vendor alarms; a vendor code that is not a bitmask (another
    vendor's format) gives the unknown vendor fault. Each alarm code appears once.
    """
    alarms = {}
    if error_code and error_code != OCPP_NO_ERROR:
        if error_code not in OCPP_ALARMS:
            raise FaultCodeError("ocpp_code", f"unknown OCPP error code {error_code!r}",
                                 value=error_code)
        alarms[OCPP_ALARMS[error_code].code] = error_code
    vendor = (vendor_error_code or "").strip()
    if vendor:
        try:
            decoded = decode_vendor_code(vendor)
        except FaultCodeError:
            decoded = [UNKNOWN_VENDOR_FAULT]
        if decoded and error_code == OCPP_OTHER_ERROR:
            alarms.pop(OCPP_ALARMS[OCPP_OTHER_ERROR].code)
        for alarm in decoded:
            alarms.setdefault(alarm.code, vendor)
    return list(alarms.items())
