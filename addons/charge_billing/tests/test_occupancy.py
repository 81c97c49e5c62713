from freezegun import freeze_time

from odoo.tests import tagged

from .common import ChargeBillingCase, utc

DAY = "2026-11-21"


def at(clock):
    """'11:00' or '11:00:05' on the test day, as an OCPP timestamp (UTC)."""
    return f"{DAY}T{clock}{':00' if clock.count(':') == 1 else ''}Z"


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestOccupancy(ChargeBillingCase):
    """The occupancy fee runs from the stop while the gun stays in, whatever
    the order in which the pile sends StopTransaction and its statuses; the
    order is final (paid by charge_member) once the gun is out. The tariff:
    15 free minutes, then 1.00 per started block of 30 minutes, at most 20.00."""

    def setUp(self):
        super().setUp()
        self.finals = self.record_final_orders()
        self.meter_start = 0

    # frames ---------------------------------------------------------------------------

    def status_frame(self, status, clock, connector=1):
        return ({"connectorId": connector, "status": status, "errorCode": "NoError", "timestamp": at(clock)},
                "StatusNotification", None, None, "test")

    def stop_frame(self, transaction, clock, meter_stop, reason="Local"):
        return ({"transactionId": transaction, "meterStop": meter_stop, "timestamp": at(clock), "reason": reason},
                "StopTransaction", None, None, "test")

    def report(self, status, clock, connector=1):
        self.send_many([self.status_frame(status, clock, connector)])

    def charge(self, start="10:00", connector=1):
        """Preparing, StartTransaction, Charging; returns the transaction id."""
        self.meter_start += 100000  # a start of its own for every charge
        self.report("Preparing", start, connector)
        reply = self.start(connector=connector, meter_start=self.meter_start, timestamp=at(start))
        self.report("Charging", start, connector)
        return reply.payload["transactionId"]

    def stop_at(self, transaction, clock, reason="Local"):
        self.send_many([self.stop_frame(transaction, clock, self.meter_start + 10000, reason)])
        return self.order(transaction)

    def order(self, transaction):
        return self.env["charge.order"].search([("session_id", "=", transaction)])

    def assertPending(self, order):
        """Completed and priced, but not final: the gun may still be in."""
        self.assertEqual(order.state, "completed")
        self.assertTrue(order.occupancy_open)
        self.assertNotIn(order.id, self.finals)

    def assertFinal(self, order, minutes, fee):
        self.assertEqual(order.state, "completed")
        self.assertFalse(order.occupancy_open)
        self.assertAlmostEqual(order.occupancy_minutes, minutes)
        self.assertAlmostEqual(order.amount_occupancy, fee)
        self.assertAlmostEqual(order.amount_total, order.amount_electricity + order.amount_service + fee)
        self.assertEqual(self.finals.count(order.id), 1, "final exactly once")

    # the three orders of the end frames ---------------------------------------------------

    def test_stop_then_finishing_then_available(self):
        """What most piles (and the simulator) send."""
        order = self.stop_at(self.charge(), "11:00")
        self.assertPending(order)
        self.assertFalse(order.occupancy_start, "the pile has not said yet whether the gun is in")
        energy_total = order.amount_total
        self.report("Finishing", "11:00:02")
        self.assertPending(order)
        self.assertEqual(order.occupancy_start, utc(f"{DAY} 11:00"))
        # unplugged 50 minutes after the stop: 35 billable minutes, 2 started blocks
        self.report("Available", "11:50")
        self.assertFinal(order, 50, 2.0)
        self.assertEqual(order.occupancy_stop, utc(f"{DAY} 11:50"))
        self.assertAlmostEqual(order.amount_total, energy_total + 2.0)
        line = order.line_ids.filtered(lambda l: l.kind == "occupancy")
        self.assertEqual((line.quantity, line.amount), (2, 2.0))

    def test_finishing_then_stop_then_available(self):
        transaction = self.charge()
        self.report("Finishing", "10:59:58")
        order = self.stop_at(transaction, "11:00")
        self.assertPending(order)
        self.assertEqual(order.occupancy_start, utc(f"{DAY} 11:00"))
        # 20 minutes: 5 billable, one started block
        self.report("Available", "11:20")
        self.assertFinal(order, 20, 1.0)

    def test_stop_then_straight_to_available(self):
        order = self.stop_at(self.charge(), "11:00")
        self.assertPending(order)
        # the driver unplugged: whenever Available comes, there was no occupancy
        self.report("Available", "11:40")
        self.assertFinal(order, 0, 0.0)
        self.assertFalse(order.occupancy_start)
        self.assertFalse(order.line_ids.filtered(lambda l: l.kind == "occupancy"))

    def test_unplugged_before_the_stop_is_final_at_once(self):
        transaction = self.charge()
        self.report("Available", "10:59")
        self.assertFinal(self.stop_at(transaction, "11:00"), 0, 0.0)
        # the cable pulled out stops the charge: no occupancy either
        self.assertFinal(self.stop_at(self.charge("11:10"), "11:30", reason="EVDisconnected"), 0, 0.0)

    def test_end_frames_in_one_batch(self):
        """The listener handles a batch's StopTransaction before its statuses."""
        cases = [
            ("stop, finishing", ["stop", "Finishing"], 60, 2.0),
            ("finishing, stop", ["Finishing", "stop"], 60, 2.0),
            ("stop, available", ["stop", "Available"], 0, 0.0),
        ]
        for name, frames, minutes, fee in cases:
            with self.subTest(name):
                transaction = self.charge("10:00")
                self.send_many([
                    self.stop_frame(transaction, "11:00", self.meter_start + 10000) if frame == "stop"
                    else self.status_frame(frame, "11:00:01" if frames[0] == "stop" else "10:59:59")
                    for frame in frames])
                order = self.order(transaction)
                if minutes:
                    self.assertPending(order)
                    self.assertEqual(order.occupancy_start, utc(f"{DAY} 11:00"))
                    self.report("Available", "12:00")
                self.assertFinal(order, minutes, fee)

    # the fee ------------------------------------------------------------------------------

    def test_free_minutes_blocks_and_cap(self):
        cases = [(10, 0.0), (15, 0.0), (16, 1.0), (45, 1.0), (46, 2.0), (659, 20.0)]  # 22 blocks, capped
        for minutes, fee in cases:
            with self.subTest(minutes=minutes):
                transaction = self.charge("00:50")
                order = self.stop_at(transaction, "01:00")
                self.report("Finishing", "01:00:01")
                self.report("Available", f"{1 + minutes // 60:02d}:{minutes % 60:02d}")
                self.assertFinal(order, minutes, fee)

    # endings the listener does not see ---------------------------------------------------------

    def test_a_pile_gone_offline_ends_the_occupancy_when_it_was_last_heard_of(self):
        order = self.stop_at(self.charge(), "11:00")
        self.report("Finishing", "11:00:01")
        pending = self.stop_at(self.charge(connector=2), "11:00")  # never reported after its stop
        self.pile.last_seen = utc(f"{DAY} 11:30")
        self.env["charge.pile"]._cron_mark_offline()
        self.env["charge.order"]._cron_watch()
        self.assertFinal(order, 30, 1.0)
        self.assertFinal(pending, 0, 0.0)

    def test_the_cron_leaves_plugged_guns_alone(self):
        order = self.stop_at(self.charge("11:00"), "11:55")
        self.env["charge.order"]._cron_watch()
        self.assertPending(order)
        self.report("Finishing", "11:55:01")
        with freeze_time("2026-11-21 14:00:00"):
            self.env["charge.order"]._cron_watch()
        self.assertPending(order)

    def test_a_pile_that_never_reports_after_the_stop_bills_no_occupancy(self):
        order = self.stop_at(self.charge("11:00"), "11:55")
        with freeze_time("2026-11-21 12:04:00"):
            self.env["charge.order"]._cron_watch()
        self.assertPending(order)
        # ten minutes without a word about the connector: the order is final
        with freeze_time("2026-11-21 12:06:00"):
            self.env["charge.order"]._cron_watch()
        self.assertFinal(order, 0, 0.0)

    def test_a_new_charge_on_the_connector_ends_the_occupancy(self):
        order = self.stop_at(self.charge(), "11:00")
        self.report("Finishing", "11:00:01")
        # the driver swipes again without unplugging (Finishing -> Preparing), or a start without statuses
        self.meter_start += 100000
        self.start(meter_start=self.meter_start, timestamp=at("11:30"))
        self.assertFinal(order, 30, 1.0)
