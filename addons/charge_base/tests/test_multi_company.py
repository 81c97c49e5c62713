from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import ChargeBaseCase

MODELS = ("charge.station", "charge.area", "charge.parking.space", "charge.pile", "charge.connector")


@tagged("post_install", "-at_install")
class TestMultiCompany(ChargeBaseCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        pile = cls.create_pile("MC000001")
        pile.action_commission()
        cls.env["charge.parking.space"].create({"area_id": cls.station.area_ids.id, "number": "001"})
        cls.private_model = cls.env["charge.pile.model"].create({
            "brand": "Own", "name": "Secret", "company_id": cls.company.id, "connector_count": 1,
        })
        cls.private_tag = cls.env["charge.station.tag"].create({"name": "Ours", "company_id": cls.company.id})
        cls.other_company = cls.env["res.company"].create({"name": "Rival Charging Co"})
        cls.rival = new_test_user(
            cls.env, login="rival_manager", groups="charge_base.group_charge_manager",
            company_id=cls.other_company.id, company_ids=[cls.other_company.id],
        )

    def test_other_company_reads_nothing(self):
        for model in MODELS:
            with self.subTest(model=model):
                mine = self.env[model].search([("company_id", "=", self.company.id)])
                self.assertTrue(mine, "the scenario has records of every kind")
                rival_env = self.env(user=self.rival, context={"allowed_company_ids": [self.other_company.id]})
                self.assertEqual(rival_env[model].search_count([]), 0)
                with self.assertRaises(AccessError):
                    rival_env[model].browse(mine[0].id).read(["display_name"])

    def test_company_owned_configuration_is_private_shared_one_is_not(self):
        rival_env = self.env(user=self.rival, context={"allowed_company_ids": [self.other_company.id]})
        models = rival_env["charge.pile.model"].search([])
        self.assertIn(self.dc_model.id, models.ids, "catalogue entries without company are shared")
        self.assertNotIn(self.private_model.id, models.ids)
        self.assertNotIn(self.private_tag.id, rival_env["charge.station.tag"].search([]).ids)

    def test_piles_cannot_mix_companies(self):
        rival_station = self.env["charge.station"].create({
            "name": "Rival Station", "company_id": self.other_company.id,
        })
        private_model = self.env["charge.pile.model"].create({
            "brand": "Own", "name": "Secret2", "company_id": self.company.id, "connector_count": 1,
        })
        with self.assertRaises(UserError):
            self.env["charge.pile"].create({
                "serial": "MIX00001", "name": "Mixed", "station_id": rival_station.id,
                "model_id": private_model.id,
            })
