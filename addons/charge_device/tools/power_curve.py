"""The power curve of a charging session: power, energy and state of charge
over time, from its meter samples, as the session and order forms draw it.

Every sample is a point (a 2-hour session sampled each minute draws its 120
points); a session with more samples than ``MAX_POINTS`` is drawn on
``MAX_POINTS`` consecutive buckets: the mean power of the bucket, and the
energy and SoC of its last sample, labelled with the bucket's last time."""

from dataclasses import dataclass
from datetime import datetime

MAX_POINTS = 720


@dataclass(frozen=True)
class Sample:
    at: datetime          # local time of the sample
    energy_wh: float      # energy register (0: not reported)
    power_w: float
    soc: float            # % (0: not reported)


def _labels(times):
    """HH:MM, with seconds when two points fall in the same minute, and the
    day when the points span more than one day."""
    fmt = "%H:%M"
    if len({(t.year, t.month, t.day) for t in times}) > 1:
        fmt = "%m-%d %H:%M"
    minutes = [t.strftime(fmt) for t in times]
    if len(set(minutes)) < len(minutes):
        fmt += ":%S"
    return [t.strftime(fmt) for t in times]


def _buckets(samples, max_points):
    if len(samples) <= max_points:
        return [[sample] for sample in samples]
    size = len(samples) / max_points
    return [samples[int(i * size):int((i + 1) * size)] for i in range(max_points)]


def curve(samples, meter_start_wh, max_points=MAX_POINTS):
    """The chart data of ``samples`` (in time order) of a session that started
    on the register ``meter_start_wh``: ``{labels, power_kw, energy_kwh, soc}``,
    one value per point; energy and SoC are None where the pile did not report them."""
    points = []
    for bucket in _buckets(list(samples), max_points):
        energies = [s.energy_wh for s in bucket if s.energy_wh]
        socs = [s.soc for s in bucket if s.soc]
        points.append((
            bucket[-1].at,
            round(sum(s.power_w or 0.0 for s in bucket) / len(bucket) / 1000.0, 2),
            round(max(energies[-1] - meter_start_wh, 0) / 1000.0, 3) if energies else None,
            round(socs[-1], 1) if socs else None,
        ))
    return {
        "labels": _labels([point[0] for point in points]),
        "power_kw": [point[1] for point in points],
        "energy_kwh": [point[2] for point in points],
        "soc": [point[3] for point in points],
    }
