import json

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChargeBillingCase, iso, utc


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestReservations(ChargeBillingCase):

    def setUp(self):
        super().setUp()
        self.customer = self.env["res.partner"].create({"name": "Wang Fang"})
        self.connector1.status = "available"

    def reserve(self, connector=None, tag="CARD0001"):
        reservation = self.env["charge.reservation"].create({
            "connector_id": (connector or self.connector1).id, "partner_id": self.customer.id, "id_tag": tag})
        reservation.action_reserve()
        return reservation

    def test_reserve_sends_reserve_now_with_the_tariff_hold_and_fee(self):
        reservation = self.reserve()
        command = reservation.command_ids
        self.assertEqual(command.action, "ReserveNow")
        payload = json.loads(command.payload)
        self.assertEqual((payload["connectorId"], payload["idTag"]), (1, "CARD0001"))
        self.assertEqual(reservation.expiry_date, utc("2026-11-21 12:15"))
        self.assertEqual((reservation.state, reservation.fee), ("reserved", 2.0))
        with self.assertRaisesRegex(UserError, "already reserved"):
            self.reserve()

    def test_disabled_by_the_tariff_or_the_pile_model(self):
        self.pile.tariff_id = self.standard
        with self.assertRaisesRegex(UserError, "disabled"):
            self.reserve()
        self.pile.tariff_id = False
        self.dc_model.cap_reservation = False
        with self.assertRaisesRegex(UserError, "does not support"):
            self.reserve()

    def test_customer_charges_then_unplugs(self):
        reservation = self.reserve()
        reply = self.start(meter_start=0, timestamp=iso("2026-11-21 12:05"))
        transaction = reply.payload["transactionId"]
        order = self.env["charge.order"].search([("session_id", "=", transaction)])
        self.assertEqual((reservation.state, order.reservation_id), ("occupying", reservation))
        self.assertEqual(order.partner_id, self.customer)
        self.status(1, "Finishing")
        with freeze_time("2026-11-21 12:40:00"):
            self.stop(transaction, 10000, timestamp=iso("2026-11-21 12:35"))
        self.assertEqual(order.amount_reservation, 2.0)
        self.assertIn("reservation", order.line_ids.mapped("kind"))
        with freeze_time("2026-11-21 12:45:00"):
            self.send({"connectorId": 1, "status": "Available", "errorCode": "NoError",
                       "timestamp": iso("2026-11-21 12:45")}, "StatusNotification")
        # on the space 12:05-12:45, charging 12:05-12:35: 10 minutes of occupancy
        self.assertEqual(reservation.state, "completed")
        self.assertAlmostEqual(reservation.charging_minutes, 30)
        self.assertAlmostEqual(reservation.occupancy_minutes, 10)

    def test_whitelisted_vehicle_accrues_no_occupancy(self):
        reservation = self.reserve()
        reservation.whitelisted = True
        reply = self.start(meter_start=0, timestamp=iso("2026-11-21 12:05"))
        self.stop(reply.payload["transactionId"], 1000, timestamp=iso("2026-11-21 12:10"))
        # the gun was out at once: the reservation ends with the order
        self.assertEqual((reservation.state, reservation.occupancy_minutes), ("completed", 0))

    def test_cancel_and_timeout(self):
        reservation = self.reserve()
        reservation.action_cancel()
        self.assertEqual(reservation.state, "cancelled")
        self.assertEqual(reservation.command_ids.sorted("id")[-1].action, "CancelReservation")
        late = self.reserve()
        self.env["charge.reservation"]._cron_expire()
        self.assertEqual(late.state, "reserved")
        with freeze_time("2026-11-21 12:16:00"):
            self.env["charge.reservation"]._cron_expire()
        self.assertEqual(late.state, "timeout")
        with self.assertRaises(UserError):
            late.action_cancel()

    def test_hold_never_exceeds_two_hours(self):
        version = self.add_version(self.tou, periods=[(0, 24, "flat")], effective="2026-11-21 11:00",
                                   reservation_hold_minutes=300, reservation_fee=1.0)
        self.assertEqual(self.tou._version_at(utc("2026-11-21 12:00")), version)
        reservation = self.reserve()
        self.assertEqual(reservation.expiry_date, utc("2026-11-21 14:00"))
