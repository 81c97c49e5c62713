"""Reading OCPP 1.6 payload values: times, meter samples, statuses."""
import math
from datetime import datetime, timezone

# OCPP ChargePointStatus -> charge.connector status
CONNECTOR_STATUS = {
    "Available": "available",
    "Preparing": "preparing",
    "Charging": "charging",
    "SuspendedEV": "suspended_ev",
    "SuspendedEVSE": "suspended_evse",
    "Finishing": "finishing",
    "Reserved": "reserved",
    "Unavailable": "unavailable",
    "Faulted": "faulted",
}

# measurand -> (column, unit conversions to the column's unit)
_MEASURANDS = {
    "Energy.Active.Import.Register": ("energy_wh", {"Wh": 1.0, "kWh": 1000.0}),
    "Power.Active.Import": ("power_w", {"W": 1.0, "kW": 1000.0}),
    "Current.Import": ("current_a", {"A": 1.0}),
    "Voltage": ("voltage_v", {"V": 1.0}),
    "SoC": ("soc", {"Percent": 1.0}),
    "Temperature": ("temperature_c", {"Celsius": 1.0, "Celcius": 1.0}),
}
# unit assumed when the sample gives none (OCPP 1.6 defaults)
_DEFAULT_UNITS = {
    "energy_wh": "Wh", "power_w": "W", "current_a": "A", "voltage_v": "V", "soc": "Percent",
    "temperature_c": "Celsius",
}
SAMPLE_COLUMNS = ("energy_wh", "power_w", "current_a", "voltage_v", "soc", "temperature_c")
# Plausible range of each stored column, in the column's unit: a sampled value
# outside it (or not a finite number) is dropped (readme/PROTOCOL.md, *Limits*).
# The energy register must fit the sessions' integer meter columns (PostgreSQL int4).
VALUE_RANGES = {
    "energy_wh": (0.0, 2 ** 31 - 1.0),
    "power_w": (-5e6, 5e6),          # megawatt charging stays under 4 MW
    "current_a": (-5000.0, 5000.0),
    "voltage_v": (0.0, 2000.0),
    "soc": (0.0, 100.0),
    "temperature_c": (-60.0, 200.0),
}
MAX_VALUE_LENGTH = 40  # characters of a sampled value's text


def parse_time(text):
    """Naive UTC datetime of an ISO 8601 time (what Odoo stores)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def format_time(value):
    """ISO 8601 UTC text of a naive UTC datetime, as OCPP wants it."""
    return value.replace(microsecond=0).isoformat() + "Z"


def sample_value(sample):
    """``(column, value)`` of an OCPP SampledValue the platform stores, in the
    column's unit; None for one it ignores (another measurand, location or
    unit, signed data). Raises ValueError when the value of a stored sample is
    not a finite number within the column's VALUE_RANGES."""
    measurand = sample.get("measurand", "Energy.Active.Import.Register")
    if (measurand not in _MEASURANDS or sample.get("location", "Outlet") not in ("Outlet", "Body", "EV")
            or sample.get("format", "Raw") != "Raw"):
        return None
    column, units = _MEASURANDS[measurand]
    factor = units.get(sample.get("unit", _DEFAULT_UNITS[column]))
    if factor is None:
        return None
    text = sample.get("value")
    if not isinstance(text, str) or len(text) > MAX_VALUE_LENGTH:
        raise ValueError(f"{measurand}: not a number")
    value = float(text) * factor  # ValueError when not a number
    low, high = VALUE_RANGES[column]
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{measurand}: {text[:20]} is out of range")
    return column, value


def read_samples(meter_values):
    """One dict per OCPP MeterValue: ``timestamp`` plus the known measurands
    (per phase values are summed for power and current, averaged for voltage;
    samples of other locations than the outlet are ignored, and so are values
    that are not finite numbers within their VALUE_RANGES)."""
    rows = []
    for meter_value in meter_values:
        row = {"timestamp": parse_time(meter_value["timestamp"])}
        phases = {}
        for sample in meter_value.get("sampledValue", []):
            try:
                reading = sample_value(sample)
            except ValueError:
                continue
            if reading:
                phases.setdefault(reading[0], []).append(reading[1])
        for column, values in phases.items():
            if column == "energy_wh":
                row[column] = values[-1]
            elif column in ("power_w", "current_a"):
                row[column] = sum(values)
            else:
                row[column] = sum(values) / len(values)
        rows.append(row)
    return rows
