from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..tools.pricing import BandPrice, CarTariff, OccupancyRule, Sample, SessionFacts, effective_prices, price_session
from ..tools.tou_grid import BANDS, DAY_MINUTES, GRID_MINUTES, TOU_BANDS, Period, period_at

UTC = timezone.utc
FIRST_START = datetime(2024, 1, 1, tzinfo=UTC)
WITHOUT_DST = ("Asia/Shanghai", "UTC", "Asia/Kolkata")
WITH_DST = ("Europe/Paris", "America/New_York")
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, derandomize=True)

prices = st.integers(0, 300_000).map(lambda units: Decimal(units).scaleb(-5))  # 0..3 with 5 decimals


@st.composite
def tou_tariffs(draw, zones=WITHOUT_DST + WITH_DST):
    """A valid time-of-use tariff: a random partition of the day on the 30-minute grid."""
    cuts = draw(st.sets(st.sampled_from(range(GRID_MINUTES, DAY_MINUTES, GRID_MINUTES)), max_size=12))
    bounds = [0, *sorted(cuts), DAY_MINUTES]
    periods = [Period(start, end, draw(st.sampled_from(TOU_BANDS))) for start, end in zip(bounds, bounds[1:])]
    used = sorted({period.band for period in periods})
    return CarTariff(
        timezone=draw(st.sampled_from(zones)),
        periods=tuple(draw(st.permutations(periods))),
        prices={band: BandPrice(draw(prices), draw(prices)) for band in used},
        tou_service_fee=draw(st.booleans()),
    )


@st.composite
def sessions(draw):
    """Session facts: start within a year (both DST changes), 0..30 h, monotone meter samples.

    Energies are integer tenths of Wh, so that ``scaled`` can multiply them exactly.
    """
    start = FIRST_START + timedelta(seconds=draw(st.integers(0, 366 * 86400)))
    duration = draw(st.integers(0, 30 * 3600))
    offsets = sorted(draw(st.lists(st.integers(1, duration - 1), max_size=30))) if duration > 1 else []
    steps = draw(st.lists(st.integers(0, 100_000), min_size=len(offsets) + 1, max_size=len(offsets) + 1))
    meter_start = draw(st.integers(0, 10**9))
    return start, duration, meter_start, offsets, steps


def facts_of(session, permille=1000):
    """SessionFacts of a drawn session, every energy step multiplied by ``permille`` / 1000."""
    start, duration, meter_start, offsets, steps = session
    energy, samples = meter_start * 1000, []  # in 1/10000 Wh
    for offset, step in zip(offsets, steps):
        energy += step * permille
        samples.append(Sample(start + timedelta(seconds=offset), energy / 10000))
    meter_stop = energy + steps[-1] * permille
    return SessionFacts(start, start + timedelta(seconds=duration), meter_start / 10, meter_stop / 10000,
                        tuple(samples))


def local_minute(moment, zone):
    local = moment.astimezone(zone)
    return local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60


@tagged("at_install", "-post_install")
class TestCarPricingProperties(BaseCase):
    """Properties of the car tariff engine over random tariffs and sessions: no database involved."""

    @PROPERTY_SETTINGS
    @given(tariff=tou_tariffs(), session=sessions())
    def test_energies_sum_exactly_and_amounts_are_consistent(self, tariff, session):
        facts = facts_of(session)
        bill = price_session(tariff, facts)
        expected_kwh = (Decimal(repr(facts.meter_stop_wh)) - Decimal(repr(facts.meter_start_wh))) / 1000
        self.assertEqual(bill.energy_kwh, expected_kwh.quantize(Decimal("0.001"), rounding="ROUND_HALF_UP"))
        self.assertEqual(set(bill.energy_by_band), set(BANDS))
        self.assertEqual(sum(bill.energy_by_band.values()), bill.energy_kwh)
        self.assertEqual(sum(line.energy_kwh for line in bill.lines), bill.energy_kwh)
        applied = effective_prices(tariff)
        electricity = sum((line.energy_kwh * applied[line.band].electricity for line in bill.lines), Decimal(0))
        service = sum((line.energy_kwh * applied[line.band].service for line in bill.lines), Decimal(0))
        # amounts are priced on the exact energy of each line, which differs from
        # the shown (quantized) energy by less than 1 Wh
        slack_electricity = sum((applied[line.band].electricity for line in bill.lines), Decimal(0)) / 1000
        slack_service = sum((applied[line.band].service for line in bill.lines), Decimal(0)) / 1000
        self.assertLessEqual(abs(bill.electricity - electricity), slack_electricity + Decimal("0.01"))
        self.assertLessEqual(abs(bill.service - service), slack_service + Decimal("0.01"))
        self.assertEqual(bill.total, bill.electricity + bill.service + bill.reservation + bill.occupancy)
        for line in bill.lines:
            self.assertGreaterEqual(line.energy_kwh, 0)
            self.assertGreaterEqual(line.amount, 0)
            self.assertGreaterEqual(line.electricity_amount, 0)
            self.assertGreaterEqual(line.service_amount, 0)
        self.assertGreaterEqual(bill.total, 0)

    @PROPERTY_SETTINGS
    @given(tariff=tou_tariffs(), session=sessions())
    def test_lines_tile_the_session(self, tariff, session):
        facts = facts_of(session)
        lines = price_session(tariff, facts).lines
        self.assertTrue(lines)
        self.assertEqual(lines[0].start, facts.start)
        self.assertEqual(lines[-1].stop, facts.stop)
        for previous, line in zip(lines, lines[1:]):
            self.assertEqual(previous.stop, line.start)
        if facts.stop > facts.start:
            self.assertTrue(all(line.stop > line.start for line in lines))

    @PROPERTY_SETTINGS
    @given(tariff=tou_tariffs(zones=WITHOUT_DST), session=sessions())
    def test_every_instant_is_priced_at_the_band_of_its_local_time(self, tariff, session):
        facts = facts_of(session)
        zone = ZoneInfo(tariff.timezone)
        periods = sorted(tariff.periods, key=lambda period: period.start_minute)
        for line in price_session(tariff, facts).lines:
            period = period_at(periods, local_minute(line.start, zone))
            self.assertEqual(line.band, period.band)
            local_start = line.start.astimezone(zone)
            period_end = datetime.combine(local_start.date(), datetime.min.time(), zone) + timedelta(
                minutes=period.end_minute)
            self.assertLessEqual(line.stop, period_end, "a line does not cross a period boundary")

    @PROPERTY_SETTINGS
    @given(tariff=tou_tariffs(), session=sessions(), permille=st.integers(1000, 5000))
    def test_more_energy_never_costs_less(self, tariff, session, permille):
        """Same times, every energy step multiplied by 1.000..5.000: the bill cannot decrease.

        Amounts are computed from the exact energy of each piece, not from the Wh
        shown on the lines: the largest-remainder split that makes the shown Wh add up
        is not monotone (10 Wh over 6 h/6 h/2 h splits 4/4/2, 11 Wh splits 5/5/1).
        """
        before = price_session(tariff, facts_of(session))
        after = price_session(tariff, facts_of(session, permille))
        self.assertGreaterEqual(after.energy_kwh, before.energy_kwh)
        self.assertGreaterEqual(after.total, before.total)

    @PROPERTY_SETTINGS
    @given(tariff=tou_tariffs(), session=sessions(), reservation=prices, occupancy=st.integers(0, 600))
    def test_line_amounts_add_up_to_the_order(self, tariff, session, reservation, occupancy):
        """The lines' amounts, each component apart, add up exactly to the bill's."""
        tariff = replace(tariff, reservation_fee=reservation,
                         occupancy=OccupancyRule(free_minutes=15, block_minutes=30, block_fee=Decimal("1.5")))
        bill = price_session(tariff, replace(facts_of(session), reserved=True, occupancy_minutes=occupancy))
        self.assertEqual(sum((line.amount for line in bill.lines), Decimal(0)), bill.total)
        energy_lines = [line for line in bill.lines if line.kind == "energy"]
        self.assertEqual(sum((line.electricity_amount for line in energy_lines), Decimal(0)), bill.electricity)
        self.assertEqual(sum((line.service_amount for line in energy_lines), Decimal(0)), bill.service)
        for line in energy_lines:
            self.assertEqual(line.amount, line.electricity_amount + line.service_amount)
            self.assertGreaterEqual(line.electricity_amount, 0)
            self.assertGreaterEqual(line.service_amount, 0)

    @PROPERTY_SETTINGS
    @given(tariff=tou_tariffs(), session=sessions())
    def test_deterministic(self, tariff, session):
        self.assertEqual(price_session(tariff, facts_of(session)), price_session(tariff, facts_of(session)))
