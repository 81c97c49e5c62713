from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ChargeBaseCase


@tagged("post_install", "-at_install")
class TestStation(ChargeBaseCase):

    def test_each_station_gets_one_default_area(self):
        station = self.create_station("New Station")
        self.assertEqual(len(station.area_ids), 1)
        area = station.area_ids
        self.assertTrue(area.is_default)
        self.assertTrue(area.code.startswith("AR"))
        other = self.create_station("Other Station")
        self.assertNotEqual(other.area_ids.code, area.code, "area numbers are unique")

    def test_submit_needs_an_address_and_a_map_position(self):
        station = self.env["charge.station"].create({"name": "No Address", "company_id": self.company.id})
        with self.assertRaisesRegex(UserError, "street, city, map position"):
            station.action_submit()
        station.write({"street": "Road 1", "city": "Shenzhen", "latitude": 22.5, "longitude": 114.0})
        station.action_submit()
        self.assertEqual(station.approval_state, "to_approve")

    def test_only_a_manager_approves_and_only_approved_stations_operate(self):
        station = self.create_station("Pending Station")
        with self.assertRaises(UserError):
            station.action_start()
        station.with_user(self.user).action_submit()
        with self.assertRaises(AccessError):
            station.with_user(self.user).action_approve()
        with self.assertRaises(AccessError):
            station.with_user(self.user).action_reject()
        self.assertEqual(station.approval_state, "to_approve")
        with self.assertRaises(UserError):
            station.with_user(self.user).action_start()

        station.with_user(self.manager).action_approve()
        self.assertEqual(station.approval_state, "approved")
        station.with_user(self.user).action_start()
        self.assertEqual(station.operating_state, "operating")
        self.assertTrue(station.commissioning_date)

    def test_rejection_returns_to_draft(self):
        station = self.create_station("Rejected Station")
        station.action_submit()
        station.with_user(self.manager).action_reject()
        self.assertEqual(station.approval_state, "draft")
        self.assertIn("rejected", station.message_ids[0].body)
        with self.assertRaises(UserError):
            station.with_user(self.manager).action_approve()

    def test_stopping_a_station_stops_its_piles(self):
        running = self.create_pile("STOP0001")
        running.action_commission()
        other = self.create_pile("STOP0002", model=self.ac_model)
        other.action_commission()
        other.action_stop()
        draft = self.create_pile("STOP0003")
        elsewhere = self.create_station("Elsewhere")
        elsewhere.action_submit()
        elsewhere.with_user(self.manager).action_approve()
        elsewhere.action_start()
        unrelated = self.create_pile("STOP0004", station=elsewhere)
        unrelated.action_commission()

        self.station.with_user(self.user).action_stop()

        self.assertEqual(self.station.operating_state, "stopped")
        self.assertEqual(running.state, "stopped")
        self.assertFalse(running.is_operational)
        self.assertEqual(other.state, "stopped")
        self.assertEqual(draft.state, "draft")
        self.assertEqual(unrelated.state, "commissioned")
        self.assertTrue(unrelated.is_operational)
        with self.assertRaisesRegex(UserError, "start station"):
            running.action_commission()

    def test_counts(self):
        self.create_pile("CNT00001")
        self.create_pile("CNT00002", model=self.ac_model)
        area = self.station.area_ids
        self.env["charge.parking.space"].create([
            {"area_id": area.id, "number": "001"}, {"area_id": area.id, "number": "002"},
        ])
        self.assertEqual(self.station.area_count, 1)
        self.assertEqual(self.station.pile_count, 2)
        self.assertEqual(self.station.connector_count, 3)
        self.assertEqual(self.station.parking_space_count, 2)
        self.assertEqual(area.pile_count, 2)
        self.assertEqual(area.connector_count, 3)

    def test_app_visibility_follows_site_type_and_operation(self):
        self.assertEqual(self.station.app_visibility, "listed")
        self.station.site_type = "dedicated"
        self.assertEqual(self.station.app_visibility, "scan")
        self.station.action_stop()
        self.assertEqual(self.station.app_visibility, "hidden")

    def test_map_link_uses_company_provider(self):
        self.assertIn("uri.amap.com", self.station.map_url)
        self.company.charge_map_provider = "osm"
        self.station.invalidate_recordset(["map_url"])
        self.assertIn("openstreetmap.org", self.station.map_url)
        action = self.station.action_open_map()
        self.assertEqual(action["url"], self.station.map_url)

    def test_only_draft_stations_can_be_deleted(self):
        with self.assertRaises(UserError):
            self.station.with_user(self.manager).unlink()
        draft = self.create_station("Scratch")
        draft.with_user(self.manager).unlink()
        self.assertFalse(draft.exists())

    def test_archiving_stops_the_station(self):
        pile = self.create_pile("ARCH0001")
        pile.action_commission()
        self.station.action_archive()
        self.assertEqual(self.station.operating_state, "stopped")
        self.assertEqual(pile.state, "stopped")
        self.assertEqual(self.station.app_visibility, "hidden")

    def test_default_hotline_comes_from_company(self):
        self.company.charge_hotline = "400-123-4567"
        station = self.create_station("Hotline Station")
        self.assertEqual(station.hotline, "400-123-4567")
