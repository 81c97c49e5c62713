"""Reading OCPP 1.6 payload values: times, meter samples, statuses."""
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


def parse_time(text):
    """Naive UTC datetime of an ISO 8601 time (what Odoo stores)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def format_time(value):
    """ISO 8601 UTC text of a naive UTC datetime, as OCPP wants it."""
    return value.replace(microsecond=0).isoformat() + "Z"


def read_samples(meter_values):
    """One dict per OCPP MeterValue: ``timestamp`` plus the known measurands
    (per phase values are summed for power and current, averaged for voltage;
    samples of other locations than the outlet are ignored)."""
    rows = []
    for meter_value in meter_values:
        row = {"timestamp": parse_time(meter_value["timestamp"])}
        phases = {}
        for sample in meter_value.get("sampledValue", []):
            measurand = sample.get("measurand", "Energy.Active.Import.Register")
            if measurand not in _MEASURANDS or sample.get("location", "Outlet") not in ("Outlet", "Body", "EV"):
                continue
            column, units = _MEASURANDS[measurand]
            factor = units.get(sample.get("unit", _DEFAULT_UNITS[column]))
            try:
                value = float(sample["value"]) * factor
            except (TypeError, ValueError):
                continue
            phases.setdefault(column, []).append(value)
        for column, values in phases.items():
            if column == "energy_wh":
                row[column] = values[-1]
            elif column in ("power_w", "current_a"):
                row[column] = sum(values)
            else:
                row[column] = sum(values) / len(values)
        rows.append(row)
    return rows
