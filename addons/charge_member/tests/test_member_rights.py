from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.charge_base.tests.rpc import ChargeRpcMixin

from .common import ChargeMemberCase


@tagged("post_install", "-at_install")
class TestMemberRights(ChargeRpcMixin, ChargeMemberCase, HttpCase):
    """A member's status and app tag and a card's state change through their actions; a card, its member and the
    pile that charges it are of one company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_outsider()
        cls.zhao = cls.env["res.partner"].create({"name": "Zhao", "charge_member": True,
                                                  "charge_mobile": "13700137000", "company_id": cls.other.id})

    def test_member_status_and_app_tag_refuse_plain_writes(self):
        self.li._charge_set_status("blacklisted")
        for user in (self.user, self.manager):
            self.assertRpcRefused(user, "res.partner", "write", self.li.ids, {"charge_status": "normal"})
            self.assertRpcRefused(user, "res.partner", "write", self.wang.ids, {"charge_app_tag": "FLEET01"})
            self.assertRpcRefused(user, "res.partner", "write", self.wang.ids, {"charge_app_tag": False})
            self.assertRpcRefused(user, "res.partner", "create", {
                "name": "Forged", "charge_member": True, "charge_mobile": "13600136000",
                "charge_app_tag": "CARD1001"})
        self.assertEqual(self.li.charge_status, "blacklisted")
        # the status action: a clerk may not take a member off the blacklist, a manager may
        wizard = self.rpc(self.user, "charge.member.status", "create", {
            "partner_ids": [(6, 0, self.li.ids)], "status": "normal", "note": "Paid up"})
        self.assertRpcRefused(self.user, "charge.member.status", "action_confirm", [wizard], error="UserError")
        wizard = self.rpc(self.manager, "charge.member.status", "create", {
            "partner_ids": [(6, 0, self.li.ids)], "status": "normal", "note": "Paid up"})
        self.rpc(self.manager, "charge.member.status", "action_confirm", [wizard])
        self.assertEqual(self.li.charge_status, "normal")

    def test_lost_card_back_to_active_only_by_its_action(self):
        self.rpc(self.user, "charge.card", "action_report_lost", self.card.ids)
        self.assertEqual(self.card.state, "lost")
        for user in (self.user, self.manager):
            self.assertRpcRefused(user, "charge.card", "write", self.card.ids, {"state": "active"})
        self.assertRpcRefused(self.user, "charge.card", "action_found", self.card.ids)
        self.assertEqual(self.card.state, "lost")
        self.rpc(self.manager, "charge.card", "action_found", self.card.ids)
        self.assertEqual(self.card.state, "active")

    def test_card_replacement_by_a_clerk(self):
        new = self.card.with_user(self.user)._replace("CARD1002", operator_fault=True)
        self.assertEqual((self.card.state, self.card.replaced_by_id, new.replaces_id), ("replaced", new, self.card))

    def test_card_bound_to_a_member_of_another_company(self):
        with self.assertRaises(ValidationError):
            self.env["charge.card"].create({"name": "CROSS01", "partner_id": self.zhao.id,
                                            "company_id": self.company.id})
        with self.assertRaises(ValidationError):
            self.card.write({"partner_id": self.zhao.id})
        with self.assertRaises(UserError):
            self.env["charge.group.member"].create({"group_id": self.fleet.id, "partner_id": self.zhao.id})
        # a card bound before the rule existed pays nothing here
        card = self.env["charge.card"].create({"name": "CROSS02", "company_id": self.company.id})
        self.env.cr.execute("UPDATE charge_card SET partner_id = %s WHERE id = %s", [self.zhao.id, card.id])
        card.invalidate_recordset()
        self.assertIsNone(self.env["charge.card"]._resolve_tag(self.company, "CROSS02", self.pile))
        self.assertIsNone(self.env["charge.card"]._resolve_tag(self.company, self.zhao.charge_app_tag, self.pile))
        self.assertNotEqual(self.authorize("CROSS02"), "Accepted")
        self.assertNotEqual(self.authorize(self.zhao.charge_app_tag), "Accepted")

    def test_other_company_cannot_touch_cards(self):
        with self.assertRaises(AccessError):
            self.card.with_user(self.outsider).read(["state"])
        self.assertRpcRefused(self.outsider, "charge.card", "action_report_lost", self.card.ids)
