from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ChargeBaseCase


@tagged("post_install", "-at_install")
class TestSecurity(ChargeBaseCase):

    def test_user_operates_but_cannot_configure(self):
        env = self.env(user=self.user)
        # operations are allowed
        pile = env["charge.pile"].create({
            "serial": "SEC00001", "name": "Clerk pile", "station_id": self.station.id,
            "model_id": self.dc_model.id,
        })
        pile.connector_ids[0].name = "A"
        env["charge.station"].browse(self.station.id).hotline = "0755-1234"
        # configuration is not
        with self.assertRaises(AccessError):
            env["charge.pile.model"].create({"brand": "X", "name": "Y", "connector_count": 1})
        with self.assertRaises(AccessError):
            env["charge.pile.model"].browse(self.dc_model.id).rated_power = 60
        with self.assertRaises(AccessError):
            env["charge.station.tag"].create({"name": "Cheap"})
        with self.assertRaises(AccessError):
            env["res.config.settings"].create({"charge_hotline": "110"})
        # nor deletion
        with self.assertRaises(AccessError):
            pile.unlink()
        with self.assertRaises(AccessError):
            env["charge.station"].browse(self.station.id).unlink()

    def test_manager_configures(self):
        env = self.env(user=self.manager)
        model = env["charge.pile.model"].create({"brand": "X", "name": "Y", "connector_count": 1})
        model.rated_power = 3.5
        env["charge.station.tag"].create({"name": "Cheap"})
        with self.assertRaises(AccessError, msg="company settings stay with the administrators"):
            env["res.config.settings"].create({"charge_hotline": "110"})

    def test_administrator_sets_company_settings(self):
        admin = new_test_user(self.env, login="charge_admin",
                              groups="base.group_system,charge_base.group_charge_manager",
                              company_id=self.company.id, company_ids=[self.company.id])
        settings = self.env["res.config.settings"].with_user(admin).create({
            "charge_hotline": "400-000-0000", "charge_map_provider": "baidu",
        })
        settings.execute()
        self.assertEqual(self.company.charge_hotline, "400-000-0000")
        self.assertIn("api.map.baidu.com", self.station.map_url)

    def test_employees_without_charging_rights_see_nothing(self):
        outsider = new_test_user(self.env, login="outsider", groups="base.group_user",
                                 company_id=self.company.id, company_ids=[self.company.id])
        for model in ("charge.station", "charge.pile", "charge.connector", "charge.area",
                      "charge.parking.space", "charge.pile.model", "charge.station.tag"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(outsider).search([])
