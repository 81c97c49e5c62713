from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from odoo.tests import BaseCase, tagged

from ..tools import pricing, session_curve
from ..tools.pricing import BandPrice, CarTariff, Sample, SessionFacts, price_session
from ..tools.session_curve import DayBounds, EnergyCurve, local_to_utc
from ..tools.tou_grid import Period

UTC = timezone.utc
PARIS = ZoneInfo("Europe/Paris")
PERIODS = (Period(0, 120, "valley"), Period(120, 150, "flat"), Period(150, 180, "peak"), Period(180, 1440, "flat"))
PRICES = {"valley": BandPrice(Decimal("0.31"), Decimal("0.4")), "flat": BandPrice(Decimal("0.68953"), Decimal("0.6")),
          "peak": BandPrice(Decimal("1.02347"), Decimal("0.8"))}


def reference_pieces(periods, zone, start, stop):
    """[start, stop] cut at every local boundary, day by day, each boundary converted on its own."""
    pieces = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    while day <= stop.astimezone(zone).date() + timedelta(days=1):
        for period in periods:
            piece_start = max(local_to_utc(day, period.start_minute, zone), start)
            piece_stop = min(local_to_utc(day, period.end_minute, zone), stop)
            if piece_start < piece_stop:
                pieces.append((period.band, piece_start, piece_stop))
        day += timedelta(days=1)
    return pieces


@tagged("at_install", "-post_install")
class TestSessionCurve(BaseCase):
    """The time side of the pricing engine: period boundaries computed once per local day, and
    the energy curve read from the samples as they come."""

    def test_day_bounds_are_the_local_boundaries_of_the_day(self):
        bounds = DayBounds(PERIODS, PARIS)
        # 29 March 2026: the clocks go from 02:00 to 03:00 in Paris, the 02:00-02:30 flat and the
        # 02:30-03:00 peak periods do not exist that day (zero long, at the jump)
        first, last, pieces = bounds.of(date(2026, 3, 29))
        self.assertEqual(pieces, tuple((p.band, local_to_utc(date(2026, 3, 29), p.start_minute, PARIS),
                                        local_to_utc(date(2026, 3, 29), p.end_minute, PARIS)) for p in PERIODS))
        self.assertEqual(pieces[1][1], pieces[1][2])
        self.assertEqual((first, last), (datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
                                         datetime(2026, 3, 29, 22, 0, tzinfo=UTC)))
        self.assertIs(bounds.of(date(2026, 3, 29)), bounds.of(date(2026, 3, 29)))  # computed once
        self.assertIs(session_curve.day_bounds(list(PERIODS), PARIS), session_curve.day_bounds(PERIODS, PARIS))

    def test_pieces_are_those_of_a_walk_day_by_day(self):
        bounds = DayBounds(PERIODS, PARIS)
        for start, hours in ((datetime(2026, 3, 27, 22, 17, 3, tzinfo=UTC), 80),  # over the spring change
                             (datetime(2026, 10, 24, 23, 59, 59, 1, tzinfo=UTC), 50),  # over the autumn change
                             (datetime(2026, 6, 1, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai")), 3)):  # not in UTC
            stop = start + timedelta(hours=hours)
            expected = reference_pieces(PERIODS, PARIS, start.astimezone(UTC), stop.astimezone(UTC))
            self.assertEqual(bounds.pieces(start, stop), expected)
            self.assertEqual(list(pricing.period_pieces(PERIODS, PARIS, start, stop)), expected)

    def test_plain_registers_are_compared_without_conversion(self):
        plain = session_curve._plain_registers
        self.assertTrue(plain([0, 1.5, 2 ** 53, -3.25]))
        for values in ([1.0, True], [1.0, "2"], [1.0, Decimal(2)], [1.0, float("nan")], [1.0, float("inf")],
                       [1.0, 2 ** 53 + 1], [1e300, 1e300]):
            self.assertFalse(plain(values), values)

    def test_fixed_zones(self):
        self.assertTrue(session_curve.is_fixed_zone(UTC))
        self.assertTrue(session_curve.is_fixed_zone(timezone(timedelta(hours=8))))
        self.assertTrue(session_curve.is_fixed_zone(ZoneInfo("UTC")))
        self.assertFalse(session_curve.is_fixed_zone(PARIS))
        self.assertFalse(session_curve.is_fixed_zone(None))
        times = [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)]
        self.assertIs(session_curve.common_zone(times), UTC)
        self.assertIsNone(session_curve.common_zone(times + [datetime(2026, 1, 3)]))
        self.assertIsNone(session_curve.common_zone(times + [datetime(2026, 1, 3, tzinfo=PARIS)]))

    def test_samples_in_any_order_and_zone_give_the_same_bill(self):
        tariff = CarTariff(timezone="Europe/Paris", periods=PERIODS, prices=PRICES)
        start = datetime(2026, 3, 28, 23, 40, tzinfo=UTC)
        samples = [Sample(start + timedelta(minutes=7 * step), 1000.0 + 1234.5 * step) for step in range(1, 40)]
        facts = SessionFacts(start, start + timedelta(hours=5), 1000, 1000.0 + 1234.5 * 45, tuple(samples))
        bill = price_session(tariff, facts)
        self.assertEqual([line.band for line in bill.lines], ["valley", "flat"])  # 02:00-03:00 does not exist
        # the same samples in Paris time, shuffled, one repeated with an earlier (overridden) register,
        # registers as text: the general path, the same curve
        moved = [Sample(sample.at.astimezone(PARIS), repr(sample.energy_wh)) for sample in samples]
        moved = moved[20:] + [Sample(moved[3].at, "1.0")] + moved[:20]
        other = SessionFacts(start, start + timedelta(hours=5), Decimal(1000), Decimal(1000) + Decimal("1234.5") * 45,
                             tuple(moved))
        self.assertEqual(repr(price_session(tariff, other)), repr(bill))
        fast, general = EnergyCurve.from_facts(facts), EnergyCurve.from_facts(other)
        self.assertEqual(fast.zone, UTC)
        for minutes in (0, 5, 7, 33, 299, 300):
            moment = start + timedelta(minutes=minutes)
            self.assertEqual(fast.energy_at(moment), general.energy_at(moment))

    def test_a_meter_going_backwards_is_found_in_both_paths(self):
        start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
        samples = (Sample(start + timedelta(minutes=10), 2000.0), Sample(start + timedelta(minutes=20), 1999.9),
                   Sample(start + timedelta(minutes=30), 2500.0))
        for given in (samples, tuple(reversed(samples))):
            curve = EnergyCurve.from_facts(SessionFacts(start, start + timedelta(hours=1), 1000, 3000.0, given))
            self.assertEqual(curve.first_decrease(), start + timedelta(minutes=20))
        # a float and an integer register that are equal do not go backwards
        same = (Sample(start + timedelta(minutes=10), 2000), Sample(start + timedelta(minutes=20), 2000.0))
        self.assertIsNone(EnergyCurve.from_facts(SessionFacts(start, start + timedelta(hours=1), 1000, 3000,
                                                              same)).first_decrease())

    def test_a_tariff_changed_after_pricing_is_priced_anew(self):
        tariff = CarTariff(timezone="Europe/Paris", periods=PERIODS, prices=dict(PRICES))
        start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
        facts = SessionFacts(start, start + timedelta(hours=1), 0, 10000)
        self.assertEqual(price_session(tariff, facts).total, Decimal("12.90"))
        tariff.prices["flat"] = BandPrice(Decimal("1"), Decimal("1"))
        self.assertEqual(price_session(tariff, facts).total, Decimal("20.00"))
