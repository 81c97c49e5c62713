import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from odoo.tests import BaseCase, tagged

from ..tools import pricing
from ..tools.pricing import (
    BandPrice, CarTariff, OccupancyRule, Sample, SessionFacts, occupancy_fee, price_session,
    push_payload, snapshot_to_dict, tariff_from_dict,
)
from ..tools.tou_grid import BANDS, Period, TariffError

D = Decimal
UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")

# The demo time-of-use day of the operator (Asia/Shanghai).
DEMO_PERIODS = (
    Period(0, 480, "valley"),  # 00:00-08:00
    Period(480, 600, "flat"),  # 08:00-10:00
    Period(600, 720, "peak"),  # 10:00-12:00
    Period(720, 840, "sharp"),  # 12:00-14:00
    Period(840, 1140, "peak"),  # 14:00-19:00
    Period(1140, 1320, "flat"),  # 19:00-22:00
    Period(1320, 1440, "valley"),  # 22:00-24:00
)
DEMO_PRICES = {
    "sharp": BandPrice(D("1.25000"), D("0.80000")),
    "peak": BandPrice(D("1.02345"), D("0.80000")),
    "flat": BandPrice(D("0.68950"), D("0.60000")),
    "valley": BandPrice(D("0.31230"), D("0.40000")),
}


def demo_tariff(**changes):
    values = {"timezone": "Asia/Shanghai", "periods": DEMO_PERIODS, "prices": DEMO_PRICES}
    values.update(changes)
    return CarTariff(**values)


def standard_tariff(electricity="0.50000", service="0.30000", **changes):
    return CarTariff(timezone="Asia/Shanghai", periods=(Period(0, 1440, "standard"),),
                     prices={"standard": BandPrice(D(electricity), D(service))}, **changes)


def constant_power_session(start, stop, power_kw, meter_start_wh=1_000_000, sample_every=timedelta(minutes=1),
                           **changes):
    """Facts of a session at constant power, with a meter sample every ``sample_every``."""
    wh_per_second = power_kw * 1000 / 3600
    samples = []
    moment = start + sample_every
    while moment < stop:
        samples.append(Sample(moment, meter_start_wh + wh_per_second * (moment - start).total_seconds()))
        moment += sample_every
    meter_stop_wh = meter_start_wh + wh_per_second * (stop - start).total_seconds()
    return SessionFacts(start, stop, meter_start_wh, meter_stop_wh, tuple(samples), **changes)


def shanghai(day, hour, minute=0):
    return datetime(2024, 5, day, hour, minute, tzinfo=SHANGHAI)


def energy_lines(bill):
    return [line for line in bill.lines if line.kind == "energy"]


@tagged("at_install", "-post_install")
class TestCarPricing(BaseCase):
    """Worked examples of the car tariff engine: no database involved."""

    def assertLine(self, line, band, start, stop, energy, electricity, service):
        self.assertEqual((line.kind, line.band), ("energy", band))
        self.assertEqual((line.start, line.stop), (start, stop))
        self.assertEqual(line.start.utcoffset(), timedelta(0), "line bounds are in UTC")
        self.assertEqual(line.energy_kwh, D(energy))
        self.assertEqual(line.quantity, D(energy))
        self.assertEqual((line.electricity_amount, line.service_amount), (D(electricity), D(service)))
        self.assertEqual(line.amount, D(electricity) + D(service))

    def check_demo_session(self, bill):
        # 07:30-10:30 Shanghai (23:30-02:30 UTC) at 30 kW = 0.5 kWh a minute:
        #   valley 07:30-08:00 = 30 min -> 15 kWh; flat 08:00-10:00 = 120 min -> 60 kWh;
        #   peak 10:00-10:30 = 30 min -> 15 kWh; total 90 kWh.
        # electricity: 15 x 0.31230 = 4.6845; 60 x 0.68950 = 41.37; 15 x 1.02345 = 15.35175
        #   component: 4.6845 + 41.37 + 15.35175 = 61.40625 -> 61.41, shared by largest remainder:
        #   4.68 + 41.37 + 15.35 = 61.40, the missing fen goes to the largest remainder (0.0045): line 4.69
        # service: 15 x 0.40 = 6.00; 60 x 0.60 = 36.00; 15 x 0.80 = 12.00 -> 54.00
        # total: 61.41 + 54.00 = 115.41
        lines = energy_lines(bill)
        self.assertEqual(len(lines), 3)
        self.assertLine(lines[0], "valley", datetime(2024, 5, 5, 23, 30, tzinfo=UTC),
                        datetime(2024, 5, 6, 0, 0, tzinfo=UTC), "15.000", "4.69", "6.00")
        self.assertLine(lines[1], "flat", datetime(2024, 5, 6, 0, 0, tzinfo=UTC),
                        datetime(2024, 5, 6, 2, 0, tzinfo=UTC), "60.000", "41.37", "36.00")
        self.assertLine(lines[2], "peak", datetime(2024, 5, 6, 2, 0, tzinfo=UTC),
                        datetime(2024, 5, 6, 2, 30, tzinfo=UTC), "15.000", "15.35", "12.00")
        self.assertEqual(lines[1].electricity_price, D("0.68950"))
        self.assertEqual(bill.energy_kwh, D("90.000"))
        self.assertEqual(bill.energy_by_band, {"standard": D(0), "sharp": D(0), "peak": D(15), "flat": D(60),
                                               "valley": D(15)})
        self.assertEqual(set(bill.energy_by_band), set(BANDS))
        self.assertEqual((bill.electricity, bill.service), (D("61.41"), D("54.00")))
        self.assertEqual((bill.reservation, bill.occupancy), (D(0), D(0)))
        self.assertEqual(bill.total, D("115.41"))
        self.assertFalse(bill.meter_backwards)

    def test_time_of_use_session_across_two_boundaries(self):
        facts = constant_power_session(shanghai(6, 7, 30), shanghai(6, 10, 30), 30)
        self.check_demo_session(price_session(demo_tariff(), facts))

    def test_same_session_with_utc_datetimes(self):
        # the server works in UTC: 07:30 Shanghai is 23:30 UTC the day before
        facts = constant_power_session(datetime(2024, 5, 5, 23, 30, tzinfo=UTC),
                                       datetime(2024, 5, 6, 2, 30, tzinfo=UTC), 30)
        bill = price_session(demo_tariff(), facts)
        self.check_demo_session(bill)
        local = constant_power_session(shanghai(6, 7, 30), shanghai(6, 10, 30), 30)
        self.assertEqual(bill, price_session(demo_tariff(), local))

    def test_session_over_midnight(self):
        # 23:00-01:00 Shanghai at 7 kW: valley 22:00-24:00 of May 6 then valley 00:00-08:00 of May 7,
        # 7 kWh each; electricity 14 x 0.31230 = 4.3722 -> 4.37; service 14 x 0.40 = 5.60; total 9.97.
        # The lines share 4.37: 2.18 each, the remaining fen to the first (equal remainders)
        bill = price_session(demo_tariff(), constant_power_session(shanghai(6, 23), shanghai(7, 1), 7))
        lines = energy_lines(bill)
        self.assertEqual([line.band for line in lines], ["valley", "valley"])
        self.assertEqual([line.start.astimezone(SHANGHAI).date().day for line in lines], [6, 7])
        self.assertLine(lines[0], "valley", datetime(2024, 5, 6, 15, tzinfo=UTC), datetime(2024, 5, 6, 16, tzinfo=UTC),
                        "7.000", "2.19", "2.80")
        self.assertLine(lines[1], "valley", datetime(2024, 5, 6, 16, tzinfo=UTC), datetime(2024, 5, 6, 17, tzinfo=UTC),
                        "7.000", "2.18", "2.80")
        self.assertEqual((bill.electricity, bill.service, bill.total), (D("4.37"), D("5.60"), D("9.97")))

    def test_session_over_several_days(self):
        # 30 hours from 06:00 May 6 to 12:00 May 7 at 1 kW: every period crossed gets a line, 30 kWh in all
        bill = price_session(demo_tariff(), constant_power_session(shanghai(6, 6), shanghai(7, 12), 1,
                                                                   sample_every=timedelta(minutes=7)))
        lines = energy_lines(bill)
        self.assertEqual([line.band for line in lines],
                         ["valley", "flat", "peak", "sharp", "peak", "flat", "valley", "valley", "flat", "peak"])
        self.assertEqual(bill.energy_kwh, D("30.000"))
        self.assertEqual(sum(line.energy_kwh for line in lines), D("30.000"))
        self.assertEqual(bill.energy_by_band["valley"], D("2") + D("2") + D("8"))
        for previous, line in zip(lines, lines[1:]):
            self.assertEqual(previous.stop, line.start)

    def test_standard_tariff(self):
        # 1.2345 kWh metered (1234.5 Wh) is billed as 1.235 kWh (half up to the Wh):
        # electricity 1.235 x 0.50 = 0.6175 -> 0.62; service 1.235 x 0.30 = 0.3705 -> 0.37; total 0.99
        facts = SessionFacts(shanghai(6, 9), shanghai(6, 10), 5000.0, 6234.5)
        bill = price_session(standard_tariff(), facts)
        (line,) = bill.lines
        self.assertEqual((line.band, line.energy_kwh), ("standard", D("1.235")))
        self.assertEqual((bill.electricity, bill.service, bill.total), (D("0.62"), D("0.37"), D("0.99")))
        self.assertEqual(bill.energy_by_band["standard"], D("1.235"))

    def test_pile_without_tou_service_fee_uses_the_lowest_service_price(self):
        # lowest service price of the used bands: valley 0.40; 90 kWh x 0.40 = 36.00; electricity unchanged
        tariff = demo_tariff(tou_service_fee=False)
        bill = price_session(tariff, constant_power_session(shanghai(6, 7, 30), shanghai(6, 10, 30), 30))
        self.assertEqual([line.service_price for line in bill.lines], [D("0.40000")] * 3)
        self.assertEqual((bill.electricity, bill.service, bill.total), (D("61.41"), D("36.00"), D("97.41")))
        self.assertEqual(push_payload(tariff, "v1", "2024-05-07T00:00:00+08:00")["prices"]["sharp"],
                         {"electricity": "1.25000", "service": "0.40000"})

    def test_occupancy_fee(self):
        rule = OccupancyRule(free_minutes=15, block_minutes=30, block_fee=D("1.00"), cap=None)
        # 50 min occupied - 15 free = 35 billable -> 2 started blocks of 30 min -> 2 x 1.00
        self.assertEqual(occupancy_fee(rule, 50), (D(2), D("2.00")))
        capped = OccupancyRule(15, 30, D("1.00"), D("1.50"))
        self.assertEqual(occupancy_fee(capped, 50), (D(2), D("1.50")))
        self.assertEqual(occupancy_fee(rule, 10), (D(0), D(0)))
        self.assertEqual(occupancy_fee(rule, 15), (D(0), D(0)))
        self.assertEqual(occupancy_fee(rule, 45), (D(1), D("1.00")))  # exactly one block
        self.assertEqual(occupancy_fee(rule, 45 + 1 / 60), (D(2), D("2.00")))  # one second into the next
        self.assertEqual(occupancy_fee(None, 500), (D(0), D(0)))
        with self.assertRaises(TariffError) as caught:
            occupancy_fee(rule, -1)
        self.assertEqual(caught.exception.code, "negative_minutes")

    def test_reservation_and_occupancy_lines(self):
        # standard 2.000 kWh x 0.80 = 1.60, reservation 2.00, occupancy 50 min -> 2 blocks -> 2.00: total 5.60
        tariff = standard_tariff(reservation_fee=D("2.00"), occupancy=OccupancyRule(15, 30, D("1.00"), None))
        facts = SessionFacts(shanghai(6, 9), shanghai(6, 10), 0, 2000, occupancy_minutes=50, reserved=True)
        bill = price_session(tariff, facts)
        self.assertEqual([line.kind for line in bill.lines], ["energy", "reservation", "occupancy"])
        reservation, occupancy = bill.lines[1:]
        self.assertEqual((reservation.quantity, reservation.amount, reservation.energy_kwh), (D(1), D("2.00"), D(0)))
        self.assertEqual((occupancy.quantity, occupancy.amount), (D(2), D("2.00")))
        self.assertEqual((bill.reservation, bill.occupancy, bill.total), (D("2.00"), D("2.00"), D("5.60")))
        # not reserved, occupied within the free minutes: no fee lines
        bill = price_session(tariff, SessionFacts(shanghai(6, 9), shanghai(6, 10), 0, 2000, occupancy_minutes=10))
        self.assertEqual([line.kind for line in bill.lines], ["energy"])
        self.assertEqual(bill.total, D("1.60"))

    def test_each_component_is_rounded_once(self):
        # valley until 12:00, peak after, electricity 1.00000/kWh, no service; 10 Wh from 11:00 to 13:00 at
        # constant power -> 0.005 kWh per band. The component is 0.005 + 0.005 = 0.010 -> 0.01, not 0.02,
        # and the lines share it (equal remainders: the first gets the fen) so that they add up to it.
        tariff = CarTariff("Asia/Shanghai", (Period(0, 720, "valley"), Period(720, 1440, "peak")),
                           {"valley": BandPrice(1, 0), "peak": BandPrice(1, 0)})
        bill = price_session(tariff, SessionFacts(shanghai(6, 11), shanghai(6, 13), 100, 110))
        self.assertEqual([line.energy_kwh for line in bill.lines], [D("0.005"), D("0.005")])
        self.assertEqual([line.electricity_amount for line in bill.lines], [D("0.01"), D("0.00")])
        self.assertEqual((bill.electricity, bill.total), (D("0.01"), D("0.01")))
        # half up, not half even: 1.000 kWh x 0.12500 = 0.125 -> 0.13
        bill = price_session(standard_tariff("0.12500", "0"), SessionFacts(shanghai(6, 9), shanghai(6, 10), 0, 1000))
        self.assertEqual(bill.electricity, D("0.13"))

    def test_energy_split_sums_exactly(self):
        # 1 Wh over three periods (valley/flat/peak at 30 kW-like constant power): thirds cannot be exact;
        # the largest remainder gives the only Wh to one line and the bill still sums to 0.001
        facts = SessionFacts(shanghai(6, 7, 30), shanghai(6, 10, 30), 0, 1)
        bill = price_session(demo_tariff(), facts)
        self.assertEqual([line.band for line in bill.lines], ["valley", "flat", "peak"])
        self.assertEqual(sorted(line.energy_kwh for line in bill.lines), [D(0), D(0), D("0.001")])
        self.assertEqual(bill.lines[1].energy_kwh, D("0.001"), "flat has 2/3 of the Wh")
        self.assertEqual(sum(bill.energy_by_band.values()), bill.energy_kwh)

    def test_zero_energy_lines_are_kept(self):
        # the car stopped drawing at 08:00: flat and peak lines are there with 0 kWh
        samples = (Sample(shanghai(6, 8), 5000.0),)
        bill = price_session(demo_tariff(), SessionFacts(shanghai(6, 7, 30), shanghai(6, 10, 30), 0, 5000, samples))
        self.assertEqual([(line.band, line.energy_kwh) for line in bill.lines],
                         [("valley", D(5)), ("flat", D(0)), ("peak", D(0))])

    def test_samples_outside_and_duplicates(self):
        samples = (
            Sample(shanghai(6, 7), 0.0),  # before the start: ignored
            Sample(shanghai(6, 8), 1000.0),  # superseded by the next one (same instant)
            Sample(shanghai(6, 8), 3000.0),
            Sample(shanghai(6, 11), 99999.0),  # after the stop: ignored
        )
        bill = price_session(demo_tariff(), SessionFacts(shanghai(6, 7, 30), shanghai(6, 9), 0, 4000, samples))
        self.assertEqual([(line.band, line.energy_kwh) for line in bill.lines], [("valley", D(3)), ("flat", D(1))])
        self.assertFalse(bill.meter_backwards)

    def test_meter_backwards_is_flagged_not_priced(self):
        samples = (Sample(shanghai(6, 8), 1_030_000.0), Sample(shanghai(6, 9), 1_020_000.0))
        facts = SessionFacts(shanghai(6, 7, 30), shanghai(6, 10, 30), 1_000_000, 1_090_000, samples)
        bill = price_session(demo_tariff(), facts)
        self.assertTrue(bill.meter_backwards)
        self.assertEqual(bill.backwards_at, datetime(2024, 5, 6, 1, tzinfo=UTC))
        self.assertEqual(bill.lines, ())
        self.assertEqual(bill.energy_kwh, D("90.000"))
        self.assertEqual((bill.electricity, bill.service, bill.reservation, bill.occupancy, bill.total), (D(0),) * 5)
        # a sample above the stop register: the decrease is at the stop
        samples = (Sample(shanghai(6, 9), 1_095_000.0),)
        bill = price_session(demo_tariff(), SessionFacts(shanghai(6, 7, 30), shanghai(6, 10, 30), 1_000_000,
                                                         1_090_000, samples))
        self.assertEqual((bill.meter_backwards, bill.backwards_at), (True, datetime(2024, 5, 6, 2, 30, tzinfo=UTC)))
        # stop register below the start register
        bill = price_session(demo_tariff(), SessionFacts(shanghai(6, 7, 30), shanghai(6, 10, 30), 1000, 900))
        self.assertTrue(bill.meter_backwards)
        self.assertEqual(bill.energy_kwh, D("-0.100"))

    def test_zero_length_session(self):
        bill = price_session(demo_tariff(), SessionFacts(shanghai(6, 9), shanghai(6, 9), 1000, 1000))
        self.assertEqual([(line.band, line.energy_kwh) for line in bill.lines], [("flat", D(0))])
        self.assertEqual(bill.total, D(0))

    def test_daylight_saving_time_jump_forward(self):
        # Paris, 31 March 2024: 02:00 CET -> 03:00 CEST (01:00 UTC). The periods inside the jump
        # (02:00-02:30, 02:30-03:00) never happen; 01:00-04:00 local is 00:00-02:00 UTC at 1 kW.
        periods = (Period(0, 120, "valley"), Period(120, 150, "peak"), Period(150, 180, "flat"),
                   Period(180, 1440, "sharp"))
        tariff = CarTariff("Europe/Paris", periods, {band: BandPrice(1, 0) for band in ("valley", "peak", "flat",
                                                                                           "sharp")})
        facts = SessionFacts(datetime(2024, 3, 31, 0, tzinfo=UTC), datetime(2024, 3, 31, 2, tzinfo=UTC), 0, 2000)
        lines = price_session(tariff, facts).lines
        self.assertEqual([(line.band, line.start.hour, line.stop.hour, line.energy_kwh) for line in lines],
                         [("valley", 0, 1, D(1)), ("sharp", 1, 2, D(1))])

    def test_daylight_saving_time_set_back(self):
        # Paris, 27 October 2024: 03:00 CEST -> 02:00 CET (01:00 UTC); 02:00-03:00 local happens twice and
        # belongs to the period that starts at its first occurrence (00:00 UTC) until 03:00 CET (02:00 UTC).
        periods = (Period(0, 120, "valley"), Period(120, 180, "peak"), Period(180, 1440, "flat"))
        tariff = CarTariff("Europe/Paris", periods, {band: BandPrice(1, 0) for band in ("valley", "peak", "flat")})
        facts = SessionFacts(datetime(2024, 10, 26, 23, tzinfo=UTC), datetime(2024, 10, 27, 3, tzinfo=UTC), 0, 4000)
        lines = price_session(tariff, facts).lines
        self.assertEqual([(line.band, line.stop - line.start, line.energy_kwh) for line in lines],
                         [("valley", timedelta(hours=1), D(1)), ("peak", timedelta(hours=2), D(2)),
                          ("flat", timedelta(hours=1), D(1))])

    def test_invalid_tariffs(self):
        cases = {
            "negative_price": demo_tariff(prices={**DEMO_PRICES, "flat": BandPrice(D("-0.1"), 0)}),
            "price_digits": demo_tariff(prices={**DEMO_PRICES, "flat": BandPrice(D("0.123456"), 0)}),
            "missing_price": demo_tariff(prices={band: DEMO_PRICES[band] for band in ("sharp", "peak", "flat")}),
            "band": demo_tariff(prices={**DEMO_PRICES, "super": BandPrice(1, 1)}),
            "timezone": demo_tariff(timezone="Mars/Olympus"),
            "standard_form": CarTariff("Asia/Shanghai", (Period(0, 720, "standard"), Period(720, 1440, "peak")),
                                       {"standard": BandPrice(1, 1), "peak": BandPrice(1, 1)}),
            "gap": demo_tariff(periods=DEMO_PERIODS[1:]),
            "currency_digits": demo_tariff(currency_digits=9),
            "occupancy_rule": demo_tariff(occupancy=OccupancyRule(0, 0, D(1))),
        }
        facts = SessionFacts(shanghai(6, 9), shanghai(6, 10), 0, 1000)
        for code, tariff in cases.items():
            with self.subTest(code=code), self.assertRaises(TariffError) as caught:
                price_session(tariff, facts)
            self.assertEqual(caught.exception.code, code)
            self.assertIn(code, pricing.ERROR_CODES)
        with self.assertRaises(TariffError) as caught:
            pricing.check_tariff(demo_tariff(reservation_fee=D("-1")))
        self.assertEqual(caught.exception.params, {"field": "reservation fee", "value": "-1"})
        with self.assertRaises(TariffError) as caught:
            BandPrice("abc", 0)
        self.assertEqual(caught.exception.code, "number")

    def test_invalid_facts(self):
        cases = {
            "stop_before_start": SessionFacts(shanghai(6, 10), shanghai(6, 9), 0, 1000),
            "naive_datetime": SessionFacts(datetime(2024, 5, 6, 9), datetime(2024, 5, 6, 10), 0, 1000),
            "meter_value": SessionFacts(shanghai(6, 9), shanghai(6, 10), 0, float("nan")),
            "negative_minutes": SessionFacts(shanghai(6, 9), shanghai(6, 10), 0, 1000, occupancy_minutes=-5),
        }
        for code, facts in cases.items():
            with self.subTest(code=code), self.assertRaises(TariffError) as caught:
                price_session(demo_tariff(), facts)
            self.assertEqual(caught.exception.code, code)
            self.assertIn(code, pricing.ERROR_CODES)

    def test_snapshot_round_trip(self):
        tariff = demo_tariff(tou_service_fee=False, reservation_fee=D("3.50"),
                             occupancy=OccupancyRule(15, 30, D("1.00"), D("20.00")))
        data = snapshot_to_dict(tariff)
        self.assertEqual(data["prices"]["peak"], {"electricity": "1.02345", "service": "0.80000"})
        self.assertEqual(data["occupancy"]["cap"], "20.00")
        again = tariff_from_dict(json.loads(json.dumps(data)))
        self.assertEqual(again, tariff)
        self.assertEqual(again.prices["peak"].electricity, D("1.02345"))
        self.assertEqual(tariff_from_dict(snapshot_to_dict(standard_tariff())), standard_tariff())
        with self.assertRaises(TariffError) as caught:
            tariff_from_dict({"format": 1, "periods": []})
        self.assertEqual((caught.exception.code, caught.exception.params), ("snapshot", {"key": "timezone"}))

    def test_push_payload(self):
        tariff = demo_tariff(reservation_fee=D("2"), occupancy=OccupancyRule(15, 30, D("1"), None))
        payload = push_payload(tariff, "T-0001/v3", "2024-05-07T00:00:00+08:00")
        self.assertEqual(payload["version"], "T-0001/v3")
        self.assertEqual(payload["effectiveFrom"], "2024-05-07T00:00:00+08:00")
        self.assertEqual(payload["timezone"], "Asia/Shanghai")
        self.assertEqual(payload["periods"][0], {"start": "00:00", "end": "08:00", "band": "valley"})
        self.assertEqual(payload["periods"][-1], {"start": "22:00", "end": "24:00", "band": "valley"})
        self.assertEqual(payload["prices"]["valley"], {"electricity": "0.31230", "service": "0.40000"})
        self.assertEqual(set(payload["prices"]), {"sharp", "peak", "flat", "valley"})
        self.assertEqual(payload["reservationFee"], "2.00")
        self.assertEqual(payload["occupancy"], {"freeMinutes": 15, "blockMinutes": 30, "blockFee": "1.00",
                                                "cap": None})
        standard = push_payload(standard_tariff(), "S/v1", "2024-05-07T00:00:00+08:00")
        self.assertEqual(standard["periods"], [{"start": "00:00", "end": "24:00", "band": "standard"}])
        self.assertIsNone(standard["occupancy"])
