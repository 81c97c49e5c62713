"""Charging physics: how much power a connector delivers to a vehicle, and
the voltage, current and temperature a meter reads meanwhile.

- DC car: ramps up to the maximum in ``ramp_s`` seconds, holds it until
  ``taper_soc`` (80 %), then tapers linearly down to ``floor_ratio`` of the
  maximum at 100 %;
- AC car: constant (the on-board charger's ~7 kW, or less when the pile is
  smaller);
- e-bike socket: constant, a few hundred watts.

Everything is in simulated seconds; nothing here knows about wall time.
"""
import math
import random
from dataclasses import dataclass

AMBIENT_C = 25.0
AC_PHASE_VOLTAGE = 220.0   # China: 220 V single phase, 380 V three phase
THREE_PHASE_ABOVE_W = 7400.0


@dataclass
class Vehicle:
    """The battery on the other end of the cable."""
    capacity_wh: float
    soc: float                  # state of charge, percent
    target_soc: float = 100.0   # the charge ends (EV side) when reached
    max_power_w: float = math.inf

    @property
    def full(self):
        return self.soc >= self.target_soc - 1e-9


class PowerCurve:
    """Power (W) the connector delivers after ``elapsed_s`` of charging at ``soc`` %."""

    def power_w(self, elapsed_s, soc):
        raise NotImplementedError


@dataclass
class DcCurve(PowerCurve):
    max_w: float
    ramp_s: float = 30.0
    taper_soc: float = 80.0
    floor_ratio: float = 0.1

    def power_w(self, elapsed_s, soc):
        ramp = min(1.0, max(0.0, elapsed_s) / self.ramp_s) if self.ramp_s > 0 else 1.0
        if soc <= self.taper_soc:
            taper = 1.0
        else:
            progress = min(1.0, (soc - self.taper_soc) / max(1e-9, 100.0 - self.taper_soc))
            taper = 1.0 - progress * (1.0 - self.floor_ratio)
        return self.max_w * ramp * taper


@dataclass
class ConstantCurve(PowerCurve):
    watts: float

    def power_w(self, elapsed_s, soc):
        return self.watts


def is_dc(kind, current_type, max_power_kw):
    """DC unless told otherwise: e-bike sockets and car piles of 22 kW or
    less (without an explicit current type) are AC."""
    if current_type:
        return current_type.lower() == "dc"
    return kind == "car" and max_power_kw > 22.0


def curve_for(kind, dc, max_power_w):
    if kind == "ebike":
        return ConstantCurve(max_power_w)
    if dc:
        return DcCurve(max_power_w)
    return ConstantCurve(min(max_power_w, 7000.0))


def random_vehicle(kind, dc, rng=None):
    """A plausible vehicle: battery size, start and target state of charge."""
    rng = rng or random.Random()
    if kind == "ebike":
        # 48 V 10-20 Ah packs; the charger brick takes 150-400 W
        return Vehicle(capacity_wh=rng.uniform(480, 960), soc=rng.uniform(5, 40),
                       target_soc=100.0, max_power_w=rng.uniform(150, 400))
    start = rng.uniform(10, 45)
    if dc:
        return Vehicle(capacity_wh=rng.uniform(40_000, 90_000), soc=start,
                       target_soc=rng.uniform(80, 95), max_power_w=rng.uniform(60_000, 150_000))
    return Vehicle(capacity_wh=rng.uniform(40_000, 70_000), soc=start,
                   target_soc=min(100.0, start + rng.uniform(20, 45)), max_power_w=7000.0)


class Electrical:
    """Meter readings for a delivered power: voltage, current, temperature."""

    def __init__(self, kind, dc, rated_w):
        self.kind = kind
        self.dc = dc
        self.rated_w = max(1.0, rated_w)
        self.temperature_c = AMBIENT_C

    def voltage(self, soc, power_w):
        if self.dc:
            # a 96-cell pack: ~330 V empty, ~400 V full
            return 330.0 + 0.7 * max(0.0, min(100.0, soc))
        return AC_PHASE_VOLTAGE

    def current(self, soc, power_w):
        volts = self.voltage(soc, power_w)
        if not self.dc and power_w > THREE_PHASE_ABOVE_W:
            return power_w / (3 * volts)  # per phase
        return power_w / volts

    def heat(self, power_w, dt_s):
        """Move the body temperature towards its steady value for ``power_w``."""
        steady = AMBIENT_C + 20.0 * min(1.0, power_w / self.rated_w)
        self.temperature_c += (steady - self.temperature_c) * (1.0 - math.exp(-dt_s / 600.0))
        return self.temperature_c
