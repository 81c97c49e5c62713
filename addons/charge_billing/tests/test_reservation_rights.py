from odoo.tests import Form, HttpCase, tagged

from odoo.addons.charge_base.tests.rpc import ChargeRpcMixin

from .common import ChargeBillingCase


@tagged("post_install", "-at_install")
class TestReservationRights(ChargeRpcMixin, ChargeBillingCase, HttpCase):
    """Over RPC, a reservation's state, dates, fee and billed times change through its actions only, for every
    group; a clerk still books, sends and cancels reservations; another company sees none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_outsider()
        cls.customer = cls.env["res.partner"].create({"name": "Wang Fang"})
        cls.connector1.status = "available"

    def book(self, user):
        reservation_id = self.rpc(user, "charge.reservation", "create", {
            "connector_id": self.connector1.id, "partner_id": self.customer.id, "id_tag": "CARD0001",
            "state": "draft"})
        return self.env["charge.reservation"].browse(reservation_id)

    def test_state_and_figures_refuse_plain_writes(self):
        reservation = self.book(self.user)
        self.rpc(self.user, "charge.reservation", "action_reserve", reservation.ids)
        self.assertEqual(reservation.state, "reserved")
        fee = reservation.fee
        for user in (self.user, self.manager):
            for values in ({"state": "completed"}, {"state": "draft"}, {"fee": 0.0}, {"occupancy_minutes": 0.0},
                           {"expiry_date": "2030-01-01 00:00:00"}):
                self.assertRpcRefused(user, "charge.reservation", "write", reservation.ids, values)
            self.assertRpcRefused(user, "charge.reservation", "create", {
                "connector_id": self.connector1.id, "partner_id": self.customer.id, "id_tag": "CARD0002",
                "state": "completed"})
        self.assertEqual((reservation.state, reservation.fee), ("reserved", fee))
        # the actions still work for a clerk
        self.rpc(self.user, "charge.reservation", "action_cancel", reservation.ids)
        self.assertEqual(reservation.state, "cancelled")
        self.assertTrue(reservation.end_date)

    def test_other_company_cannot_touch_reservations(self):
        reservation = self.book(self.manager)
        self.assertRpcRefused(self.outsider, "charge.reservation", "read", reservation.ids, ["state"])
        self.assertRpcRefused(self.outsider, "charge.reservation", "action_cancel", reservation.ids)
        self.assertEqual(reservation.state, "draft")

    def test_only_a_manager_whitelists_a_reservation(self):
        """A whitelisted vehicle accrues no occupancy fee: a clerk can neither tick the flag nor book a whitelisted
        reservation, over RPC or in the form (read-only there); a Charging Manager can."""
        reservation = self.book(self.user)
        self.assertRpcRefused(self.user, "charge.reservation", "write", reservation.ids, {"whitelisted": True})
        self.assertRpcRefused(self.user, "charge.reservation", "create", {
            "connector_id": self.connector1.id, "partner_id": self.customer.id, "id_tag": "CARD0002",
            "whitelisted": True})
        self.assertFalse(reservation.whitelisted)
        self.rpc(self.manager, "charge.reservation", "write", reservation.ids, {"whitelisted": True})
        self.assertTrue(reservation.whitelisted)
        for user, readonly in ((self.user, True), (self.manager, False)):
            form = Form(reservation.with_user(user))
            self.assertEqual(form._get_modifier("whitelisted", "readonly"), readonly)
