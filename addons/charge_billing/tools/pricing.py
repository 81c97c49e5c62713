"""Pricing engine of car (EV) charging sessions.

A car tariff is either *standard* (one all-day band, "standard") or
*time-of-use* (periods of the local day, each with a band: sharp, peak, flat,
valley; see :mod:`.tou_grid`). Each band has an electricity price and a
service price per kWh (5 decimals). A tariff may add a reservation fee and an
occupancy fee (a fee per started block of minutes the gun stays plugged in
after charging, after some free minutes, optionally capped).

:func:`price_session` cuts a session at every local period boundary, gives each
piece the energy of the interpolated meter curve, quantizes the energies to
the Wh so that they sum exactly to the metered total, and prices them. Each fee
component of the bill (electricity, service, reservation, occupancy) is
rounded half-up to the currency once, at the end, and the lines share each
rounded component by largest remainder, so that they add up to it exactly.

Money is :class:`decimal.Decimal` throughout; floats given as input (meter
registers, prices read from a float field) are converted through their
shortest text form, never computed with.

Errors are :class:`.tou_grid.TariffError` with one of the codes of
:data:`ERROR_CODES` (which includes the period codes of :mod:`.tou_grid`).
"""
import math
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, timezone
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, localcontext
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .tou_grid import ERROR_CODES as PERIOD_ERROR_CODES
from .tariff_values import (SNAPSHOT_FORMAT, as_decimal, check_currency_digits, check_non_negative,
                            check_snapshot_format, is_int, required)
from .tou_grid import BANDS, DAY_MINUTES, Period, TariffError, check_periods, minute_label, period_at

ERROR_CODES = {
    **PERIOD_ERROR_CODES,
    "number": "a value is not a finite number (params field, value)",
    "timezone": "unknown time zone (params timezone)",
    "standard_form": "the band 'standard' is only allowed as the single period 00:00-24:00",
    "band": "unknown band, or a band the tariff does not use (params band)",
    "missing_price": "a band used by the periods has no price (params band)",
    "negative_price": "a price or fee is negative (params field, value)",
    "price_digits": "a price per kWh has more than 5 decimals (params field, value)",
    "currency_digits": "currency digits must be an integer between 0 and 6 (params digits)",
    "occupancy_rule": "occupancy free minutes must be >= 0 and block minutes > 0 (params field, value)",
    "naive_datetime": "a session time has no time zone (params field)",
    "stop_before_start": "the session stops before it starts (params start, stop: ISO 8601)",
    "meter_value": "a meter register is not a finite number (params field, value)",
    "negative_minutes": "occupied minutes cannot be negative (params minutes)",
    "negative_energy": "an energy cannot be negative (params energy)",
    "snapshot": "a tariff snapshot lacks a key or has an unknown format (params key)",
}

STANDARD = "standard"
STANDARD_PERIODS = (Period(0, DAY_MINUTES, STANDARD),)
PRICE_DIGITS = 5
PRICE_STEP = Decimal("0.00001")
ENERGY_STEP = Decimal("0.001")  # kWh, i.e. one Wh
KINDS = ("energy", "reservation", "occupancy")

_UTC = timezone.utc
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)
_ONE_MICROSECOND = timedelta(microseconds=1)
_ONE_SECOND = timedelta(seconds=1)
_CONTEXT = Context(prec=40)  # energy interpolation and splitting: ample digits, results quantized afterwards


def round_money(amount, digits):
    """``amount`` rounded half-up to ``digits`` decimals (the currency's)."""
    return amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class BandPrice:
    """Prices per kWh of one band (5 decimals at most, >= 0)."""

    electricity: Decimal
    service: Decimal

    def __post_init__(self):
        object.__setattr__(self, "electricity", as_decimal(self.electricity, "electricity"))
        object.__setattr__(self, "service", as_decimal(self.service, "service"))


@dataclass(frozen=True)
class OccupancyRule:
    """Fee X per started block of Y minutes occupied after ``free_minutes``, capped when ``cap`` is set."""

    free_minutes: int
    block_minutes: int
    block_fee: Decimal
    cap: Decimal | None = None

    def __post_init__(self):
        object.__setattr__(self, "block_fee", as_decimal(self.block_fee, "block_fee"))
        if self.cap is not None:
            object.__setattr__(self, "cap", as_decimal(self.cap, "cap"))


@dataclass(frozen=True)
class CarTariff:
    """A car tariff: local periods with bands, prices per band, optional reservation and occupancy fees."""

    timezone: str
    periods: tuple
    prices: dict
    tou_service_fee: bool = True
    reservation_fee: Decimal = Decimal(0)
    occupancy: OccupancyRule | None = None
    currency_digits: int = 2

    def __post_init__(self):
        periods = tuple(p if isinstance(p, Period) else Period(*p) for p in self.periods or ())
        object.__setattr__(self, "periods", periods)
        object.__setattr__(self, "prices", dict(self.prices or {}))
        object.__setattr__(self, "reservation_fee", as_decimal(self.reservation_fee, "reservation_fee"))


@dataclass(frozen=True)
class Sample:
    """A reading of the cumulative meter register during a session."""

    at: datetime
    energy_wh: float
    power_w: float | None = None


@dataclass(frozen=True)
class SessionFacts:
    """What the pile reported about one session."""

    start: datetime
    stop: datetime
    meter_start_wh: float
    meter_stop_wh: float
    samples: tuple = ()
    occupancy_minutes: float = 0
    reserved: bool = False


@dataclass(frozen=True)
class BillLine:
    """One line of a bill: the energy of one period occurrence, the reservation fee or the occupancy fee."""

    kind: str
    band: str | None
    start: datetime | None
    stop: datetime | None
    energy_kwh: Decimal
    electricity_price: Decimal
    service_price: Decimal
    electricity_amount: Decimal
    service_amount: Decimal
    amount: Decimal
    quantity: Decimal


@dataclass(frozen=True)
class Bill:
    """A priced session. ``energy_by_band`` has every band of BANDS and sums exactly to ``energy_kwh``,
    except in a ``meter_backwards`` bill (not priced: no lines, all amounts and band energies 0)."""

    lines: tuple
    energy_kwh: Decimal
    energy_by_band: dict
    electricity: Decimal
    service: Decimal
    reservation: Decimal
    occupancy: Decimal
    total: Decimal
    meter_backwards: bool = False
    backwards_at: datetime | None = None


# ---------------------------------------------------------------------------
# Validation of tariffs


def zone_of(tariff):
    """The ZoneInfo of the tariff's time zone, or TariffError "timezone"."""
    try:
        return ZoneInfo(tariff.timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise TariffError("timezone", f"unknown time zone {tariff.timezone!r}",
                          timezone=str(tariff.timezone)) from None


def checked_periods(periods):
    """Sorted periods of a tariff: the standard form, or periods valid for :func:`.tou_grid.check_periods`."""
    periods = tuple(periods or ())
    if periods == STANDARD_PERIODS:
        return periods
    if len(periods) > 1 and any(period.band == STANDARD for period in periods):
        raise TariffError("standard_form", "the band 'standard' is only allowed as the single period 00:00-24:00")
    if len(periods) == 1 and periods[0].band == STANDARD:
        raise TariffError("standard_form", "the band 'standard' must cover 00:00-24:00, not "
                          f"{minute_label(periods[0].start_minute)}-{minute_label(periods[0].end_minute)}")
    return check_periods(periods)


def _check_unit_price(value, field_name):
    """A price per kWh: >= 0 and at most 5 decimals."""
    check_non_negative(value, field_name)
    if value != value.quantize(PRICE_STEP, rounding=ROUND_FLOOR):
        raise TariffError("price_digits", f"{field_name} {value} has more than {PRICE_DIGITS} decimals",
                          field=field_name, value=str(value))


def _check_prices(tariff, periods):
    """Every price known, non-negative, with 5 decimals at most; every used band priced."""
    for band, price in tariff.prices.items():
        if band not in BANDS:
            raise TariffError("band", f"unknown band {band!r} in the prices", band=str(band))
        if not isinstance(price, BandPrice):
            price = BandPrice(*price)
        _check_unit_price(price.electricity, f"{band} electricity price")
        _check_unit_price(price.service, f"{band} service price")
    for band in used_bands(periods):
        if band not in tariff.prices:
            raise TariffError("missing_price", f"the band {band!r} has no price", band=band)


def _check_occupancy(rule):
    """Occupancy rule: free minutes >= 0, block minutes > 0, fee and cap >= 0."""
    if rule is None:
        return
    for field_name, value, lowest in (("free_minutes", rule.free_minutes, 0), ("block_minutes", rule.block_minutes, 1)):
        if not is_int(value) or value < lowest:
            raise TariffError("occupancy_rule", f"occupancy {field_name} must be an integer >= {lowest}, not {value!r}",
                              field=field_name, value=value)
    check_non_negative(rule.block_fee, "occupancy block fee")
    if rule.cap is not None:
        check_non_negative(rule.cap, "occupancy cap")


def check_tariff(tariff):
    """Validate a car tariff; return its periods sorted. Raises TariffError."""
    zone_of(tariff)
    periods = checked_periods(tariff.periods)
    check_currency_digits(tariff.currency_digits)
    _check_prices(tariff, periods)
    check_non_negative(tariff.reservation_fee, "reservation fee")
    _check_occupancy(tariff.occupancy)
    return periods


def used_bands(periods):
    """Bands used by the periods, in the order of BANDS."""
    present = {period.band for period in periods}
    return tuple(band for band in BANDS if band in present)


def effective_prices(tariff):
    """band -> BandPrice actually billed, for the bands the periods use.

    When the pile cannot bill time-of-use service fees (``tou_service_fee`` False),
    every band gets the lowest service price among the used bands.
    """
    return _effective_prices(tariff, check_tariff(tariff))


def _effective_prices(tariff, periods):
    """:func:`effective_prices` of a tariff already validated, whose sorted periods are ``periods``."""
    prices = {band: _band_price(tariff.prices[band]) for band in used_bands(periods)}
    if tariff.tou_service_fee:
        return prices
    lowest = min(price.service for price in prices.values())
    return {band: BandPrice(price.electricity, lowest) for band, price in prices.items()}


def _band_price(price):
    """A BandPrice from a BandPrice or an (electricity, service) pair."""
    return price if isinstance(price, BandPrice) else BandPrice(*price)


# ---------------------------------------------------------------------------
# Occupancy and single-band prices


def occupancy_fee(rule, occupied_minutes):
    """``(blocks, fee)`` for ``occupied_minutes`` (may be fractional) under ``rule``; fee not rounded.

    billable = max(0, occupied - free); blocks = ceil(billable / Y) (a started block is
    charged in full); fee = blocks x X, at most the cap when it is set.
    """
    minutes = as_decimal(occupied_minutes, "occupancy_minutes")
    if minutes < 0:
        raise TariffError("negative_minutes", f"occupied minutes cannot be negative ({minutes})",
                          minutes=str(minutes))
    if rule is None:
        return Decimal(0), Decimal(0)
    _check_occupancy(rule)
    billable = max(Decimal(0), minutes - rule.free_minutes)
    blocks = (billable / rule.block_minutes).to_integral_value(rounding=ROUND_CEILING)
    fee = blocks * rule.block_fee
    if rule.cap is not None:
        fee = min(fee, rule.cap)
    return blocks, fee


def quantize_energy(energy_kwh):
    """Energy rounded half-up to the Wh (0.001 kWh)."""
    return energy_kwh.quantize(ENERGY_STEP, rounding=ROUND_HALF_UP)


def _energy_line(band, start, stop, energy, price, digits, exact_kwh=None):
    """A BillLine of ``energy`` kWh at ``price``; line amounts (rounded for
    display) come from ``exact_kwh``, the unquantized energy, when given."""
    priced = energy if exact_kwh is None else exact_kwh
    electricity_amount = round_money(priced * price.electricity, digits)
    service_amount = round_money(priced * price.service, digits)
    return BillLine(
        kind="energy", band=band, start=start, stop=stop, energy_kwh=energy,
        electricity_price=price.electricity.quantize(PRICE_STEP),
        service_price=price.service.quantize(PRICE_STEP),
        electricity_amount=electricity_amount, service_amount=service_amount,
        amount=electricity_amount + service_amount, quantity=energy,
    )


def _fee_line(kind, quantity, fee, digits):
    """A reservation or occupancy BillLine."""
    zero_money = round_money(Decimal(0), digits)
    return BillLine(
        kind=kind, band=None, start=None, stop=None, energy_kwh=Decimal("0.000"),
        electricity_price=Decimal("0.00000"), service_price=Decimal("0.00000"),
        electricity_amount=zero_money, service_amount=zero_money,
        amount=round_money(fee, digits), quantity=Decimal(quantity),
    )


# ---------------------------------------------------------------------------
# Session facts and the energy curve


def _is_aware(moment):
    """True for a datetime with a time zone."""
    return isinstance(moment, datetime) and moment.tzinfo is not None and moment.utcoffset() is not None


def _check_facts(facts):
    """Raise TariffError for facts that cannot be priced (naive times, stop before start, bad registers)."""
    for field_name in ("start", "stop"):
        if not _is_aware(getattr(facts, field_name)):
            raise TariffError("naive_datetime", f"session {field_name} has no time zone", field=field_name)
    for index, sample in enumerate(facts.samples):
        if not _is_aware(sample.at):
            raise TariffError("naive_datetime", f"sample {index} has no time zone", field=f"samples[{index}].at")
    if facts.stop < facts.start:
        raise TariffError("stop_before_start", f"the session stops ({facts.stop.isoformat()}) before it starts "
                          f"({facts.start.isoformat()})", start=facts.start.isoformat(), stop=facts.stop.isoformat())
    occupied = as_decimal(facts.occupancy_minutes, "occupancy_minutes")
    if occupied < 0:
        raise TariffError("negative_minutes", f"occupied minutes cannot be negative ({occupied})",
                          minutes=str(occupied))


def _meter_wh(value, field_name):
    """A meter register (Wh) as a Decimal; TariffError "meter_value" when it is not a finite number."""
    if isinstance(value, float) and not math.isfinite(value):
        raise TariffError("meter_value", f"{field_name} is {value!r}", field=field_name, value=str(value))
    try:
        return as_decimal(value, field_name)
    except TariffError:
        raise TariffError("meter_value", f"{field_name} is {value!r}", field=field_name, value=str(value)) from None


def _micros(moment):
    """Microseconds since the epoch of an aware datetime."""
    return (moment - _EPOCH) // _ONE_MICROSECOND


def _moment(micros):
    """The aware UTC datetime of microseconds since the epoch."""
    return _EPOCH + timedelta(microseconds=micros)


class EnergyCurve:
    """The cumulative energy E(t) of a session: linear interpolation between meter points."""

    def __init__(self, points):
        self.times = [moment for moment, _energy in points]
        self.energies = [energy for _moment_, energy in points]

    @classmethod
    def from_facts(cls, facts):
        """Points (start, meter_start), the samples strictly inside (last one per instant), (stop, meter_stop)."""
        start, stop = _micros(facts.start), _micros(facts.stop)
        inside = {}
        for index, sample in enumerate(facts.samples):
            moment = _micros(sample.at)
            if start < moment < stop:
                inside[moment] = _meter_wh(sample.energy_wh, f"samples[{index}].energy_wh")
        points = [(start, _meter_wh(facts.meter_start_wh, "meter_start_wh"))]
        points += sorted(inside.items())
        points.append((stop, _meter_wh(facts.meter_stop_wh, "meter_stop_wh")))
        return cls(points)

    def first_decrease(self):
        """Micros of the first point whose energy is below the previous point's, or None."""
        for index in range(1, len(self.energies)):
            if self.energies[index] < self.energies[index - 1]:
                return self.times[index]
        return None

    def energy_at(self, micros):
        """E(t) in Wh at ``micros`` (clamped to the session)."""
        index = bisect_right(self.times, micros) - 1
        if index < 0:
            return self.energies[0]
        if index >= len(self.times) - 1:
            return self.energies[-1]
        t0, t1 = self.times[index], self.times[index + 1]
        e0, e1 = self.energies[index], self.energies[index + 1]
        with localcontext(_CONTEXT):
            return e0 + (e1 - e0) * Decimal(micros - t0) / Decimal(t1 - t0)


# ---------------------------------------------------------------------------
# Local period boundaries


def local_to_utc(day, minute, zone):
    """The UTC instant of local ``day`` + ``minute`` (0..1440) in ``zone``.

    An ambiguous local time (clocks set back) is its first occurrence; a local time
    that does not exist (clocks set forward) is the instant of the jump, so the
    periods inside the jump last zero seconds.
    """
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    instant = naive.replace(tzinfo=zone).astimezone(_UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant
    return _jump_instant(naive, zone)


def _jump_instant(naive, zone):
    """The first instant whose local time is at or after ``naive``, a local time skipped by the clocks."""
    candidates = sorted(naive.replace(tzinfo=zone, fold=fold).astimezone(_UTC) for fold in (0, 1))
    before, after = candidates
    while after - before > _ONE_SECOND:
        middle = before + ((after - before) // _ONE_SECOND // 2) * _ONE_SECOND
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            after = middle
        else:
            before = middle
    return after


def period_pieces(periods, zone, start, stop):
    """``(band, piece_start, piece_stop)`` in UTC: [start, stop] cut at every local period boundary.

    Walks day by day in local time (from the day before the start to the day after the
    stop) so that sessions over midnight, over several days or over DST changes work.
    Pieces of zero duration are dropped.
    """
    first_day = start.astimezone(zone).date() - timedelta(days=1)
    last_day = stop.astimezone(zone).date() + timedelta(days=1)
    day = first_day
    while day <= last_day:
        for period in periods:
            piece_start = max(local_to_utc(day, period.start_minute, zone), start)
            piece_stop = min(local_to_utc(day, period.end_minute, zone), stop)
            if piece_start < piece_stop:
                yield period.band, piece_start.astimezone(_UTC), piece_stop.astimezone(_UTC)
        day += timedelta(days=1)


def band_at(periods, zone, moment):
    """The band of the local time of ``moment``."""
    local = moment.astimezone(zone)
    return period_at(periods, local.hour * 60 + local.minute).band


# ---------------------------------------------------------------------------
# Quantization


def split_exactly(raw_values, total_units):
    """Non-negative integers close to ``raw_values`` summing exactly to ``total_units`` (largest remainder).

    Quotas are the raw values scaled to the total; each gets its floor, and the units
    still missing go to the largest fractional parts (ties: the earliest).
    """
    count = len(raw_values)
    if not count:
        return []
    with localcontext(_CONTEXT):
        raw_sum = sum(raw_values, Decimal(0))
        if raw_sum > 0:
            quotas = [value * total_units / raw_sum for value in raw_values]
        else:
            quotas = [Decimal(total_units) / count] * count
        floors = [int(quota.to_integral_value(rounding=ROUND_FLOOR)) for quota in quotas]
        by_remainder = sorted(range(count), key=lambda index: (-(quotas[index] - floors[index]), index))
    missing = total_units - sum(floors)
    for step in range(missing):
        floors[by_remainder[step % count]] += 1
    return floors


# ---------------------------------------------------------------------------
# Sessions


def price_session(tariff, facts):
    """The Bill of a session under a car tariff. Raises TariffError for an invalid tariff or facts."""
    periods = check_tariff(tariff)
    _check_facts(facts)
    prices = _effective_prices(tariff, periods)
    zone = zone_of(tariff)
    curve = EnergyCurve.from_facts(facts)
    with localcontext(_CONTEXT):
        total_kwh = quantize_energy((curve.energies[-1] - curve.energies[0]) / 1000)
    decrease = curve.first_decrease()
    if decrease is not None:
        return _unpriced_bill(tariff, total_kwh, _moment(decrease))
    pieces = _energy_pieces(periods, zone, facts, curve)
    units = split_exactly([energy for *_piece, energy in pieces], int(total_kwh / ENERGY_STEP))
    # amounts come from the exact energies: the quantized ones (which add up
    # to the total for display) could make more energy cost a fen less
    with localcontext(_CONTEXT):
        exact = [raw / 1000 for *_piece, raw in pieces]
    lines = [
        _energy_line(band, piece_start, piece_stop, Decimal(unit) * ENERGY_STEP, prices[band],
                     tariff.currency_digits, exact_kwh)
        for (band, piece_start, piece_stop, _raw), unit, exact_kwh in zip(pieces, units, exact)
    ]
    return _priced_bill(tariff, facts, lines, prices, total_kwh, exact)


def _energy_pieces(periods, zone, facts, curve):
    """``(band, start, stop, raw Wh)`` of every piece; a zero-length session is one piece at its start."""
    start, stop = facts.start.astimezone(_UTC), facts.stop.astimezone(_UTC)
    if start == stop:
        return [(band_at(periods, zone, start), start, stop, curve.energies[-1] - curve.energies[0])]
    pieces = []
    for band, piece_start, piece_stop in period_pieces(periods, zone, start, stop):
        with localcontext(_CONTEXT):
            energy = curve.energy_at(_micros(piece_stop)) - curve.energy_at(_micros(piece_start))
        pieces.append((band, piece_start, piece_stop, energy))
    return pieces


def _priced_bill(tariff, facts, energy_lines, prices, total_kwh, exact_kwh=None):
    """Bill from the energy lines (priced on ``exact_kwh`` when given), adding
    the reservation and occupancy fees; components rounded once."""
    digits = tariff.currency_digits
    energies = exact_kwh if exact_kwh is not None else [line.energy_kwh for line in energy_lines]
    electricity = sum((kwh * prices[line.band].electricity for line, kwh in zip(energy_lines, energies)), Decimal(0))
    service = sum((kwh * prices[line.band].service for line, kwh in zip(energy_lines, energies)), Decimal(0))
    lines = list(energy_lines)
    reservation = tariff.reservation_fee if facts.reserved else Decimal(0)
    if reservation > 0:
        lines.append(_fee_line("reservation", 1, reservation, digits))
    blocks, occupancy = occupancy_fee(tariff.occupancy, facts.occupancy_minutes)
    if occupancy > 0:
        lines.append(_fee_line("occupancy", blocks, occupancy, digits))
    components = {name: round_money(value, digits) for name, value in (
        ("electricity", electricity), ("service", service), ("reservation", reservation), ("occupancy", occupancy))}
    energy_count = len(energy_lines)
    lines[:energy_count] = _allocated_energy_lines(energy_lines, energies, prices, components, digits)
    return Bill(
        lines=tuple(lines), energy_kwh=total_kwh, energy_by_band=_energy_by_band(energy_lines),
        total=sum(components.values(), Decimal(0)), **components,
    )


def _allocated_energy_lines(energy_lines, energies, prices, components, digits):
    """The energy lines with amounts that add up exactly to the rounded
    electricity and service components: each component's total, in units of
    the currency's last digit, is shared among the lines by largest remainder
    of their exact amounts (rounding each line on its own could miss the
    total by a fen or more)."""
    step = Decimal(1).scaleb(-digits)
    shares = {}
    for component in ("electricity", "service"):
        with localcontext(_CONTEXT):
            exact = [kwh * getattr(prices[line.band], component) for line, kwh in zip(energy_lines, energies)]
        units = split_exactly(exact, int(components[component] / step))
        shares[component] = [Decimal(unit) * step for unit in units]
    return [
        replace(line, electricity_amount=electricity, service_amount=service, amount=electricity + service)
        for line, electricity, service in zip(energy_lines, shares["electricity"], shares["service"])
    ]


def _energy_by_band(energy_lines):
    """band -> energy (kWh, 0.001) for every band of BANDS."""
    totals = {band: Decimal("0.000") for band in BANDS}
    for line in energy_lines:
        totals[line.band] += line.energy_kwh
    return totals


def _unpriced_bill(tariff, total_kwh, backwards_at):
    """The bill of a session whose meter went backwards: flagged, not priced."""
    zero = round_money(Decimal(0), tariff.currency_digits)
    return Bill(
        lines=(), energy_kwh=total_kwh, energy_by_band={band: Decimal("0.000") for band in BANDS},
        electricity=zero, service=zero, reservation=zero, occupancy=zero, total=zero,
        meter_backwards=True, backwards_at=backwards_at,
    )


# ---------------------------------------------------------------------------
# Snapshots and the pile payload


def snapshot_to_dict(tariff):
    """A JSON-safe dict of the tariff (Decimals as exact strings); :func:`tariff_from_dict` reverses it."""
    check_tariff(tariff)
    rule = tariff.occupancy
    return {
        "format": SNAPSHOT_FORMAT,
        "timezone": tariff.timezone,
        "periods": [{"start_minute": p.start_minute, "end_minute": p.end_minute, "band": p.band}
                    for p in checked_periods(tariff.periods)],
        "prices": {band: {"electricity": str(_band_price(price).electricity), "service": str(_band_price(price).service)}
                   for band, price in sorted(tariff.prices.items(), key=lambda item: BANDS.index(item[0]))},
        "tou_service_fee": bool(tariff.tou_service_fee),
        "reservation_fee": str(tariff.reservation_fee),
        "occupancy": None if rule is None else {
            "free_minutes": rule.free_minutes, "block_minutes": rule.block_minutes,
            "block_fee": str(rule.block_fee), "cap": None if rule.cap is None else str(rule.cap),
        },
        "currency_digits": tariff.currency_digits,
    }


def tariff_from_dict(data):
    """The CarTariff of a :func:`snapshot_to_dict` dict, validated."""
    check_snapshot_format(data)
    rule = data.get("occupancy")
    tariff = CarTariff(
        timezone=required(data, "timezone"),
        periods=tuple(Period(required(p, "start_minute"), required(p, "end_minute"), required(p, "band"))
                      for p in required(data, "periods")),
        prices={band: BandPrice(required(price, "electricity"), required(price, "service"))
                for band, price in required(data, "prices").items()},
        tou_service_fee=bool(data.get("tou_service_fee", True)),
        reservation_fee=data.get("reservation_fee", "0"),
        occupancy=None if rule is None else OccupancyRule(
            required(rule, "free_minutes"), required(rule, "block_minutes"), required(rule, "block_fee"),
            rule.get("cap")),
        currency_digits=data.get("currency_digits", 2),
    )
    check_tariff(tariff)
    return tariff


def _fixed(value, digits):
    """Text of a Decimal with exactly ``digits`` decimals (half-up)."""
    return str(round_money(value, digits))


def push_payload(tariff, version_label, effective_from_iso):
    """The JSON the pile receives in DataTransfer SetTariff.

    Prices are those billed (see :func:`effective_prices`), with 5 decimals; fees with the
    currency's decimals.
    """
    periods = check_tariff(tariff)
    digits = tariff.currency_digits
    rule = tariff.occupancy
    prices = _effective_prices(tariff, periods)
    return {
        "version": version_label,
        "effectiveFrom": effective_from_iso,
        "timezone": tariff.timezone,
        "periods": [{"start": minute_label(p.start_minute), "end": minute_label(p.end_minute), "band": p.band}
                    for p in periods],
        "prices": {band: {"electricity": _fixed(price.electricity, PRICE_DIGITS),
                          "service": _fixed(price.service, PRICE_DIGITS)}
                   for band, price in prices.items()},
        "reservationFee": _fixed(tariff.reservation_fee, digits),
        "occupancy": None if rule is None else {
            "freeMinutes": rule.free_minutes, "blockMinutes": rule.block_minutes,
            "blockFee": _fixed(rule.block_fee, digits), "cap": None if rule.cap is None else _fixed(rule.cap, digits),
        },
    }
