"""The automatic checks of a charging order (rules a to o of the operator
manual, section 2.4.1). Pure Python: the order model gathers the facts, these
functions say what is wrong, as ``(code, params)`` pairs the model phrases in
the user's language."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

START_MAX_AGE = timedelta(days=90)
END_MAX_AHEAD = timedelta(minutes=15)
MAX_DURATION = timedelta(hours=24)
MAX_ENERGY_KWH = Decimal(500)
MAX_KWH_PER_MINUTE = Decimal(10)

# code -> (manual rule letter, kind): "data" exceptions come from the reported
# figures, "control" ones from the timing of the session.
RULES = {
    "band_sum": ("a", "data"),
    "negative_duration": ("b", "control"),
    "start_too_old": ("c", "control"),
    "end_in_future": ("d", "control"),
    "over_24_hours": ("e", "control"),
    "over_500_kwh": ("f", "data"),
    "negative_energy": ("g", "data"),
    "over_10_kwh_per_minute": ("h", "data"),
    "energy_without_duration": ("i", "data"),
    "pile_amount_mismatch": ("j", "data"),
    "negative_amount": ("k", "data"),
    "amount_without_energy": ("l", "data"),
    "meter_stop_below_start": ("m", "data"),
    "meter_backwards": ("n", "data"),
    "soc_without_energy": ("o", "data"),
}


@dataclass(frozen=True)
class OrderFacts:
    """What an order says about its session. Datetimes are naive UTC or all aware."""
    now: datetime
    start: datetime
    stop: datetime | None
    energy_kwh: Decimal
    band_energy_kwh: dict = field(default_factory=dict)
    amounts: dict = field(default_factory=dict)  # component name -> amount
    total: Decimal = Decimal(0)
    meter_start_wh: float = 0
    meter_stop_wh: float | None = None
    meter_backwards: bool = False
    soc_start: float | None = None
    soc_stop: float | None = None
    pile_amount: Decimal | None = None
    pile_amount_tolerance: Decimal = Decimal("1.00")


def check_order(facts):
    """The broken rules, as a list of ``(code, params)`` in the manual's order."""
    found = []
    band_sum = sum((Decimal(value) for value in facts.band_energy_kwh.values()), Decimal(0))
    if facts.band_energy_kwh and band_sum != facts.energy_kwh:
        found.append(("band_sum", {"bands": band_sum, "total": facts.energy_kwh}))
    duration = (facts.stop - facts.start) if facts.stop else None
    if duration is not None and duration < timedelta(0):
        found.append(("negative_duration", {"minutes": _minutes(duration)}))
    if facts.now - facts.start > START_MAX_AGE:
        found.append(("start_too_old", {"start": facts.start}))
    if facts.stop and facts.stop - facts.now > END_MAX_AHEAD:
        found.append(("end_in_future", {"stop": facts.stop}))
    if duration is not None and duration > MAX_DURATION:
        found.append(("over_24_hours", {"hours": round(duration.total_seconds() / 3600, 2)}))
    if facts.energy_kwh > MAX_ENERGY_KWH:
        found.append(("over_500_kwh", {"energy": facts.energy_kwh}))
    if facts.energy_kwh < 0:
        found.append(("negative_energy", {"energy": facts.energy_kwh}))
    if duration is not None and duration > timedelta(0) and facts.energy_kwh > 0:
        per_minute = facts.energy_kwh / Decimal(str(duration.total_seconds() / 60))
        if per_minute > MAX_KWH_PER_MINUTE:
            found.append(("over_10_kwh_per_minute", {"rate": per_minute.quantize(Decimal("0.001"))}))
    if duration is not None and duration == timedelta(0) and facts.energy_kwh > 0:
        found.append(("energy_without_duration", {"energy": facts.energy_kwh}))
    # the pile cannot know the occupancy fee, which runs after the stop (and may be known before the settlement)
    before_occupancy = facts.total - facts.amounts.get("occupancy", Decimal(0))
    if facts.pile_amount is not None and abs(facts.pile_amount - before_occupancy) > facts.pile_amount_tolerance:
        found.append(("pile_amount_mismatch", {"pile": facts.pile_amount, "ours": before_occupancy,
                                               "tolerance": facts.pile_amount_tolerance}))
    negative = {name: amount for name, amount in facts.amounts.items() if amount < 0}
    if negative or facts.total < 0:
        found.append(("negative_amount", {"amount": min([facts.total, *negative.values()])}))
    energy_amount = facts.amounts.get("electricity", Decimal(0)) + facts.amounts.get("service", Decimal(0))
    if facts.energy_kwh == 0 and energy_amount > 0:
        # a reservation or occupancy fee alone is due without energy
        found.append(("amount_without_energy", {"amount": energy_amount}))
    if facts.meter_stop_wh is not None and facts.meter_stop_wh < facts.meter_start_wh:
        found.append(("meter_stop_below_start", {"start": facts.meter_start_wh, "stop": facts.meter_stop_wh}))
    if facts.meter_backwards:
        found.append(("meter_backwards", {}))
    if (facts.soc_start is not None and facts.soc_stop is not None
            and facts.soc_start != facts.soc_stop and facts.energy_kwh == 0):
        found.append(("soc_without_energy", {"soc_start": facts.soc_start, "soc_stop": facts.soc_stop}))
    return found


def exception_kind(codes):
    """"control" when a timing rule broke, "data" otherwise, codes outside the
    manual's rules included (None when nothing broke)."""
    if not codes:
        return None
    return "control" if any(RULES.get(code, ("", "data"))[1] == "control" for code in codes) else "data"


def _minutes(delta):
    return round(delta.total_seconds() / 60, 1)
