from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ChargeHttpCase
from .rpc import ChargeRpcMixin


@tagged("post_install", "-at_install")
class TestProtectedFields(ChargeRpcMixin, ChargeHttpCase):
    """A station's approval and operation and a pile's life cycle change through their actions only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.draft = cls.create_station("Draft Station")
        cls.pile = cls.create_pile("SNPROT0001")
        cls.pile.action_commission()
        cls.pile.action_stop()
        cls.pile.with_user(cls.manager).action_retire()

    def test_station_states_refuse_plain_writes_for_every_group(self):
        for user in (self.user, self.manager):
            self.assertRpcRefused(user, "charge.station", "write", self.draft.ids, {"approval_state": "approved"})
            self.assertRpcRefused(user, "charge.station", "write", self.draft.ids, {"operating_state": "operating"})
            self.assertRpcRefused(user, "charge.station", "create",
                                  {"name": "Forged", "company_id": self.company.id, "approval_state": "approved"})
        self.assertEqual((self.draft.approval_state, self.draft.operating_state), ("draft", "stopped"))

    def test_station_actions_still_work(self):
        self.rpc(self.user, "charge.station", "action_submit", self.draft.ids)
        self.assertRpcRefused(self.user, "charge.station", "action_approve", self.draft.ids)
        self.rpc(self.manager, "charge.station", "action_approve", self.draft.ids)
        self.rpc(self.user, "charge.station", "action_start", self.draft.ids)
        self.assertEqual((self.draft.approval_state, self.draft.operating_state), ("approved", "operating"))
        # a new station from the form (its defaults sent back) is still a draft
        station_id = self.rpc(self.user, "charge.station", "create", {
            "name": "New", "company_id": self.company.id, "approval_state": "draft"})
        self.assertEqual(self.env["charge.station"].browse(station_id).approval_state, "draft")

    def test_retired_pile_does_not_come_back(self):
        self.assertEqual(self.pile.state, "retired")
        for user in (self.user, self.manager):
            self.assertRpcRefused(user, "charge.pile", "write", self.pile.ids, {"state": "draft"})
            self.assertRpcRefused(user, "charge.pile", "write", self.pile.ids, {"commissioning_date": False})
        self.assertEqual(self.pile.state, "retired")

    def test_other_company_sees_no_station(self):
        other = self.env["res.company"].create({"name": "Other Charging Co"})
        outsider = new_test_user(self.env, login="charge_outsider", groups="charge_base.group_charge_manager",
                                 company_id=other.id, company_ids=[other.id])
        self.assertRpcRefused(outsider, "charge.station", "action_submit", self.draft.ids)
        with self.assertRaises(AccessError):
            self.draft.with_user(outsider).write({"name": "Taken over"})
