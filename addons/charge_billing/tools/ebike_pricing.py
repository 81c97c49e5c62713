"""Pricing engine of e-bike charging sessions.

An e-bike tariff bills completed minutes (``duration_seconds // 60``) in one of
the :data:`MODES`:

- ``duration``: fixed amounts by duration tier (the first tier whose
  ``up_to_minutes`` >= the minutes);
- ``power_duration``: a rate per hour chosen by the session's maximum power
  (the first band whose ``up_to_watts`` >= it; above every band, the last one);
- ``energy``: kWh x electricity price + kWh x service price;
- ``energy_hourly``: kWh x electricity price + a service fee per hour;
- ``energy_power``: kWh x electricity price + the power band's rate per hour.

Time-based amounts are service fees. Each component is rounded to the currency
(truncated or half-up, see :data:`ROUNDING`) and the total is their sum. A
session shorter than ``free_minutes`` is free. A session that reaches
``auto_stop_minutes`` (the pile's automatic stop, at most 48 h) costs
``auto_stop_amount`` when that amount is set (> 0).

Errors are :class:`.tou_grid.TariffError` with one of the codes of :data:`ERROR_CODES`.
"""
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from .tariff_values import (SNAPSHOT_FORMAT, as_decimal, check_currency_digits, check_non_negative,
                            check_snapshot_format, is_int, required)
from .tou_grid import TariffError

MODES = ("duration", "power_duration", "energy", "energy_hourly", "energy_power")
TIME_MODES = ("duration", "power_duration")
POWER_MODES = ("power_duration", "energy_power")
ROUNDING = ("half_up", "truncate")
MAX_AUTO_STOP_MINUTES = 2880  # 48 h

ERROR_CODES = {
    "mode": "unknown pricing mode (params mode)",
    "rounding": "unknown rounding (params rounding)",
    "currency_digits": "currency digits must be an integer between 0 and 6 (params digits)",
    "auto_stop_limit": "the automatic stop must be between 0 and 2880 minutes (48 h) (params minutes, limit)",
    "negative_minutes": "free minutes cannot be negative (params minutes)",
    "no_tiers": "the duration mode needs duration tiers",
    "tiers_order": "duration tiers must have increasing positive minutes (params minutes)",
    "no_bands": "the power modes need power bands",
    "bands_order": "power bands must have increasing positive watts (params watts)",
    "negative_price": "a price, rate or amount is negative (params field, value)",
    "number": "a value is not a finite number (params field, value)",
    "negative_fact": "a session fact is negative (params field, value)",
    "snapshot": "a tariff snapshot lacks a key or has an unknown format (params key)",
}

_ROUNDINGS = {"half_up": ROUND_HALF_UP, "truncate": ROUND_DOWN}


@dataclass(frozen=True)
class DurationTier:
    """Mode "duration": sessions of at most ``up_to_minutes`` (and more than the previous tier's) cost ``amount``."""

    up_to_minutes: int
    amount: Decimal

    def __post_init__(self):
        object.__setattr__(self, "amount", as_decimal(self.amount, "tier amount"))


@dataclass(frozen=True)
class PowerBand:
    """Power modes: sessions whose maximum power is at most ``up_to_watts`` pay ``rate_per_hour``."""

    up_to_watts: Decimal
    rate_per_hour: Decimal

    def __post_init__(self):
        object.__setattr__(self, "up_to_watts", as_decimal(self.up_to_watts, "band watts"))
        object.__setattr__(self, "rate_per_hour", as_decimal(self.rate_per_hour, "band rate"))


@dataclass(frozen=True)
class EbikeTariff:
    """An e-bike tariff (see the module's docstring for the modes)."""

    mode: str
    duration_tiers: tuple = ()
    power_bands: tuple = ()
    electricity_price: Decimal = Decimal(0)
    service_price: Decimal = Decimal(0)
    service_per_hour: Decimal = Decimal(0)
    free_minutes: int = 0
    auto_stop_minutes: int = 0
    auto_stop_amount: Decimal = Decimal(0)
    rounding: str = "truncate"
    currency_digits: int = 2

    def __post_init__(self):
        object.__setattr__(self, "duration_tiers", tuple(self.duration_tiers or ()))
        object.__setattr__(self, "power_bands", tuple(self.power_bands or ()))
        for name in ("electricity_price", "service_price", "service_per_hour", "auto_stop_amount"):
            object.__setattr__(self, name, as_decimal(getattr(self, name), name))


@dataclass(frozen=True)
class EbikeFacts:
    """What the pile reported about one e-bike session."""

    duration_seconds: int
    energy_kwh: Decimal
    max_power_w: Decimal

    def __post_init__(self):
        object.__setattr__(self, "energy_kwh", as_decimal(self.energy_kwh, "energy_kwh"))
        object.__setattr__(self, "max_power_w", as_decimal(self.max_power_w, "max_power_w"))


@dataclass(frozen=True)
class EbikeBill:
    """A priced e-bike session; ``band``/``tier`` are the power band / duration tier applied, if any."""

    minutes: int
    electricity: Decimal
    service: Decimal
    total: Decimal
    free: bool
    auto_stopped: bool
    band: PowerBand | None
    tier: DurationTier | None


# ---------------------------------------------------------------------------
# Validation


def _check_settings(tariff):
    """Mode, rounding, currency digits, free minutes and the automatic stop."""
    if tariff.mode not in MODES:
        raise TariffError("mode", f"unknown pricing mode {tariff.mode!r}", mode=str(tariff.mode))
    if tariff.rounding not in ROUNDING:
        raise TariffError("rounding", f"unknown rounding {tariff.rounding!r}", rounding=str(tariff.rounding))
    check_currency_digits(tariff.currency_digits)
    if not is_int(tariff.free_minutes) or tariff.free_minutes < 0:
        raise TariffError("negative_minutes", f"free minutes must be an integer >= 0, not {tariff.free_minutes!r}",
                          minutes=tariff.free_minutes)
    minutes = tariff.auto_stop_minutes
    if not is_int(minutes) or not 0 <= minutes <= MAX_AUTO_STOP_MINUTES:
        raise TariffError("auto_stop_limit", f"the automatic stop must be 0..{MAX_AUTO_STOP_MINUTES} minutes "
                          f"(48 h), not {minutes!r}", minutes=minutes, limit=MAX_AUTO_STOP_MINUTES)


def _check_tiers(tariff):
    """Duration tiers: required by mode "duration", minutes increasing and positive, amounts >= 0."""
    if tariff.mode == "duration" and not tariff.duration_tiers:
        raise TariffError("no_tiers", "the duration mode needs duration tiers")
    previous = 0
    for tier in tariff.duration_tiers:
        if not is_int(tier.up_to_minutes) or tier.up_to_minutes <= previous:
            raise TariffError("tiers_order", f"duration tier minutes must increase: {tier.up_to_minutes!r} "
                              f"after {previous}", minutes=tier.up_to_minutes)
        check_non_negative(tier.amount, f"amount of the tier up to {tier.up_to_minutes} min")
        previous = tier.up_to_minutes


def _check_bands(tariff):
    """Power bands: required by the power modes, watts increasing and positive, rates >= 0."""
    if tariff.mode in POWER_MODES and not tariff.power_bands:
        raise TariffError("no_bands", f"the mode {tariff.mode!r} needs power bands")
    previous = Decimal(0)
    for band in tariff.power_bands:
        if band.up_to_watts <= previous:
            raise TariffError("bands_order", f"power band watts must increase: {band.up_to_watts} after {previous}",
                              watts=str(band.up_to_watts))
        check_non_negative(band.rate_per_hour, f"rate of the band up to {band.up_to_watts} W")
        previous = band.up_to_watts


def check_tariff(tariff):
    """Validate an e-bike tariff; raise TariffError (codes in ERROR_CODES)."""
    _check_settings(tariff)
    _check_tiers(tariff)
    _check_bands(tariff)
    for name in ("electricity_price", "service_price", "service_per_hour", "auto_stop_amount"):
        check_non_negative(getattr(tariff, name), name)


def _check_facts(facts):
    """Duration, energy and power must be >= 0 (and the duration an integer)."""
    if not is_int(facts.duration_seconds) or facts.duration_seconds < 0:
        raise TariffError("negative_fact", f"duration_seconds must be an integer >= 0, not {facts.duration_seconds!r}",
                          field="duration_seconds", value=str(facts.duration_seconds))
    for name in ("energy_kwh", "max_power_w"):
        value = getattr(facts, name)
        if value < 0:
            raise TariffError("negative_fact", f"{name} cannot be negative ({value})", field=name, value=str(value))


# ---------------------------------------------------------------------------
# Pricing


def power_band(tariff, max_power_w):
    """The first band whose ``up_to_watts`` >= ``max_power_w``; above every band, the last one."""
    for band in tariff.power_bands:
        if band.up_to_watts >= max_power_w:
            return band
    return tariff.power_bands[-1]


def duration_tier(tariff, minutes):
    """The first tier whose ``up_to_minutes`` >= ``minutes``, or None beyond the last tier."""
    for tier in tariff.duration_tiers:
        if tier.up_to_minutes >= minutes:
            return tier
    return None


def _round(tariff, amount):
    """``amount`` rounded to the currency with the tariff's rounding."""
    return amount.quantize(Decimal(1).scaleb(-tariff.currency_digits), rounding=_ROUNDINGS[tariff.rounding])


def _hours(minutes):
    return Decimal(minutes) / 60


def _raw_components(tariff, minutes, facts):
    """``(electricity, service, band, tier)`` before rounding, by mode."""
    band = power_band(tariff, facts.max_power_w) if tariff.mode in POWER_MODES else None
    if tariff.mode == "duration":
        tier = duration_tier(tariff, minutes)
        if tier is not None:
            return Decimal(0), tier.amount, None, tier
        if tariff.auto_stop_amount > 0:
            return Decimal(0), tariff.auto_stop_amount, None, None
        last = tariff.duration_tiers[-1]
        return Decimal(0), last.amount, None, last
    if tariff.mode == "power_duration":
        return Decimal(0), band.rate_per_hour * _hours(minutes), band, None
    electricity = facts.energy_kwh * tariff.electricity_price
    if tariff.mode == "energy":
        return electricity, facts.energy_kwh * tariff.service_price, None, None
    if tariff.mode == "energy_hourly":
        return electricity, tariff.service_per_hour * _hours(minutes), None, None
    return electricity, band.rate_per_hour * _hours(minutes), band, None  # energy_power


def _zero(tariff):
    return _round(tariff, Decimal(0))


def price_ebike(tariff, facts):
    """The EbikeBill of a session. Raises TariffError for an invalid tariff or facts."""
    check_tariff(tariff)
    _check_facts(facts)
    return _price_checked(tariff, facts)


def _price_checked(tariff, facts):
    """:func:`price_ebike` of a tariff and facts already validated."""
    minutes = facts.duration_seconds // 60
    electricity, service, band, tier = _raw_components(tariff, minutes, facts)
    if minutes < tariff.free_minutes:
        zero = _zero(tariff)
        return EbikeBill(minutes, zero, zero, zero, True, False, band, tier)
    electricity, service = _round(tariff, electricity), _round(tariff, service)
    auto_stopped = 0 < tariff.auto_stop_minutes <= minutes
    if auto_stopped and tariff.auto_stop_amount > 0:
        electricity, service = _auto_stop_split(tariff, electricity)
    return EbikeBill(minutes, electricity, service, electricity + service, False, auto_stopped, band, tier)


def _auto_stop_split(tariff, electricity):
    """``(electricity, service)`` summing to the auto-stop amount.

    Time modes bill it all as service; energy modes keep the computed electricity
    (at most the amount) and bill the rest as service.
    """
    amount = _round(tariff, tariff.auto_stop_amount)
    if tariff.mode in TIME_MODES:
        return _zero(tariff), amount
    electricity = min(electricity, amount)
    return electricity, amount - electricity


# ---------------------------------------------------------------------------
# Snapshots and the pile payload

_DECIMAL_FIELDS = ("electricity_price", "service_price", "service_per_hour", "auto_stop_amount")
_INTEGER_FIELDS = ("free_minutes", "auto_stop_minutes", "currency_digits")


def snapshot_to_dict(tariff):
    """A JSON-safe dict of the tariff (Decimals as exact strings); :func:`tariff_from_dict` reverses it."""
    check_tariff(tariff)
    data = {"format": SNAPSHOT_FORMAT, "mode": tariff.mode, "rounding": tariff.rounding}
    data.update({name: str(getattr(tariff, name)) for name in _DECIMAL_FIELDS})
    data.update({name: getattr(tariff, name) for name in _INTEGER_FIELDS})
    data["duration_tiers"] = [{"up_to_minutes": tier.up_to_minutes, "amount": str(tier.amount)}
                              for tier in tariff.duration_tiers]
    data["power_bands"] = [{"up_to_watts": str(band.up_to_watts), "rate_per_hour": str(band.rate_per_hour)}
                           for band in tariff.power_bands]
    return data


def tariff_from_dict(data):
    """The EbikeTariff of a :func:`snapshot_to_dict` dict, validated."""
    check_snapshot_format(data)
    tariff = EbikeTariff(
        mode=required(data, "mode"),
        duration_tiers=tuple(DurationTier(required(tier, "up_to_minutes"), required(tier, "amount"))
                             for tier in data.get("duration_tiers", ())),
        power_bands=tuple(PowerBand(required(band, "up_to_watts"), required(band, "rate_per_hour"))
                          for band in data.get("power_bands", ())),
        rounding=required(data, "rounding"),
        **{name: required(data, name) for name in _DECIMAL_FIELDS + _INTEGER_FIELDS},
    )
    check_tariff(tariff)
    return tariff


def _money_text(tariff, amount):
    """Text of an amount with the currency's decimals, or with all of its own when it has more (never altered)."""
    fixed = amount.quantize(Decimal(1).scaleb(-tariff.currency_digits), rounding=ROUND_HALF_UP)
    return str(fixed if fixed == amount else amount)


def push_payload(tariff, version_label, effective_from_iso):
    """The JSON an e-bike pile receives in DataTransfer SetTariff (prices per kWh with 5 decimals)."""
    check_tariff(tariff)
    return {
        "version": version_label,
        "effectiveFrom": effective_from_iso,
        "mode": tariff.mode,
        "rounding": tariff.rounding,
        "durationTiers": [{"upToMinutes": tier.up_to_minutes, "amount": _money_text(tariff, tier.amount)}
                          for tier in tariff.duration_tiers],
        "powerBands": [{"upToWatts": str(band.up_to_watts), "ratePerHour": _money_text(tariff, band.rate_per_hour)}
                       for band in tariff.power_bands],
        "electricityPrice": f"{tariff.electricity_price:.5f}",
        "servicePrice": f"{tariff.service_price:.5f}",
        "servicePerHour": _money_text(tariff, tariff.service_per_hour),
        "freeMinutes": tariff.free_minutes,
        "autoStopMinutes": tariff.auto_stop_minutes,
        "autoStopAmount": _money_text(tariff, tariff.auto_stop_amount),
    }
