from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.charge_base.tests.rpc import ChargeRpcMixin

from .common import ChargeFinanceCase


@tagged("post_install", "-at_install")
class TestOrderPostingRights(ChargeRpcMixin, ChargeFinanceCase, HttpCase):
    """Over RPC, card loads happen through the Load Card wizard only, and no
    charging group touches the posting state of an order or a load; another
    company's users neither see nor load the company's cards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_outsider()
        cls.card = cls.env["charge.card"].create({"name": "SV0100", "card_type": "stored_value",
                                                  "partner_id": cls.li.id, "company_id": cls.company.id})

    def load(self, user, amount):
        wizard = self.rpc(user, "charge.card.load.wizard", "create", {"card_id": self.card.id, "amount": amount})
        return self.rpc(user, "charge.card.load.wizard", "action_confirm", [wizard])

    def test_a_clerk_loads_a_card_through_the_wizard_only(self):
        self.load(self.user, 50)
        load = self.env["charge.card.load"].search([("card_id", "=", self.card.id)])
        self.assertRecordValues(load, [{"amount": 50.0, "state": "posted", "user_id": self.user.id}])
        self.assertTrue(load.move_id)
        for user in (self.user, self.manager):
            self.assertRpcRefused(user, "charge.card.load", "create",
                                  {"card_id": self.card.id, "company_id": self.company.id, "amount": 10})
            self.assertRpcRefused(user, "charge.card.load", "write", load.ids, {"amount": 5000})
            self.assertRpcRefused(user, "charge.card.load", "write", load.ids, {"state": "pending"})
            self.assertRpcRefused(user, "charge.card.load", "unlink", load.ids)
        with self.assertRaises(JsonRpcException) as caught:
            self.load(self.user, 0.005)
        self.assertIn("UserError", str(caught.exception))
        self.assertEqual(load.amount, 50.0)

    def test_no_group_touches_the_posting_of_an_order(self):
        order = self.run_session(id_tag="CARD0001", start="2026-11-21 00:00", stop="2026-11-21 01:00")
        self.assertEqual(len(order.sudo().charge_move_ids), 1)
        for user in (self.user, self.manager):
            for values in ({"charge_post_pending": True}, {"charge_posting_error": "nothing"}):
                self.assertRpcRefused(user, "charge.order", "write", order.ids, values)
            self.assertRpcRefused(user, "account.move", "write", order.sudo().charge_move_ids.ids,
                                  {"charge_order_id": False})
        self.assertFalse(order.charge_post_pending)
        self.assertEqual(len(order.sudo().charge_move_ids), 1)

    def test_another_company_neither_sees_nor_loads_the_cards(self):
        self.load(self.user, 20)
        load = self.env["charge.card.load"].search([("card_id", "=", self.card.id)])
        self.assertFalse(self.rpc(self.outsider, "charge.card.load", "search", []))
        self.assertRpcRefused(self.outsider, "charge.card.load", "read", load.ids, ["amount"])
        with self.assertRaises(JsonRpcException) as caught:
            self.load(self.outsider, 10)
        self.assertIn("AccessError", str(caught.exception))
        self.assertEqual(self.env["charge.card.load"].search_count([("card_id", "=", self.card.id)]), 1)
