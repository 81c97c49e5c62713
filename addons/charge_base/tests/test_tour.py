from odoo.tests import tagged

from .common import ChargeHttpCase


@tagged("post_install", "-at_install")
class TestStationTour(ChargeHttpCase):

    def test_manager_creates_a_station_and_a_pile_in_the_web_client(self):
        self.env["charge.pile.model"].create({
            "brand": "TourBrand", "name": "TourModel", "kind": "car", "current_type": "dc",
            "rated_power": 60, "max_power": 60, "connector_count": 2,
        })
        self.start_tour("/odoo/charging-stations/new", "charge_base_station_pile_tour", login="charge_boss")

        station = self.env["charge.station"].search([("name", "=", "蛇口码头充电站")])
        self.assertEqual(len(station), 1)
        self.assertEqual(station.company_id, self.company)
        self.assertEqual((station.approval_state, station.operating_state), ("approved", "operating"))
        self.assertEqual(station.city, "深圳市")
        self.assertAlmostEqual(station.latitude, 22.4869)
        pile = self.env["charge.pile"].search([("serial", "=", "TOUR0001")])
        self.assertEqual(pile.station_id, station)
        self.assertEqual(pile.area_id, station.area_ids.filtered("is_default"))
        self.assertEqual(pile.state, "draft")
        self.assertEqual(pile.connector_ids.mapped("code"), ["TOUR000101", "TOUR000102"])
        pile.online = True  # what the device bus does when the pile connects
        pile.action_commission()
        self.assertEqual(pile.state, "commissioned")
