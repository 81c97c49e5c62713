from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.charge_base.tests.rpc import ChargeRpcMixin

from .common import ChargeMemberCase


@tagged("post_install", "-at_install")
class TestCardLists(ChargeRpcMixin, ChargeMemberCase, HttpCase):
    """A card goes on or off the white and black lists by a manager's action only, never by a plain write."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_outsider()

    def lists(self):
        self.card.invalidate_recordset()
        return (self.card.whitelisted, self.card.blacklisted)

    def test_flags_refuse_plain_writes_for_every_group(self):
        for user in (self.user, self.manager):
            self.assertRpcRefused(user, "charge.card", "write", self.card.ids, {"whitelisted": True})
            self.assertRpcRefused(user, "charge.card", "write", self.card.ids, {"blacklisted": True})
            self.assertRpcRefused(user, "charge.card", "create", {
                "name": f"LIST{user.id}", "partner_id": self.li.id, "company_id": self.company.id,
                "whitelisted": True})
        self.assertEqual(self.lists(), (False, False))
        # a card is still created and edited by a clerk when its flags are left alone
        card_id = self.rpc(self.user, "charge.card", "create", {
            "name": "PLAIN01", "partner_id": self.li.id, "company_id": self.company.id, "whitelisted": False})
        self.rpc(self.user, "charge.card", "write", [card_id], {"note": "spare"})

    def test_manager_actions_move_the_card_between_lists(self):
        for action in ("action_add_whitelist", "action_add_blacklist", "action_remove_lists"):
            self.assertRpcRefused(self.user, "charge.card", action, self.card.ids)
            self.assertRpcRefused(self.outsider, "charge.card", action, self.card.ids)
        self.assertEqual(self.lists(), (False, False))
        self.rpc(self.manager, "charge.card", "action_add_whitelist", self.card.ids)
        self.assertEqual(self.lists(), (True, False))
        self.rpc(self.manager, "charge.card", "action_add_blacklist", self.card.ids)
        self.assertEqual(self.lists(), (False, True))
        self.rpc(self.manager, "charge.card", "action_remove_lists", self.card.ids)
        self.assertEqual(self.lists(), (False, False))

    def test_white_list_at_issue_is_for_managers(self):
        def issue(user, number):
            with Form(self.env["charge.card.issue"].with_user(user)) as form:
                form.number = number
                form.partner_id = self.li
                form.whitelisted = True
                form.waive_fee = True
            return form.record

        # the form hides the white list from clerks; a wizard sent with it anyway is refused
        wizard = self.env["charge.card.issue"].with_user(self.user).create({
            "number": "ISSUE01", "partner_id": self.li.id, "whitelisted": True, "waive_fee": True})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            wizard.action_confirm()
        self.assertFalse(self.env["charge.card"].search([("name", "=", "ISSUE01")]))
        action = issue(self.manager, "ISSUE02").action_confirm()
        card = self.env["charge.card"].browse(action["res_id"])
        self.assertRecordValues(card, [{"name": "ISSUE02", "partner_id": self.li.id, "whitelisted": True,
                                        "blacklisted": False, "state": "active"}])
