"""One charging session on a connector: the energy it delivers over
simulated time, and the OCPP ``meterValue`` samples that describe it."""
import math

# measurand -> (unit, location, format of the value)
MEASURANDS = {
    "Energy.Active.Import.Register": ("Wh", "Outlet", "{:.0f}"),
    "Power.Active.Import": ("W", "Outlet", "{:.0f}"),
    "Power.Offered": ("W", "Outlet", "{:.0f}"),
    "Current.Import": ("A", "Outlet", "{:.1f}"),
    "Current.Offered": ("A", "Outlet", "{:.1f}"),
    "Voltage": ("V", "Outlet", "{:.1f}"),
    "SoC": ("Percent", "EV", "{:.0f}"),
    "Temperature": ("Celsius", "Body", "{:.1f}"),
}
DEFAULT_MEASURANDS = (
    "Energy.Active.Import.Register", "Power.Active.Import", "Current.Import",
    "Voltage", "SoC", "Temperature",
)
STEP_S = 5.0  # integration step, simulated seconds


def sampled_value(measurand, value, context):
    unit, location, pattern = MEASURANDS[measurand]
    return {
        "value": pattern.format(value), "context": context, "measurand": measurand,
        "location": location, "unit": unit,
    }


def register_sample(timestamp, register_wh, context="Trigger"):
    """A meterValue with the energy register only (a connector without session)."""
    return {
        "timestamp": timestamp,
        "sampledValue": [sampled_value("Energy.Active.Import.Register", math.floor(register_wh), context)],
    }


class Session:
    """Charging of ``vehicle`` on ``connector`` from ``meter_start`` (Wh).

    ``advance_to(t, cap_w)`` integrates the power curve up to simulated time
    ``t`` (POSIX seconds), never above ``cap_w`` (the connector's share of the
    pile). The meter register (``meter_wh``) only grows.
    """

    def __init__(self, connector, id_tag, meter_start, started_at, vehicle, curve, electrical,
                 remote=False, sequence=0):
        self.connector = connector
        self.sequence = sequence      # the pile's number for the session (events, stats)
        self.id_tag = id_tag
        self.meter_start = int(meter_start)
        self.started_at = started_at
        self.vehicle = vehicle
        self.curve = curve
        self.electrical = electrical
        self.remote = remote
        self.start_soc = vehicle.soc
        self.transaction_id = None
        self.clock = started_at       # simulated time of the last advance
        self.elapsed_s = 0.0          # time spent charging (the vehicle not full yet)
        self.energy_wh = 0.0
        self.power_w = 0.0
        self.offered_w = 0.0
        self.stop_reason = None
        self.stopped_at = None
        self.last_sample = None

    @property
    def meter_wh(self):
        # the epsilon keeps float sums such as 49.99999999 from losing a Wh
        return self.meter_start + math.floor(self.energy_wh + 1e-6)

    @property
    def full(self):
        return self.vehicle.full

    def advance_to(self, moment, cap_w):
        """Deliver energy until ``moment``; returns the Wh delivered."""
        delivered = 0.0
        remaining = moment - self.clock
        self.offered_w = cap_w
        while remaining > 1e-9:
            step = min(STEP_S, remaining)
            power = 0.0
            if not self.vehicle.full:
                power = max(0.0, min(self.curve.power_w(self.elapsed_s, self.vehicle.soc),
                                     self.vehicle.max_power_w, cap_w))
            energy = power * step / 3600.0
            room = (self.vehicle.target_soc - self.vehicle.soc) / 100.0 * self.vehicle.capacity_wh
            if energy > room:
                energy = max(0.0, room)
                self.vehicle.soc = self.vehicle.target_soc
            else:
                self.vehicle.soc += energy / self.vehicle.capacity_wh * 100.0
            if not self.vehicle.full:
                self.elapsed_s += step
            self.energy_wh += energy
            delivered += energy
            self.power_w = power if energy > 0 else 0.0
            self.electrical.heat(self.power_w, step)
            remaining -= step
        self.clock = max(self.clock, moment)
        return delivered

    def sample(self, timestamp, context="Sample.Periodic", measurands=DEFAULT_MEASURANDS):
        """The meterValue of the session now (values of the last advance)."""
        soc = self.vehicle.soc
        readings = {
            "Energy.Active.Import.Register": self.meter_wh,
            "Power.Active.Import": self.power_w,
            "Power.Offered": self.offered_w,
            "Current.Import": self.electrical.current(soc, self.power_w),
            "Current.Offered": self.electrical.current(soc, self.offered_w),
            "Voltage": self.electrical.voltage(soc, self.power_w),
            "SoC": soc,
            "Temperature": self.electrical.temperature_c,
        }
        values = [sampled_value(name, readings[name], context)
                  for name in measurands if name in readings]
        if not values:
            values = [sampled_value("Energy.Active.Import.Register", self.meter_wh, context)]
        self.last_sample = {"timestamp": timestamp, "sampledValue": values}
        return self.last_sample
