from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import DEMO_PERIODS, ChargeBillingCase, utc


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestTariffRules(ChargeBillingCase):

    def test_time_of_use_periods_must_cover_the_day(self):
        tariff = self.env["charge.tariff"].create({"name": "Gaps", "company_id": self.company.id})
        cases = {
            "gap": [(0, 8, "valley"), (9, 24, "flat")],
            "overlap": [(0, 9, "valley"), (8, 24, "flat")],
            "grid": [(0, 8.25, "valley"), (8.25, 24, "flat")],
            "short": [(0, 8, "valley"), (8, 23.5, "flat")],
        }
        messages = {}
        for name, periods in cases.items():
            with self.subTest(name), self.assertRaises(ValidationError) as caught:
                self.add_version(tariff, periods=periods, publish=False)
            messages[name] = str(caught.exception)
        self.assertIn("08:00-09:00", messages["gap"])
        self.assertIn("overlap", messages["overlap"])
        self.assertIn("30-minute", messages["grid"])
        self.assertIn("23:30-24:00", messages["short"])
        version = self.add_version(tariff, periods=DEMO_PERIODS, publish=False)
        self.assertEqual(len(version.period_ids), 7)

    def test_base_price_in_use_cannot_be_deleted_and_names_the_tariffs(self):
        price = self.env["charge.base.price"].create({"name": "Grid 2026", "company_id": self.company.id,
                                                      "price_sharp": 1.1, "price_peak": 0.9, "price_flat": 0.6,
                                                      "price_valley": 0.3})
        version = self.add_version(self.tou, periods=DEMO_PERIODS, base_price_id=price.id,
                                   effective="2026-11-22 16:00")
        self.assertEqual((version.elec_sharp, version.elec_valley), (1.1, 0.3))
        with self.assertRaisesRegex(UserError, "【TOU】"):
            price.unlink()
        with self.assertRaisesRegex(UserError, "new version"):
            price.price_peak = 1.0
        action = price.action_new_version()
        new = self.env["charge.base.price"].browse(action["res_id"])
        self.assertEqual((new.version, new.price_sharp), (2, 1.1))
        new.price_peak = 1.0
        self.env["charge.base.price"].create({"name": "Unused", "company_id": self.company.id}).unlink()

    def test_assigned_tariff_cannot_be_deleted(self):
        with self.assertRaisesRegex(UserError, "Bay Station"):
            self.tou.unlink()
        orphan = self.create_tariff("Orphan", price_electricity=1, price_service=1, effective="2026-11-01 00:00")
        with self.assertRaises(UserError):
            orphan.version_ids.unlink()  # published versions stay
        orphan.unlink()

    def test_versions_numbers_effective_time_and_freeze(self):
        draft = self.tou.version_ids.browse(self.tou.action_new_version()["res_id"])
        self.assertEqual(draft.number, 2)
        self.assertEqual(draft.state, "draft")
        self.assertEqual(len(draft.period_ids), 7, "a new version starts as a copy of the latest one")
        draft.service_peak = 0.9
        draft.action_publish()
        # next 00:00 in Shanghai after 2026-11-21 20:00 local is 2026-11-22 00:00 local = 2026-11-21 16:00 UTC
        self.assertEqual(draft.effective_date, utc("2026-11-21 16:00"))
        self.assertEqual(draft.status, "scheduled")
        self.assertEqual(self.tou.current_version_id.number, 1)
        self.assertEqual(self.tou.next_version_id, draft)
        with self.assertRaisesRegex(UserError, "cannot change"):
            draft.service_peak = 1.5
        self.assertEqual(self.tou._version_at(utc("2026-11-21 15:59")).number, 1)
        self.assertEqual(self.tou._version_at(utc("2026-11-21 16:00")).number, 2)
        with freeze_time("2026-11-21 16:30:00"):
            self.env.invalidate_all()  # the version in force is computed from the clock
            self.assertEqual(draft.status, "current")
            self.assertEqual(self.tou.version_ids.filtered(lambda v: v.number == 1).status, "superseded")

    def test_resolution_pile_override_then_station_default(self):
        pile = self.pile
        self.assertEqual(pile.effective_tariff_id, self.tou)
        pile.tariff_id = self.standard
        self.assertEqual(pile.effective_tariff_id, self.standard)
        self.assertTrue(pile.tariff_push_pending)
        self.assertEqual(pile._tariff_version_at(utc("2026-11-21 10:00")).tariff_id, self.standard)
        pile.tariff_id = False
        self.assertEqual(pile.effective_tariff_id, self.tou)
        other = self.create_pile("BUS00002")
        self.station.tariff_id = self.standard
        self.assertEqual((pile | other).effective_tariff_id, self.standard)
        self.assertEqual(self.standard.pile_count, 2)

    def test_batch_reassignment(self):
        piles = self.pile | self.create_pile("BUS00003")
        wizard = self.env["charge.tariff.assign"].create({"tariff_id": self.standard.id, "pile_ids": piles.ids,
                                                          "push_now": False})
        wizard.action_assign()
        self.assertEqual(piles.tariff_id, self.standard)
        ebike = self.create_tariff("Bike", kind="ebike", publish=False)
        with self.assertRaisesRegex(UserError, "another kind"):
            self.env["charge.tariff.assign"].create({"tariff_id": ebike.id, "pile_ids": piles.ids}).action_assign()

    def test_reservation_disabled_by_zero_fee_or_hold(self):
        version = self.tou.current_version_id
        self.assertTrue(version.reservation_enabled)
        self.assertFalse(self.standard.current_version_id.reservation_enabled)

    def test_negative_prices_and_long_auto_stop_are_refused(self):
        tariff = self.env["charge.tariff"].create({"name": "Neg", "company_id": self.company.id})
        with self.assertRaisesRegex(ValidationError, "negative"):
            self.add_version(tariff, price_electricity=-1, publish=False)
        bike = self.env["charge.tariff"].create({"name": "Bike", "kind": "ebike", "company_id": self.company.id})
        with self.assertRaisesRegex(ValidationError, "48 hours"):
            self.add_version(bike, auto_stop_minutes=2881, publish=False)

    def test_summary_shows_prices_with_five_decimals(self):
        self.assertEqual(self.standard.summary, "Electricity 0.50000/kWh; service 0.30000/kWh")
        self.assertEqual(self.tou.summary, "Electricity from 0.30000/kWh; service from 0.40000/kWh")
