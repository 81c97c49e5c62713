"""The energy curve of a session and its pieces by local tariff period: the
time side of :mod:`.pricing`.

Made for speed as much as for exactness (thousands of sessions a second):

- the UTC instants of a day's period boundaries are computed once per
  (zone, periods, local day) and kept (:class:`DayBounds`), instead of a
  time zone conversion per boundary per session;
- a session's samples are read as they come: in the usual case (times
  strictly increasing in one fixed-offset zone, registers floats or small
  integers) they are neither sorted, nor converted to microseconds, nor to
  Decimal; only the two points around each period boundary are converted,
  when the curve is read there. Any other input (unsorted or repeated
  times, zones with daylight saving, registers given as text or Decimal)
  takes the general path, which gives the same curve.

The curve's registers are converted to Decimal exactly as
:func:`.tariff_values.as_decimal` does (a float through its shortest text
form), so the results do not depend on the path taken. Errors are
:class:`.tou_grid.TariffError`.
"""
import math
from bisect import bisect_left, bisect_right
from datetime import datetime, time, timedelta, timezone
from decimal import Context, Decimal
from itertools import islice
from operator import attrgetter, le, lt
from zoneinfo import ZoneInfo

from .tariff_values import as_decimal
from .tou_grid import TariffError, period_at

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)
_ONE_SECOND = timedelta(seconds=1)
_ONE_DAY = timedelta(days=1)
# energy interpolation and splitting: ample digits, results quantized afterwards
CONTEXT = Context(prec=40)

_AT = attrgetter("at")
_ENERGY = attrgetter("energy_wh")
_TZINFO = attrgetter("tzinfo")
# zones of IANA whose offset never changes (besides datetime.timezone instances)
_FIXED_ZONE_KEYS = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"})
# integers up to 2**53 are exact floats: they order against floats as their Decimals do
_EXACT_LIMIT = 2 ** 53
_PLAIN_NUMBERS = frozenset({float, int})


def micros(moment):
    """Microseconds since the epoch of an aware datetime."""
    return (moment - EPOCH) // ONE_MICROSECOND


def moment_of(micros_since_epoch):
    """The aware UTC datetime of microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=micros_since_epoch)


def meter_wh(value, field_name):
    """A meter register (Wh) as a Decimal; TariffError "meter_value" when it is not a finite number."""
    if isinstance(value, float) and not math.isfinite(value):
        raise TariffError("meter_value", f"{field_name} is {value!r}", field=field_name, value=str(value))
    try:
        return as_decimal(value, field_name)
    except TariffError:
        raise TariffError("meter_value", f"{field_name} is {value!r}", field=field_name, value=str(value)) from None


def _register_decimal(value):
    """The Decimal of a register already checked (float, int or Decimal), as :func:`meter_wh` gives it."""
    return Decimal(repr(value)) if type(value) is float else Decimal(value)


def sample_times(samples):
    """The times of ``samples`` as a list, or None when ``samples`` is not a tuple or a list."""
    return list(map(_AT, samples)) if isinstance(samples, (tuple, list)) else None


def common_zone(times):
    """The tzinfo that every item of ``times`` (datetimes, not of a subclass) has, else None."""
    count = len(times)
    if not count or list(map(type, times)).count(datetime) != count:
        return None
    zone = times[0].tzinfo
    return zone if list(map(_TZINFO, times)).count(zone) == count else None


def is_fixed_zone(zone):
    """True for a zone whose offset never changes."""
    return isinstance(zone, timezone) or (isinstance(zone, ZoneInfo) and zone.key in _FIXED_ZONE_KEYS)


def all_aware(times, zone=None):
    """True when every item of ``times`` is a datetime with an offset, as seen from their
    :func:`common_zone` ``zone`` (computed when not given); False does not mean that one
    is naive: the caller then checks them one by one."""
    if not times:
        return True
    if zone is None:
        zone = common_zone(times)
    return isinstance(zone, (timezone, ZoneInfo))


def _plain_registers(values):
    """True when ``values`` are finite floats or integers within +-2**53 (not bools): their
    order is that of their Decimals, so the curve can compare them unconverted."""
    try:
        return (set(map(type, values)) <= _PLAIN_NUMBERS and -_EXACT_LIMIT <= min(values)
                and max(values) <= _EXACT_LIMIT and math.isfinite(sum(values)))
    except (TypeError, ValueError, OverflowError):
        return False


class EnergyCurve:
    """The cumulative energy E(t) of a session: linear interpolation between meter points.

    ``times`` are aware datetimes in the fixed-offset ``zone``, strictly increasing
    except that the first and the last (the session's start and stop) may be equal;
    ``values`` the registers (Wh) at those times: plain numbers (see
    :func:`_plain_registers`) or Decimals, converted when read (:meth:`energy`).
    """

    __slots__ = ("times", "values", "zone")

    def __init__(self, times, values, zone=UTC):
        self.times = times
        self.values = values
        self.zone = zone

    @classmethod
    def from_facts(cls, facts, times=None, zone=None):
        """Points (start, meter_start), the samples strictly inside (last one per instant), (stop, meter_stop).

        ``times`` are the samples' times when the caller already listed them, ``zone`` their
        :func:`common_zone` when it has been computed. TariffError
        "meter_value" for a register inside the session, then the start's, then the stop's,
        that is not a finite number.
        """
        samples = facts.samples
        if not isinstance(samples, (tuple, list)):
            return cls._from_any_facts(facts)
        if times is None:
            times = list(map(_AT, samples))
        if not times:
            zone = UTC
        elif zone is None:
            zone = common_zone(times)
        if not is_fixed_zone(zone) or not all(map(lt, times, islice(times, 1, None))):
            return cls._from_any_facts(facts)
        start, stop = facts.start.astimezone(zone), facts.stop.astimezone(zone)
        first, end = bisect_right(times, start), bisect_left(times, stop)
        inside = list(map(_ENERGY, samples[first:end])) if end > first else []
        values = [facts.meter_start_wh, *inside, facts.meter_stop_wh]
        if not _plain_registers(values):
            values = [meter_wh(value, f"samples[{first + index}].energy_wh") for index, value in enumerate(inside)]
            values = [meter_wh(facts.meter_start_wh, "meter_start_wh"), *values,
                      meter_wh(facts.meter_stop_wh, "meter_stop_wh")]
        return cls([start, *times[first:end], stop], values, zone)

    @classmethod
    def _from_any_facts(cls, facts):
        """:meth:`from_facts` for samples in any order and zone (sorted by instant, the last one per instant)."""
        start, stop = micros(facts.start), micros(facts.stop)
        inside = {}
        for index, sample in enumerate(facts.samples):
            moment = micros(sample.at)
            if start < moment < stop:
                inside[moment] = meter_wh(sample.energy_wh, f"samples[{index}].energy_wh")
        values = [meter_wh(facts.meter_start_wh, "meter_start_wh")]
        ordered = sorted(inside.items())
        values += [energy for _moment, energy in ordered]
        values.append(meter_wh(facts.meter_stop_wh, "meter_stop_wh"))
        times = [moment_of(start), *(moment_of(moment) for moment, _energy in ordered), moment_of(stop)]
        return cls(times, values, UTC)

    def energy(self, index):
        """The register (Wh, Decimal) of the point ``index``."""
        return _register_decimal(self.values[index])

    def first_decrease(self):
        """The instant (aware UTC) of the first point whose energy is below the previous point's, or None."""
        values = self.values
        if all(map(le, values, islice(values, 1, None))):
            return None
        for index in range(1, len(values)):
            if values[index] < values[index - 1]:
                return moment_of(micros(self.times[index]))
        return None

    def energy_at(self, moment):
        """E(t) in Wh at the aware datetime ``moment`` (clamped to the session)."""
        times = self.times
        moment = moment.astimezone(self.zone)
        index = bisect_right(times, moment) - 1
        if index < 0:
            return self.energy(0)
        if index >= len(times) - 1:
            return self.energy(-1)
        before, after = times[index], times[index + 1]
        e0, e1 = self.energy(index), self.energy(index + 1)
        context = CONTEXT
        elapsed = Decimal((moment - before) // ONE_MICROSECOND)
        span = Decimal((after - before) // ONE_MICROSECOND)
        return context.add(e0, context.divide(context.multiply(context.subtract(e1, e0), elapsed), span))


# ---------------------------------------------------------------------------
# Local period boundaries


def local_to_utc(day, minute, zone):
    """The UTC instant of local ``day`` + ``minute`` (0..1440) in ``zone``.

    An ambiguous local time (clocks set back) is its first occurrence; a local time
    that does not exist (clocks set forward) is the instant of the jump, so the
    periods inside the jump last zero seconds.
    """
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    instant = naive.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant
    return _jump_instant(naive, zone)


def _jump_instant(naive, zone):
    """The first instant whose local time is at or after ``naive``, a local time skipped by the clocks."""
    candidates = sorted(naive.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    before, after = candidates
    while after - before > _ONE_SECOND:
        middle = before + ((after - before) // _ONE_SECOND // 2) * _ONE_SECOND
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            after = middle
        else:
            before = middle
    return after


class DayBounds:
    """The UTC instants of the period boundaries of sorted, day-covering ``periods`` in
    ``zone``, computed once per local day and kept (:func:`day_bounds` shares them)."""

    MAX_DAYS = 4096

    def __init__(self, periods, zone):
        self.periods = tuple(periods)
        self.zone = zone
        self._days = {}

    def of(self, day):
        """``(first instant, last instant, ((band, start, stop), ...))`` of the local ``day``."""
        bounds = self._days.get(day)
        if bounds is None:
            cache = {}
            pieces = []
            for period in self.periods:
                for minute in (period.start_minute, period.end_minute):
                    if minute not in cache:
                        cache[minute] = local_to_utc(day, minute, self.zone)
                pieces.append((period.band, cache[period.start_minute], cache[period.end_minute]))
            instants = cache.values()
            bounds = (min(instants), max(instants), tuple(pieces)) if pieces else (None, None, ())
            if len(self._days) >= self.MAX_DAYS:
                self._days.clear()
            self._days[day] = bounds
        return bounds

    def pieces(self, start, stop):
        """``(band, piece_start, piece_stop)`` in UTC: [start, stop] cut at every local period boundary.

        Walks day by day in local time (from the day before the start to the day after the
        stop) so that sessions over midnight, over several days or over DST changes work.
        Pieces of zero duration are dropped.
        """
        zone = self.zone
        start, stop = start.astimezone(UTC), stop.astimezone(UTC)
        day = start.astimezone(zone).date() - _ONE_DAY
        last_day = stop.astimezone(zone).date() + _ONE_DAY
        pieces = []
        while day <= last_day:
            first, last, bounds = self.of(day)
            day += _ONE_DAY
            if not bounds or last <= start or first >= stop:
                continue
            for band, piece_start, piece_stop in bounds:
                if piece_start < start:
                    piece_start = start
                if piece_stop > stop:
                    piece_stop = stop
                if piece_start < piece_stop:
                    pieces.append((band, piece_start, piece_stop))
        return pieces


_DAY_BOUNDS = {}
_MAX_TABLES = 256


def day_bounds(periods, zone):
    """The shared :class:`DayBounds` of ``periods`` (sorted, covering the day) in ``zone``."""
    key = (zone, tuple(periods))
    table = _DAY_BOUNDS.get(key)
    if table is None:
        if len(_DAY_BOUNDS) >= _MAX_TABLES:
            _DAY_BOUNDS.clear()
        table = _DAY_BOUNDS[key] = DayBounds(key[1], zone)
    return table


def period_pieces(periods, zone, start, stop):
    """``(band, piece_start, piece_stop)`` in UTC of [start, stop] cut at every local
    boundary of the sorted, day-covering ``periods`` (see :meth:`DayBounds.pieces`)."""
    return iter(day_bounds(periods, zone).pieces(start, stop))


def band_at(periods, zone, moment):
    """The band of the local time of ``moment``."""
    local = moment.astimezone(zone)
    return period_at(periods, local.hour * 60 + local.minute).band
