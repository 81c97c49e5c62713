from odoo.addons.charge_billing.tests.common import ChargeBillingCase, iso


class ChargeMemberCase(ChargeBillingCase):
    """The billing scenario (a time-of-use tariff on the bus pile's station)
    plus a member with an authentication card and 100 in the wallet, and a
    fleet group whose member Wang charges on the group's 500."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"charge_min_start_amount": 1.0, "charge_card_fee": 0.0})
        Partner = cls.env["res.partner"]
        cls.li = Partner.create({"name": "Li Lei", "charge_member": True, "charge_mobile": "138 0013 8000",
                                 "company_id": cls.company.id})
        cls.wang = Partner.create({"name": "Wang Fang", "charge_member": True, "charge_mobile": "+86 13900139000",
                                   "company_id": cls.company.id})
        cls.li_wallet = cls.li._charge_wallet()
        cls.card = cls.env["charge.card"].create({"name": "CARD1001", "partner_id": cls.li.id,
                                                  "company_id": cls.company.id})
        cls.fleet = cls.env["charge.group"].create({"name": "Fleet", "company_id": cls.company.id})
        cls.fleet_line = cls.env["charge.group.member"].create({"group_id": cls.fleet.id,
                                                                "partner_id": cls.wang.id})
        cls.fleet_wallet = cls.fleet.wallet_id
        cls.fleet_card = cls.env["charge.card"].create({"name": "FLEET01", "partner_id": cls.wang.id,
                                                        "group_id": cls.fleet.id, "company_id": cls.company.id})
        cls.li_wallet._recharge(100)
        cls.fleet_wallet._recharge(500)

    def charge(self, id_tag, start="2026-11-21 00:00", stop="2026-11-21 01:00", kwh=10, samples=()):
        """A whole car session on the bus pile (flat band, 1.3 per kWh); returns the order."""
        return self.run_session(start=start, stop=stop, meter_start=0, meter_stop=int(kwh * 1000),
                                samples=samples, id_tag=id_tag)

    def authorize(self, id_tag):
        return self.send({"idTag": id_tag}, "Authorize").payload["idTagInfo"]["status"]

    def start_tag(self, id_tag, when="2026-11-21 00:00", connector=1):
        reply = self.start(connector=connector, id_tag=id_tag, meter_start=0, timestamp=iso(when))
        return reply.payload
