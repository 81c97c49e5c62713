from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import ChargeBaseCase


@tagged("post_install", "-at_install")
class TestBatch(ChargeBaseCase):

    def _pile_batch(self, **values):
        return self.env["charge.pile.batch"].with_user(self.user).create({
            "station_id": self.station.id, "model_id": self.dc_model.id,
            "serial_prefix": "SZB", "first_number": 1, "number_width": 4, "quantity": 5, **values,
        })

    def test_batch_creates_piles_with_connectors(self):
        wizard = self._pile_batch(name_prefix="DC Pile ")
        self.assertEqual(wizard.preview, "SZB0001 … SZB0005")
        self.assertEqual(wizard.area_id, self.station.area_ids)
        action = wizard.action_create()
        piles = self.env["charge.pile"].search(action["domain"])
        self.assertEqual(piles.mapped("serial"), [f"SZB000{n}" for n in range(1, 6)])
        self.assertEqual(piles[0].name, "DC Pile 0001")
        self.assertEqual(sum(piles.mapped("connector_count")), 10)
        self.assertEqual(set(piles.mapped("state")), {"draft"})

    def test_batch_with_taken_serials_creates_nothing(self):
        self.create_pile("SZB0003")
        before = self.env["charge.pile"].search_count([])
        with self.assertRaisesRegex(UserError, "SZB0003"):
            self._pile_batch().action_create()
        self.assertEqual(self.env["charge.pile"].search_count([]), before)

    def test_batch_refuses_numbers_that_do_not_fit(self):
        wizard = self._pile_batch(first_number=9990, quantity=20)
        self.assertIn("does not fit", wizard.preview)
        with self.assertRaisesRegex(UserError, "does not fit in 4 digits"):
            wizard.action_create()

    def test_batch_form_defaults_area_from_station(self):
        form = Form(self.env["charge.pile.batch"].with_user(self.user))
        form.station_id = self.station
        self.assertEqual(form.area_id, self.station.area_ids)

    def test_parking_space_batch(self):
        area = self.station.area_ids
        wizard = self.env["charge.parking.space.batch"].with_user(self.user).create({
            "area_id": area.id, "prefix": "B1-", "quantity": 12, "lock_type": "camera",
        })
        action = wizard.action_create()
        spaces = self.env["charge.parking.space"].search(action["domain"])
        self.assertEqual(len(spaces), 12)
        self.assertEqual(spaces[0].number, "B1-001")
        self.assertEqual(spaces[-1].number, "B1-012")
        self.assertEqual(set(spaces.mapped("lock_type")), {"camera"})
        self.assertEqual(spaces[0].station_id, self.station)
        self.assertEqual(self.station.parking_space_count, 12)
        again = self.env["charge.parking.space.batch"].create({"area_id": area.id, "prefix": "B1-",
                                                               "first_number": 12, "quantity": 2})
        with self.assertRaisesRegex(UserError, "B1-012"):
            again.action_create()
        self.assertEqual(self.station.parking_space_count, 12)
