import json
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..tools import ebike_pricing
from ..tools.ebike_pricing import (
    MODES, ROUNDING, DurationTier, EbikeFacts, EbikeTariff, PowerBand, check_tariff, price_ebike,
    push_payload, snapshot_to_dict, tariff_from_dict,
)
from ..tools.tou_grid import TariffError

D = Decimal
BANDS = (PowerBand(200, D("0.10")), PowerBand(500, D("0.20")), PowerBand(1000, D("0.30")))
TIERS = (DurationTier(60, D("1.00")), DurationTier(120, D("1.80")), DurationTier(240, D("3.00")))


def facts(minutes, energy_kwh=0, max_power_w=150, extra_seconds=0):
    return EbikeFacts(minutes * 60 + extra_seconds, D(energy_kwh), D(max_power_w))


def per_hour(rate, **changes):
    """Mode power_duration with a single band: a flat rate per hour, as on the S004 piles."""
    return EbikeTariff("power_duration", power_bands=(PowerBand(10_000, D(rate)),), **changes)


@tagged("at_install", "-post_install")
class TestEbikePricing(BaseCase):
    """Worked examples of the e-bike tariff engine: no database involved."""

    def assertAmounts(self, bill, electricity, service, total):
        self.assertEqual((bill.electricity, bill.service, bill.total), (D(electricity), D(service), D(total)))

    def test_vocabulary(self):
        self.assertEqual(MODES, ("duration", "power_duration", "energy", "energy_hourly", "energy_power"))
        self.assertEqual(ROUNDING, ("half_up", "truncate"))

    def test_seed_s004_rate_per_hour_truncated_to_the_fen(self):
        # 18 min x 0.20/h = 0.06 exactly
        bill = price_ebike(per_hour("0.20"), facts(18))
        self.assertAmounts(bill, "0", "0.06", "0.06")
        self.assertEqual(bill.minutes, 18)
        # 14 min x 0.15/h = 0.035 -> 0.03 truncated (the seed's default), 0.04 half up
        self.assertAmounts(price_ebike(per_hour("0.15"), facts(14)), "0", "0.03", "0.03")
        self.assertAmounts(price_ebike(per_hour("0.15", rounding="half_up"), facts(14)), "0", "0.04", "0.04")
        # a rate of 0 is free of charge (but not a "free" session)
        bill = price_ebike(per_hour("0"), facts(30))
        self.assertEqual((bill.total, bill.free), (D(0), False))

    def test_completed_minutes_only(self):
        # 18 min 59 s are 18 billed minutes
        self.assertEqual(price_ebike(per_hour("0.20"), facts(18, extra_seconds=59)).minutes, 18)

    def test_free_minutes(self):
        tariff = per_hour("0.60", free_minutes=5)
        bill = price_ebike(tariff, facts(4, extra_seconds=59))  # 4 completed minutes < 5: free
        self.assertTrue(bill.free)
        self.assertAmounts(bill, "0", "0", "0")
        bill = price_ebike(tariff, facts(5))  # 5 min x 0.60/h = 0.05
        self.assertFalse(bill.free)
        self.assertAmounts(bill, "0", "0.05", "0.05")

    def test_duration_tiers(self):
        tariff = EbikeTariff("duration", duration_tiers=TIERS)
        for minutes, amount, tier in ((0, "1.00", 0), (30, "1.00", 0), (60, "1.00", 0), (61, "1.80", 1),
                                      (240, "3.00", 2), (300, "3.00", 2)):
            with self.subTest(minutes=minutes):
                bill = price_ebike(tariff, facts(minutes))
                self.assertAmounts(bill, "0", amount, amount)
                self.assertEqual(bill.tier, TIERS[tier])
                self.assertIsNone(bill.band)
        # beyond the last tier with an automatic-stop amount: that amount
        bill = price_ebike(EbikeTariff("duration", duration_tiers=TIERS, auto_stop_amount=D("3.50")), facts(300))
        self.assertAmounts(bill, "0", "3.50", "3.50")
        self.assertIsNone(bill.tier)

    def test_power_band_chosen_by_maximum_power(self):
        tariff = EbikeTariff("power_duration", power_bands=BANDS)
        # 60 min: the band's rate per hour
        for max_power, rate in ((0, "0.10"), (150, "0.10"), (200, "0.10"), (201, "0.20"), (500, "0.20"),
                                (999, "0.30"), (5000, "0.30")):
            with self.subTest(max_power=max_power):
                bill = price_ebike(tariff, facts(60, max_power_w=max_power))
                self.assertEqual(bill.total, D(rate))
                self.assertEqual(bill.band.rate_per_hour, D(rate))

    def test_energy_modes(self):
        # energy: 1.234 kWh x 0.60 = 0.7404 -> 0.74; 1.234 x 0.40 = 0.4936 -> 0.49 truncated, 0.49 half up
        tariff = EbikeTariff("energy", electricity_price=D("0.60"), service_price=D("0.40"))
        self.assertAmounts(price_ebike(tariff, facts(90, "1.234")), "0.74", "0.49", "1.23")
        # half up: 1.235 x 0.60 = 0.741 -> 0.74; 1.235 x 0.40 = 0.494 -> 0.49; 1.2375 x 0.4 = 0.495 -> 0.50
        half_up = EbikeTariff("energy", electricity_price=D("0.60"), service_price=D("0.40"), rounding="half_up")
        self.assertAmounts(price_ebike(half_up, facts(90, "1.2375")), "0.74", "0.50", "1.24")
        # energy_hourly: 2 kWh x 0.60 = 1.20; 90 min x 0.50/h = 0.75
        tariff = EbikeTariff("energy_hourly", electricity_price=D("0.60"), service_per_hour=D("0.50"))
        self.assertAmounts(price_ebike(tariff, facts(90, 2)), "1.20", "0.75", "1.95")
        # energy_power: 1 kWh x 0.60; 350 W -> band 0.20/h x 90 min = 0.30
        tariff = EbikeTariff("energy_power", electricity_price=D("0.60"), power_bands=BANDS)
        bill = price_ebike(tariff, facts(90, 1, max_power_w=350))
        self.assertAmounts(bill, "0.60", "0.30", "0.90")
        self.assertEqual(bill.band, BANDS[1])

    def test_auto_stop_at_48_hours(self):
        tariff = per_hour("0.20", auto_stop_minutes=2880, auto_stop_amount=D("8.00"))
        bill = price_ebike(tariff, facts(2880))
        self.assertTrue(bill.auto_stopped)
        self.assertAmounts(bill, "0", "8.00", "8.00")
        # one minute before: 2879 min x 0.20/h = 9.5966... -> 9.59
        bill = price_ebike(tariff, facts(2879))
        self.assertFalse(bill.auto_stopped)
        self.assertAmounts(bill, "0", "9.59", "9.59")
        # energy mode: the computed electricity is kept, the rest of the amount is service
        energy = EbikeTariff("energy", electricity_price=D("0.60"), service_price=D("0.40"), auto_stop_minutes=480,
                             auto_stop_amount=D("5.00"))
        self.assertAmounts(price_ebike(energy, facts(480, 3)), "1.80", "3.20", "5.00")
        self.assertAmounts(price_ebike(energy, facts(500, 10)), "5.00", "0.00", "5.00")  # electricity capped
        # an automatic stop without an amount: flagged, priced normally (8 h x 0.20 = 1.60)
        bill = price_ebike(per_hour("0.20", auto_stop_minutes=480), facts(480))
        self.assertEqual((bill.auto_stopped, bill.total), (True, D("1.60")))

    def test_check_tariff(self):
        check_tariff(per_hour("0.20", auto_stop_minutes=2880))
        cases = {
            "auto_stop_limit": per_hour("0.20", auto_stop_minutes=49 * 60),
            "tiers_order": EbikeTariff("duration", duration_tiers=(TIERS[1], TIERS[0])),
            "no_tiers": EbikeTariff("duration"),
            "no_bands": EbikeTariff("energy_power", electricity_price=1),
            "bands_order": EbikeTariff("power_duration", power_bands=(BANDS[2], BANDS[0])),
            "negative_price": EbikeTariff("energy", electricity_price=D("-0.1")),
            "mode": EbikeTariff("per_kilometre"),
            "rounding": per_hour("0.20", rounding="banker"),
            "negative_minutes": per_hour("0.20", free_minutes=-1),
            "currency_digits": per_hour("0.20", currency_digits=7),
        }
        for code, tariff in cases.items():
            with self.subTest(code=code), self.assertRaises(TariffError) as caught:
                check_tariff(tariff)
            self.assertEqual(caught.exception.code, code)
            self.assertIn(code, ebike_pricing.ERROR_CODES)
        with self.assertRaises(TariffError) as caught:
            check_tariff(per_hour("0.20", auto_stop_minutes=2940))
        self.assertEqual(caught.exception.params, {"minutes": 2940, "limit": 2880})
        with self.assertRaises(TariffError) as caught:
            EbikeTariff("energy", electricity_price="abc")
        self.assertEqual(caught.exception.code, "number")
        with self.assertRaises(TariffError) as caught:
            price_ebike(per_hour("0.20"), EbikeFacts(-60, D(0), D(0)))
        self.assertEqual(caught.exception.code, "negative_fact")

    def test_snapshot_round_trip_and_push_payload(self):
        tariff = EbikeTariff("energy_power", duration_tiers=TIERS, power_bands=BANDS, electricity_price=D("0.61230"),
                             free_minutes=5, auto_stop_minutes=2880, auto_stop_amount=D("8"), rounding="half_up")
        data = json.loads(json.dumps(snapshot_to_dict(tariff)))
        self.assertEqual(tariff_from_dict(data), tariff)
        self.assertEqual(data["power_bands"][0], {"up_to_watts": "200", "rate_per_hour": "0.10"})
        with self.assertRaises(TariffError) as caught:
            tariff_from_dict({"format": 1, "rounding": "truncate"})
        self.assertEqual((caught.exception.code, caught.exception.params), ("snapshot", {"key": "mode"}))
        payload = push_payload(tariff, "7.2", "2024-05-07T00:00:00Z")
        self.assertEqual((payload["version"], payload["effectiveFrom"], payload["mode"]),
                         ("7.2", "2024-05-07T00:00:00Z", "energy_power"))
        self.assertEqual(payload["powerBands"][2], {"upToWatts": "1000", "ratePerHour": "0.30"})
        self.assertEqual(payload["durationTiers"][0], {"upToMinutes": 60, "amount": "1.00"})
        self.assertEqual((payload["electricityPrice"], payload["autoStopAmount"]), ("0.61230", "8.00"))
        self.assertEqual((payload["freeMinutes"], payload["autoStopMinutes"]), (5, 2880))
        # an amount with more decimals than the currency is sent unaltered
        self.assertEqual(push_payload(per_hour("0.125"), "1", "x")["powerBands"][0]["ratePerHour"], "0.125")
