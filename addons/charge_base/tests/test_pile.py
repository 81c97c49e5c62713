from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ChargeBaseCase


@tagged("post_install", "-at_install")
class TestPile(ChargeBaseCase):

    def test_serial_is_unique_across_companies(self):
        self.create_pile("UNIQ0001")
        other_company = self.env["res.company"].create({"name": "Other Operator"})
        other_station = self.env["charge.station"].with_company(other_company).create({
            "name": "Other", "company_id": other_company.id,
        })
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["charge.pile"].with_company(other_company).create({
                    "serial": "UNIQ0001", "name": "Clone", "station_id": other_station.id,
                    "model_id": self.dc_model.id,
                })

    def test_serial_is_checked_and_stripped(self):
        pile = self.create_pile("  TRIM0001  ")
        self.assertEqual(pile.serial, "TRIM0001")
        with self.assertRaisesRegex(ValidationError, "Invalid pile serial"):
            self.create_pile("BAD/0001")

    def test_serial_is_fixed_once_commissioned(self):
        pile = self.create_pile("FIX00001")
        pile.serial = "FIX00002"  # a draft may still be corrected
        self.assertEqual(pile.connector_ids.mapped("code"), ["FIX0000201", "FIX0000202"])
        pile.action_commission()
        pile.action_stop()
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            pile.serial = "FIX00003"
        pile.serial = "FIX00002"  # writing the same value is harmless
        self.assertEqual(pile.serial, "FIX00002")

    def test_connectors_follow_the_model(self):
        pile = self.create_pile("CONN0001")
        self.assertEqual(pile.connector_ids.mapped("number"), [1, 2])
        self.assertEqual(pile.connector_ids.mapped("code"), ["CONN000101", "CONN000102"])
        self.assertEqual(set(pile.connector_ids.mapped("interface_type")), {"gbt_dc"})
        self.assertEqual(set(pile.connector_ids.mapped("status")), {"offline"})
        self.assertEqual(pile.connector_ids[0].max_power, 120)

        pile.model_id = self.ac_model
        self.assertEqual(pile.connector_ids.mapped("number"), [1])

        ebike_station = self.create_station("E-bike Shed", kind="ebike")
        device = self.create_pile("E0010101", station=ebike_station, model=self.ebike_model)
        self.assertEqual(len(device.connector_ids), 10)
        self.assertEqual(device.connector_ids[-1].code, "E001010110")
        self.assertEqual(device.connector_ids[0].max_power, 0.8)
        self.assertEqual(device.connector_ids[0].station_id, ebike_station)

    def test_explicit_connectors_are_completed(self):
        pile = self.create_pile("EXPL0001", connector_ids=[(0, 0, {"number": 2, "name": "B"})])
        self.assertEqual(pile.connector_ids.sorted("number").mapped("number"), [1, 2])
        self.assertEqual(pile.connector_ids.filtered(lambda c: c.number == 2).name, "B")

    def test_model_is_fixed_after_draft(self):
        pile = self.create_pile("MODL0001")
        pile.action_commission()
        with self.assertRaisesRegex(UserError, "only be changed while it is a draft"):
            pile.model_id = self.ac_model

    def test_model_must_match_station_kind(self):
        with self.assertRaises(ValidationError):
            self.create_pile("KIND0001", model=self.ebike_model)

    def test_area_defaults_to_station_default_area_and_must_belong_to_it(self):
        pile = self.create_pile("AREA0001")
        self.assertEqual(pile.area_id, self.station.area_ids.filtered("is_default"))
        other = self.create_station("Other Site")
        with self.assertRaises(ValidationError):
            pile.area_id = other.area_ids

    def test_life_cycle(self):
        pile = self.create_pile("LIFE0001")
        self.assertEqual(pile.state, "draft")
        self.assertFalse(pile.is_operational)
        pile.with_user(self.user).action_commission()
        self.assertEqual(pile.state, "commissioned")
        self.assertTrue(pile.is_operational)
        first = pile.commissioning_date
        pile.with_user(self.user).action_stop()
        pile.with_user(self.user).action_commission()
        self.assertEqual(pile.commissioning_date, first, "the first commissioning date is kept")
        with self.assertRaises(UserError):
            pile.with_user(self.manager).action_retire()
        pile.action_stop()
        with self.assertRaises(AccessError):
            pile.with_user(self.user).action_retire()
        pile.with_user(self.manager).action_retire()
        self.assertEqual(pile.state, "retired")
        with self.assertRaises(UserError):
            pile.action_commission()

    def test_commissioning_needs_an_approved_operating_station(self):
        station = self.create_station("Unapproved")
        pile = self.create_pile("APPR0001", station=station)
        with self.assertRaisesRegex(UserError, "not approved"):
            pile.action_commission()

    def test_archived_area_takes_piles_out_of_operation(self):
        area = self.env["charge.area"].create({"station_id": self.station.id, "name": "B2"})
        pile = self.create_pile("ARCA0001", area_id=area.id)
        pile.action_commission()
        self.assertTrue(pile.is_operational)
        area.action_archive()
        self.assertFalse(pile.is_operational)
        self.assertEqual(pile.state, "commissioned")
        with self.assertRaisesRegex(UserError, "archived area"):
            self.create_pile("ARCA0002", area_id=area.id)
        area.action_unarchive()
        self.assertTrue(pile.is_operational)

    def test_commissioned_piles_cannot_be_deleted(self):
        pile = self.create_pile("DEL00001")
        pile.action_commission()
        pile.action_stop()
        with self.assertRaisesRegex(UserError, "retire it instead"):
            pile.with_user(self.manager).unlink()
        draft = self.create_pile("DEL00002")
        connectors = draft.connector_ids
        draft.with_user(self.manager).unlink()
        self.assertFalse(connectors.exists())

    def test_area_with_piles_cannot_be_deleted(self):
        area = self.env["charge.area"].create({"station_id": self.station.id, "name": "B3"})
        self.create_pile("DELA0001", area_id=area.id)
        with self.assertRaisesRegex(UserError, "still has piles"):
            area.with_user(self.manager).unlink()

    def test_connector_status_change_is_timestamped(self):
        pile = self.create_pile("STAT0001")
        connector = pile.connector_ids[0]
        connector.status_date = "2020-01-01 00:00:00"
        connector.status = "available"
        self.assertGreater(connector.status_date.year, 2020)

    def test_search_by_serial(self):
        pile = self.create_pile("SRCH0001")
        self.assertIn(pile, self.env["charge.pile"].search([("display_name", "ilike", "SRCH0001")]))
        found = self.env["charge.pile"].name_search("SRCH0001")
        self.assertEqual(found[0][0], pile.id)
