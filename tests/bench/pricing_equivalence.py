"""Equivalence check of the car pricing engine between two versions: the
engine of a git revision (by default HEAD, i.e. before uncommitted changes)
and the one in the working tree must give the same bills, every line and
amount with the same digits (their repr), or the same errors, over the
billing benchmark's sessions and random tariffs and sessions (hypothesis:
daylight saving zones, samples unsorted, repeated or in other zones,
registers given as text, Decimal, int, NaN...). Run it after changing
``tools/pricing.py`` or ``tools/session_curve.py``::

    .venv/bin/python tests/bench/pricing_equivalence.py [--rev REV] [--examples N]

Not a test of the suite (it needs two versions); it asserts and prints what it compared."""
import argparse
import io
import subprocess
import sys
import tarfile
import tempfile
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
import odoo.addons  # noqa: E402

odoo.addons.__path__.append(str(REPO / "addons"))
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from odoo.addons.charge_billing.tools import pricing as new  # noqa: E402


def old_engine(rev):
    """The pricing module of ``rev``, imported as the package ``tools_before`` from a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="pricing-before-"))
    archive = subprocess.run(["git", "archive", rev, "addons/charge_billing/tools"], cwd=REPO, check=True,
                             capture_output=True).stdout
    tarfile.open(fileobj=io.BytesIO(archive)).extractall(folder)
    (folder / "addons" / "charge_billing" / "tools").rename(folder / "tools_before")
    sys.path.insert(0, str(folder))
    from tools_before import pricing
    return pricing


old = None  # the engine of the revision compared with (set by __main__)
BANDS4 = ("sharp", "peak", "flat", "valley")


def convert(module, tariff_args, facts_args):
    periods, prices, zone, tou, reservation, occupancy, digits = tariff_args
    tariff = module.CarTariff(
        timezone=zone, periods=tuple(module.Period(*p) for p in periods),
        prices={band: module.BandPrice(*pr) for band, pr in prices.items()}, tou_service_fee=tou,
        reservation_fee=reservation,
        occupancy=None if occupancy is None else module.OccupancyRule(*occupancy), currency_digits=digits)
    start, stop, ms, me, samples, occ, reserved = facts_args
    facts = module.SessionFacts(start, stop, ms, me, tuple(module.Sample(*s) for s in samples),
                                occupancy_minutes=occ, reserved=reserved)
    return tariff, facts


def outcome(module, tariff_args, facts_args):
    tariff, facts = convert(module, tariff_args, facts_args)
    try:
        return repr(module.price_session(tariff, facts))
    except module.TariffError as error:
        return ("error", error.code, repr(error.params), str(error))
    except Exception as error:  # other exceptions must match too
        return ("exception", type(error).__name__)


def same(tariff_args, facts_args):
    a = outcome(old, tariff_args, facts_args)
    b = outcome(new, tariff_args, facts_args)
    # price twice with the new engine (the tariff plan and the day bounds are kept)
    c = outcome(new, tariff_args, facts_args)
    assert a == b == c, (tariff_args, facts_args, a, b)
    return a


ZONES = ["Asia/Shanghai", "UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
         "America/Santiago", "Bad/Zone"]
TZS = [timezone.utc, ZoneInfo("UTC"), ZoneInfo("Europe/Paris"), timezone(timedelta(hours=8)),
       ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York"), ZoneInfo("Etc/UTC")]
price = st.integers(0, 300_000).map(lambda units: Decimal(units).scaleb(-5))


@st.composite
def tariffs(draw):
    if draw(st.integers(0, 5)) == 0:
        periods = [(0, 1440, "standard")]
        prices = {"standard": (draw(price), draw(price))}
    else:
        cuts = draw(st.sets(st.sampled_from(range(30, 1440, 30)), max_size=12))
        bounds = [0, *sorted(cuts), 1440]
        periods = [(a, b, draw(st.sampled_from(BANDS4))) for a, b in zip(bounds, bounds[1:])]
        periods = draw(st.permutations(periods))
        prices = {band: (draw(price), draw(price)) for band in {p[2] for p in periods}}
    occupancy = draw(st.one_of(st.none(), st.tuples(st.integers(0, 30), st.integers(1, 30),
                                                    st.sampled_from([Decimal("1.00"), Decimal("0.5"), Decimal("2")]),
                                                    st.sampled_from([None, Decimal("20.00"), Decimal("3")]))))
    return (tuple(periods), prices, draw(st.sampled_from(ZONES[:-1] if draw(st.integers(0, 30)) else ZONES)),
            draw(st.booleans()), draw(st.sampled_from([Decimal(0), Decimal("5.00"), Decimal("0.333")])),
            occupancy, draw(st.sampled_from([2, 2, 2, 0, 1, 3, 6])))


def register(draw, value, weird):
    kind = draw(st.integers(0, 40)) if weird else 0
    if kind == 1:
        return int(value)
    if kind == 2:
        return Decimal(repr(value))
    if kind == 3:
        return repr(value)
    if kind == 4:
        return float("nan")
    if kind == 5:
        return True
    if kind == 6:
        return float("inf")
    if kind == 7:
        return -value
    return value


@st.composite
def sessions(draw):
    weird = draw(st.booleans())
    start = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=draw(st.integers(0, 366 * 86400)),
                                                                 microseconds=draw(st.sampled_from([0, 0, 1, 999999])))
    duration = timedelta(seconds=draw(st.integers(0, 30 * 3600)))
    stop = start + duration
    tz = draw(st.sampled_from(TZS))
    count = draw(st.integers(0, 40))
    energy = draw(st.integers(0, 10 ** 7)) / draw(st.sampled_from([1, 10, 7, 1000]))
    meter_start = energy
    samples = []
    span = int(duration.total_seconds()) + 600
    offsets = sorted(draw(st.lists(st.integers(-300, span), min_size=count, max_size=count)))
    if weird and draw(st.booleans()):
        offsets = draw(st.permutations(offsets))
    for offset in offsets:
        energy += draw(st.integers(0, 50000)) / draw(st.sampled_from([1, 10, 3]))
        if weird and draw(st.integers(0, 20)) == 0:
            energy -= 5000
        at = (start + timedelta(seconds=offset)).astimezone(tz)
        if weird and draw(st.integers(0, 60)) == 0:
            at = at.replace(tzinfo=None)
        samples.append((at, register(draw, energy, weird), 30000.0))
    if weird and samples and draw(st.booleans()):
        samples.append(samples[draw(st.integers(0, len(samples) - 1))])  # a repeated instant
    meter_stop = energy + draw(st.integers(0, 5000))
    ms = register(draw, meter_start, weird) if draw(st.integers(0, 3)) else int(meter_start)
    me = register(draw, meter_stop, weird) if draw(st.integers(0, 3)) else int(meter_stop)
    start_tz = draw(st.sampled_from(TZS))
    if weird and draw(st.integers(0, 30)) == 0:
        stop = start - timedelta(seconds=5)
    return (start.astimezone(start_tz), stop.astimezone(draw(st.sampled_from(TZS))), ms, me, tuple(samples),
            draw(st.sampled_from([0, 0, 14.5, 16, 61.25, 400])), draw(st.booleans()))


def check_random(examples):
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(tariffs(), sessions())
    def check(tariff_args, facts_args):
        same(tariff_args, facts_args)
    check()


def bench_sessions():
    ns = {}
    script = REPO / "tests" / "bench" / "billing_bench.py"
    exec(compile(script.read_text(), str(script), "exec"), ns)
    tariff_new, tariff_old = ns["demo_tariff"](), None
    count = 0
    lines = 0
    for index in range(5000):
        facts = ns["session_facts"](index)
        a = repr(new.price_session(tariff_new, facts))
        f2 = old.SessionFacts(facts.start, facts.stop, facts.meter_start_wh, facts.meter_stop_wh,
                              tuple(old.Sample(s.at, s.energy_wh, s.power_w) for s in facts.samples),
                              occupancy_minutes=facts.occupancy_minutes)
        if tariff_old is None:
            d = new.snapshot_to_dict(tariff_new)
            tariff_old = old.tariff_from_dict(d)
        bill_old = old.price_session(tariff_old, f2)
        b = repr(bill_old)
        assert a == b, (index, a, b)
        count += 1
        lines += len(bill_old.lines)
    print(f"benchmark sessions: {count} bills identical ({lines} lines)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default="HEAD", help="git revision of the engine to compare with")
    parser.add_argument("--examples", type=int, default=3000, help="random tariffs and sessions")
    arguments = parser.parse_args()
    old = old_engine(arguments.rev)
    bench_sessions()
    check_random(arguments.examples)
    print(f"random sessions: {arguments.examples} identical")
