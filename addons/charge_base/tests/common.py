from odoo.tests import HttpCase, TransactionCase, new_test_user


class ChargeScenario:
    """A company with a Charging User and a Charging Manager, a catalogue of two
    car models and one e-bike model, and an approved, operating car station."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Test Charging Co"})
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        common = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.user = new_test_user(
            cls.env, login="charge_clerk", groups="charge_base.group_charge_user", **common,
        )
        cls.manager = new_test_user(
            cls.env, login="charge_boss", groups="charge_base.group_charge_manager", **common,
        )
        cls.dc_model = cls.env["charge.pile.model"].create({
            "brand": "TestBrand", "name": "DC120", "kind": "car", "current_type": "dc",
            "rated_power": 120, "max_power": 120, "connector_count": 2, "connector_type": "gbt_dc",
        })
        cls.ac_model = cls.env["charge.pile.model"].create({
            "brand": "TestBrand", "name": "AC7", "kind": "car", "current_type": "ac",
            "rated_power": 7, "max_power": 7, "connector_count": 1, "connector_type": "gbt_ac",
        })
        cls.ebike_model = cls.env["charge.pile.model"].create({
            "brand": "TestBrand", "name": "E10", "kind": "ebike", "current_type": "ac",
            "rated_power": 8.8, "max_power": 8.8, "connector_count": 10,
            "connector_type": "ebike_socket", "connector_max_power": 0.8,
        })
        cls.station = cls.create_station("Bay Station")
        cls.station.action_submit()
        cls.station.with_user(cls.manager).action_approve()
        cls.station.action_start()

    @classmethod
    def create_station(cls, name, **values):
        return cls.env["charge.station"].create({
            "name": name, "company_id": cls.company.id, "street": "Keyuan Road 3099",
            "city": "Shenzhen", "latitude": 22.5245, "longitude": 113.9466, **values,
        })

    @classmethod
    def create_pile(cls, serial, station=None, model=None, **values):
        """A pile, connected to the platform unless ``online=False`` is given
        (charge_device allows commissioning online piles only)."""
        return cls.env["charge.pile"].create({
            "serial": serial, "name": f"Pile {serial}", "station_id": (station or cls.station).id,
            "model_id": (model or cls.dc_model).id, "online": True, **values,
        })


class ChargeBaseCase(ChargeScenario, TransactionCase):
    pass


class ChargeHttpCase(ChargeScenario, HttpCase):
    pass
