"""Pricing engine of car (EV) charging sessions.

A car tariff is either *standard* (one all-day band, "standard") or
*time-of-use* (periods of the local day, each with a band: sharp, peak, flat,
valley; see :mod:`.tou_grid`). Each band has an electricity price and a
service price per kWh (5 decimals). A tariff may add a reservation fee and an
occupancy fee (a fee per started block of minutes the gun stays plugged in
after charging, after some free minutes, optionally capped).

:func:`price_session` cuts a session at every local period boundary, gives each
piece the energy of the interpolated meter curve (:mod:`.session_curve`), quantizes the energies to
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
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .session_curve import (  # noqa: F401 (local_to_utc and period_pieces are part of this module's API)
    CONTEXT as _CONTEXT, UTC as _UTC, EnergyCurve, all_aware, band_at, common_zone, day_bounds, local_to_utc,
    period_pieces, sample_times,
)
from .tou_grid import ERROR_CODES as PERIOD_ERROR_CODES
from .tariff_values import (SNAPSHOT_FORMAT, as_decimal, check_currency_digits, check_non_negative,
                            check_snapshot_format, is_int, required)
from .tou_grid import BANDS, DAY_MINUTES, Period, TariffError, check_periods, minute_label

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

_THOUSAND = Decimal(1000)
_MONEY_STEPS = {digits: Decimal(1).scaleb(-digits) for digits in range(7)}


def _money_step(digits):
    """The Decimal of the currency's last digit: 1E-``digits``."""
    step = _MONEY_STEPS.get(digits)
    return Decimal(1).scaleb(-digits) if step is None else step


def round_money(amount, digits):
    """``amount`` rounded half-up to ``digits`` decimals (the currency's)."""
    return amount.quantize(_money_step(digits), rounding=ROUND_HALF_UP)


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
# Session facts


def _is_aware(moment):
    """True for a datetime with a time zone."""
    return isinstance(moment, datetime) and moment.tzinfo is not None and moment.utcoffset() is not None


def _check_facts(facts, times=None, zone=None):
    """Raise TariffError for facts that cannot be priced (naive times, stop before start, bad registers).
    ``times`` are the samples' times when the caller already listed them, ``zone`` their common zone."""
    for field_name in ("start", "stop"):
        if not _is_aware(getattr(facts, field_name)):
            raise TariffError("naive_datetime", f"session {field_name} has no time zone", field=field_name)
    if times is None:
        times = [sample.at for sample in facts.samples]
    if not all_aware(times, zone):
        for index, moment in enumerate(times):
            if not _is_aware(moment):
                raise TariffError("naive_datetime", f"sample {index} has no time zone", field=f"samples[{index}].at")
    if facts.stop < facts.start:
        raise TariffError("stop_before_start", f"the session stops ({facts.stop.isoformat()}) before it starts "
                          f"({facts.start.isoformat()})", start=facts.start.isoformat(), stop=facts.stop.isoformat())
    occupied = as_decimal(facts.occupancy_minutes, "occupancy_minutes")
    if occupied < 0:
        raise TariffError("negative_minutes", f"occupied minutes cannot be negative ({occupied})",
                          minutes=str(occupied))


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
    context = _CONTEXT
    raw_sum = Decimal(0)
    for value in raw_values:
        raw_sum = context.add(raw_sum, value)
    if raw_sum > 0:
        quotas = [context.divide(context.multiply(value, total_units), raw_sum) for value in raw_values]
    else:
        quotas = [context.divide(Decimal(total_units), count)] * count
    floors = [int(quota.to_integral_value(rounding=ROUND_FLOOR, context=context)) for quota in quotas]
    remainders = [context.subtract(quota, floor) for quota, floor in zip(quotas, floors)]
    # largest remainder first; a stable sort keeps the earliest of equal ones first
    by_remainder = sorted(range(count), key=remainders.__getitem__, reverse=True)
    missing = total_units - sum(floors)
    for step in range(missing):
        floors[by_remainder[step % count]] += 1
    return floors


# ---------------------------------------------------------------------------
# Sessions


class _Plan:
    """What pricing needs of a validated tariff, prepared once (see :func:`_plan`)."""

    __slots__ = ("periods", "zone", "prices", "unit_prices", "bounds")

    def __init__(self, tariff):
        self.periods = check_tariff(tariff)
        self.zone = zone_of(tariff)
        self.prices = _effective_prices(tariff, self.periods)
        self.unit_prices = {band: (price.electricity.quantize(PRICE_STEP), price.service.quantize(PRICE_STEP))
                            for band, price in self.prices.items()}
        self.bounds = day_bounds(self.periods, self.zone)


_PLANS = {}  # id(tariff) -> (tariff, its price items, _Plan); the tariff is held so that its id stays its own
_MAX_PLANS = 64


def _plan(tariff):
    """The _Plan of a car tariff, validated (TariffError otherwise); kept for the
    tariff object (frozen; its prices dict is compared in case it was changed)."""
    items = tuple(tariff.prices.items()) if isinstance(tariff.prices, dict) else None
    entry = _PLANS.get(id(tariff))
    if entry is not None and entry[0] is tariff and entry[1] == items:
        return entry[2]
    plan = _Plan(tariff)
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    _PLANS[id(tariff)] = (tariff, items, plan)
    return plan


def price_session(tariff, facts):
    """The Bill of a session under a car tariff. Raises TariffError for an invalid tariff or facts."""
    plan = _plan(tariff)
    times = sample_times(facts.samples)
    zone = common_zone(times) if times else None
    _check_facts(facts, times, zone)
    curve = EnergyCurve.from_facts(facts, times, zone)
    context = _CONTEXT
    total_kwh = context.divide(context.subtract(curve.energy(-1), curve.energy(0)), _THOUSAND).quantize(
        ENERGY_STEP, rounding=ROUND_HALF_UP, context=context)
    decrease = curve.first_decrease()
    if decrease is not None:
        return _unpriced_bill(tariff, total_kwh, decrease)
    pieces = _energy_pieces(plan, facts, curve)
    units = split_exactly([energy for *_piece, energy in pieces], int(total_kwh / ENERGY_STEP))
    # amounts come from the exact energies: the quantized ones (which add up
    # to the total for display) could make more energy cost a fen less
    exact = [context.divide(energy, _THOUSAND) for *_piece, energy in pieces]
    return _priced_bill(tariff, plan, facts, pieces, units, exact, total_kwh)


def _energy_pieces(plan, facts, curve):
    """``(band, start, stop, raw Wh)`` of every piece; a zero-length session is one piece at its start."""
    start, stop = facts.start.astimezone(_UTC), facts.stop.astimezone(_UTC)
    if start == stop:
        return [(band_at(plan.periods, plan.zone, start), start, stop, curve.energy(-1) - curve.energy(0))]
    subtract = _CONTEXT.subtract
    energy_at = curve.energy_at
    pieces = []
    boundary = boundary_energy = None
    for band, piece_start, piece_stop in plan.bounds.pieces(start, stop):
        # consecutive pieces share their boundary: the curve is read there once
        energy_before = boundary_energy if piece_start == boundary else energy_at(piece_start)
        boundary, boundary_energy = piece_stop, energy_at(piece_stop)
        pieces.append((band, piece_start, piece_stop, subtract(boundary_energy, energy_before)))
    return pieces


def _priced_bill(tariff, plan, facts, pieces, units, exact_kwh, total_kwh):
    """Bill of the energy pieces (quantized to ``units`` Wh, priced on ``exact_kwh``),
    adding the reservation and occupancy fees; components rounded once.

    Each component's total, in units of the currency's last digit, is shared
    among the energy lines by largest remainder of their exact amounts
    (rounding each line on its own could miss the total by a fen or more)."""
    digits = tariff.currency_digits
    prices = plan.prices
    bands = [piece[0] for piece in pieces]
    electricity = sum((kwh * prices[band].electricity for band, kwh in zip(bands, exact_kwh)), Decimal(0))
    service = sum((kwh * prices[band].service for band, kwh in zip(bands, exact_kwh)), Decimal(0))
    fee_lines = []
    reservation = tariff.reservation_fee if facts.reserved else Decimal(0)
    if reservation > 0:
        fee_lines.append(_fee_line("reservation", 1, reservation, digits))
    blocks, occupancy = occupancy_fee(tariff.occupancy, facts.occupancy_minutes)
    if occupancy > 0:
        fee_lines.append(_fee_line("occupancy", blocks, occupancy, digits))
    components = {name: round_money(value, digits) for name, value in (
        ("electricity", electricity), ("service", service), ("reservation", reservation), ("occupancy", occupancy))}
    step = _money_step(digits)
    multiply = _CONTEXT.multiply
    shares = []
    for component in ("electricity", "service"):
        exact = [multiply(kwh, getattr(prices[band], component)) for band, kwh in zip(bands, exact_kwh)]
        shares.append([Decimal(unit) * step for unit in split_exactly(exact, int(components[component] / step))])
    energies = [Decimal(unit) * ENERGY_STEP for unit in units]
    unit_prices = plan.unit_prices
    lines = [
        BillLine(kind="energy", band=band, start=piece_start, stop=piece_stop, energy_kwh=energy,
                 electricity_price=unit_prices[band][0], service_price=unit_prices[band][1],
                 electricity_amount=electricity_amount, service_amount=service_amount,
                 amount=electricity_amount + service_amount, quantity=energy)
        for (band, piece_start, piece_stop, _raw), energy, electricity_amount, service_amount
        in zip(pieces, energies, *shares)
    ]
    return Bill(
        lines=tuple(lines + fee_lines), energy_kwh=total_kwh, energy_by_band=_energy_by_band(bands, energies),
        total=sum(components.values(), Decimal(0)), **components,
    )


def _energy_by_band(bands, energies):
    """band -> energy (kWh, 0.001) for every band of BANDS."""
    totals = {band: Decimal("0.000") for band in BANDS}
    for band, energy in zip(bands, energies):
        totals[band] += energy
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
