"""Time-of-use periods of a car tariff, on a 30-minute grid covering one day.

A time-of-use (TOU) tariff splits the local day (00:00-24:00 in the tariff's
time zone) into periods, each with a price band: sharp, peak, flat or valley.
The periods must tile the day exactly: bounds on the 30-minute grid, no
overlap, no gap. A standard tariff has a single all-day band, "standard"
(handled by :mod:`.pricing`, not accepted here).

Errors are :class:`TariffError` with one of the codes of :data:`ERROR_CODES`.
"""
from bisect import bisect_right
from dataclasses import dataclass

BANDS = ("standard", "sharp", "peak", "flat", "valley")
TOU_BANDS = BANDS[1:]
GRID_MINUTES = 30
DAY_MINUTES = 1440

ERROR_CODES = {
    "no_periods": "a time-of-use tariff needs at least one period",
    "grid": "a period bound is not on the 30-minute grid of the day (params start, end: 'HH:MM')",
    "empty_period": "a period ends at or before its start (params start, end: 'HH:MM')",
    "band": "unknown price band (params band, and start, end: 'HH:MM' of its period)",
    "overlap": "two periods overlap (params first, second: 'HH:MM-HH:MM')",
    "gap": "part of the day is not covered by any period (params start, end: 'HH:MM')",
}


class TariffError(ValueError):
    """An invalid tariff or invalid session facts.

    ``code`` names the rule that failed and ``params`` its values, so that the
    caller can phrase the message in the user's language; the English message
    is for logs and tests.
    """

    def __init__(self, code, message, **params):
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Period:
    """One period of the day, in local wall-clock minutes: [start_minute, end_minute)."""

    start_minute: int  # 0..1410, multiple of 30
    end_minute: int  # 30..1440, multiple of 30, > start
    band: str  # one of TOU_BANDS


def minute_label(minute):
    """``"HH:MM"`` of a minute of the day; 1440 gives ``"24:00"``.

    >>> minute_label(450), minute_label(1440)
    ('07:30', '24:00')
    """
    sign = "-" if minute < 0 else ""
    hours, minutes = divmod(abs(int(minute)), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def period_label(period):
    """``"HH:MM-HH:MM"`` of a period."""
    return f"{minute_label(period.start_minute)}-{minute_label(period.end_minute)}"


def _is_grid_minute(value, lowest, highest):
    """True when ``value`` is an integer minute in [lowest, highest] on the 30-minute grid."""
    return (isinstance(value, int) and not isinstance(value, bool)
            and lowest <= value <= highest and value % GRID_MINUTES == 0)


def _check_period(period):
    """Raise TariffError when one period, on its own, is invalid."""
    start, end = period.start_minute, period.end_minute
    if not (_is_grid_minute(start, 0, DAY_MINUTES) and _is_grid_minute(end, 0, DAY_MINUTES)):
        raise TariffError(
            "grid", f"period {start!r}-{end!r}: bounds must be whole half hours between 00:00 and 24:00",
            start=_safe_label(start), end=_safe_label(end),
        )
    if end <= start:
        raise TariffError(
            "empty_period", f"period {period_label(period)} ends at or before its start",
            start=minute_label(start), end=minute_label(end),
        )
    if period.band not in TOU_BANDS:
        raise TariffError(
            "band", f"period {period_label(period)}: unknown band {period.band!r}", band=period.band,
            start=minute_label(start), end=minute_label(end),
        )


def _safe_label(value):
    """``"HH:MM"`` of a numeric minute (fractions truncated), else its repr."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
        return minute_label(int(value))
    return repr(value)


def check_periods(periods):
    """Sorted periods if they cover 00:00-24:00 exactly on the 30-minute grid; TariffError otherwise.

    ``periods`` is an iterable of :class:`Period` (or of ``(start, end, band)`` triples).
    """
    periods = tuple(p if isinstance(p, Period) else Period(*p) for p in periods or ())
    if not periods:
        raise TariffError("no_periods", "a time-of-use tariff needs at least one period")
    for period in periods:
        _check_period(period)
    ordered = tuple(sorted(periods, key=lambda p: (p.start_minute, p.end_minute)))
    covered_until = 0
    for previous, period in zip((None,) + ordered, ordered):
        if previous is not None and period.start_minute < previous.end_minute:
            raise TariffError(
                "overlap", f"periods {period_label(previous)} and {period_label(period)} overlap",
                first=period_label(previous), second=period_label(period),
            )
        if period.start_minute > covered_until:
            _raise_gap(covered_until, period.start_minute)
        covered_until = period.end_minute
    if covered_until < DAY_MINUTES:
        _raise_gap(covered_until, DAY_MINUTES)
    return ordered


def _raise_gap(start, end):
    """Raise the "gap" error for the uncovered local interval [start, end)."""
    raise TariffError(
        "gap", f"no period covers {minute_label(start)}-{minute_label(end)}",
        start=minute_label(start), end=minute_label(end),
    )


def period_at(periods, minute):
    """The period of sorted, day-covering ``periods`` that contains the local ``minute`` (may be fractional)."""
    starts = [period.start_minute for period in periods]
    index = bisect_right(starts, minute) - 1
    if index < 0 or minute >= periods[index].end_minute:
        raise TariffError("gap", f"no period covers minute {minute}",
                          start=_safe_label(minute), end=_safe_label(minute))
    return periods[index]
