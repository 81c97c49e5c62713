import json

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ChargeBillingCase, iso


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestLatePileAmount(ChargeBillingCase):
    """The pile's own amount (DataTransfer TransactionAmount) often comes
    after StopTransaction: the amount rule (j) then runs again, as if it had
    come in time; a clerk's handling of the order stands."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.charge_pile_amount_tolerance = 0.5

    def pile_amount(self, transaction, amount):
        reply = self.send({"vendorId": "charge_ops", "messageId": "TransactionAmount",
                           "data": json.dumps({"transactionId": transaction, "amount": amount})}, "DataTransfer")
        self.assertEqual(reply.payload["status"], "Accepted")

    def charge(self, meter_start=0, meter_stop=10000, start="2026-11-21 10:00", stop="2026-11-21 11:00",
               finishing=False):
        reply = self.start(meter_start=meter_start, timestamp=iso(start))
        transaction = reply.payload["transactionId"]
        if finishing:
            self.status(1, "Finishing")
        self.stop(transaction, meter_stop, timestamp=iso(stop))
        return transaction, self.env["charge.order"].search([("session_id", "=", transaction)])

    def codes(self, order):
        return order.anomaly_ids.mapped("code")

    def test_a_late_amount_flags_the_order_and_a_matching_one_clears_it(self):
        transaction, order = self.charge()
        self.assertEqual((order.state, self.codes(order)), ("completed", []))
        ours = order.amount_total
        self.pile_amount(transaction, "30.00")
        self.assertEqual((order.state, order.abnormal_type), ("abnormal", "data"))
        self.assertEqual(self.codes(order), ["pile_amount_mismatch"])
        self.assertIn("30.0", order.anomaly_ids.description)
        # the pile corrects itself: within the tolerance, as if it had said so in time
        self.pile_amount(transaction, f"{ours + 0.3:.2f}")
        self.assertEqual((order.state, self.codes(order), order.abnormal_type), ("completed", [], False))
        self.assertTrue(any("withdrawn" in message.body for message in order.message_ids))

    def test_a_late_amount_within_the_tolerance_changes_nothing(self):
        transaction, order = self.charge()
        self.pile_amount(transaction, f"{order.amount_total - 0.4:.2f}")
        self.assertEqual((order.state, self.codes(order)), ("completed", []))

    def test_the_amount_is_compared_without_the_occupancy_fee(self):
        """The pile reports what it charged at the stop; the occupancy fee comes after."""
        transaction, order = self.charge(finishing=True)
        energy_total = order.amount_total
        self.send({"connectorId": 1, "status": "Available", "errorCode": "NoError",
                   "timestamp": iso("2026-11-21 11:50")}, "StatusNotification")
        self.assertAlmostEqual(order.amount_occupancy, 2.0)
        self.pile_amount(transaction, f"{energy_total:.2f}")
        self.assertEqual((order.state, self.codes(order)), ("completed", []))
        self.pile_amount(transaction, f"{energy_total + 2.0:.2f}")
        self.assertEqual((order.state, self.codes(order)), ("abnormal", ["pile_amount_mismatch"]))

    def test_a_late_amount_while_the_gun_is_in_keeps_the_order_from_being_final(self):
        transaction, order = self.charge(finishing=True)
        self.assertTrue(order.occupancy_open)
        self.pile_amount(transaction, "30.00")
        self.assertEqual(order.state, "abnormal")
        self.send({"connectorId": 1, "status": "Available", "errorCode": "NoError",
                   "timestamp": iso("2026-11-21 11:50")}, "StatusNotification")
        # the occupancy is billed; the order waits for a clerk
        self.assertEqual((order.state, order.occupancy_open, order.amount_occupancy), ("abnormal", False, 2.0))

    def test_a_late_amount_joins_the_other_anomalies(self):
        transaction, order = self.charge(meter_stop=600000, start="2026-11-21 01:00", stop="2026-11-21 10:00")
        self.assertEqual((order.state, self.codes(order)), ("abnormal", ["over_500_kwh"]))
        self.pile_amount(transaction, "1.00")
        self.assertEqual(self.codes(order), ["over_500_kwh", "pile_amount_mismatch"])
        self.pile_amount(transaction, f"{order.amount_total:.2f}")
        self.assertEqual((order.state, self.codes(order)), ("abnormal", ["over_500_kwh"]))

    def test_a_handled_order_keeps_its_handling(self):
        transaction, order = self.charge(meter_stop=600000, start="2026-11-21 01:00", stop="2026-11-21 10:00")
        self.env["charge.order.handle"].with_context(active_id=order.id).create(
            {"order_id": order.id, "method": "settle", "note": "Checked with the customer"}).action_confirm()
        self.assertEqual(order.state, "completed")
        self.pile_amount(transaction, "1.00")
        self.assertEqual((order.state, self.codes(order)), ("completed", ["over_500_kwh"]))
        self.assertTrue(any("the handling stands" in message.body for message in order.message_ids))

    def test_an_amount_before_the_stop_is_checked_at_the_stop(self):
        reply = self.start(meter_start=0, timestamp=iso("2026-11-21 10:00"))
        transaction = reply.payload["transactionId"]
        self.pile_amount(transaction, "30.00")
        order = self.env["charge.order"].search([("session_id", "=", transaction)])
        self.assertEqual((order.state, self.codes(order)), ("charging", []))
        self.stop(transaction, 10000, timestamp=iso("2026-11-21 11:00"))
        self.assertEqual((order.state, self.codes(order)), ("abnormal", ["pile_amount_mismatch"]))
