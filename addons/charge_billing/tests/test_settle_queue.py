import json
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChargeBillingCase, iso


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestSettleQueue(ChargeBillingCase):
    """A StopTransaction closes the session and is answered: the order stays
    Stopping, waiting for the settle queue, triggered for after the commit;
    the queue prices, checks and completes the waiting orders in batches. A
    failing order keeps its error and waits while the others are settled.
    Whatever happens between the stop and the queue (the gun unplugged, the
    pile's amount, a clerk) ends the order as settling at once did."""

    settle_at_once = False  # the queue as it runs: triggered, then run by the scheduled action

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.charge_pile_amount_tolerance = 0.5
        cls.cron = cls.env.ref("charge_billing.cron_settle_queue")

    def setUp(self):
        super().setUp()
        self.finals = self.record_final_orders()

    @property
    def Order(self):
        return self.env["charge.order"]

    def trigger_count(self):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])

    def charge(self, start, stop, connector=1, meter_start=0, meter_stop=10000, finishing=False):
        """A session on the bus pile, StopTransaction included (through charge.device.bus._process_batch, as the
        listener runs it); ``finishing``: the gun is still in at the stop. Returns (transaction, order)."""
        reply = self.start(connector=connector, meter_start=meter_start, timestamp=iso(start))
        transaction = reply.payload["transactionId"]
        self.meter(transaction, (meter_start + meter_stop) // 2, timestamp=iso(start[:-2] + "30"), connector=connector)
        if finishing:
            self.status(connector, "Finishing")
        stop_reply = self.stop(transaction, meter_stop, timestamp=iso(stop))
        self.assertEqual(stop_reply.payload["idTagInfo"]["status"], "Accepted", "the StopTransaction is answered")
        return transaction, self.Order.search([("session_id", "=", transaction)])

    def pile_amount(self, transaction, amount):
        reply = self.send({"vendorId": "charge_ops", "messageId": "TransactionAmount",
                           "data": json.dumps({"transactionId": transaction, "amount": amount})}, "DataTransfer")
        self.assertEqual(reply.payload["status"], "Accepted")

    def settle_queue(self, **kwargs):
        handled = self.Order._cron_settle_queue(**kwargs)
        self.env.invalidate_all()
        return handled

    def assertWaiting(self, order, final=False):
        self.assertEqual((order.state, order.settle_pending), ("stopping", True))
        self.assertFalse(order.line_ids, "not priced yet")
        self.assertEqual(order.amount_total, 0.0)
        if not final:
            self.assertNotIn(order.id, self.finals)

    # ------------------------------------------------------------------------------------------

    def test_a_stop_transaction_leaves_the_order_waiting_and_the_cron_settles_it(self):
        triggers = self.trigger_count()
        _transaction, order = self.charge("2026-11-21 10:00", "2026-11-21 11:00")
        self.env.cr.flush()  # what committing the device transaction runs first (its precommit hooks)
        self.assertWaiting(order)
        self.assertEqual((order.stop_date, order.end_reason), (order.session_id.stop_date, "Local"),
                         "the stop is written at once")
        self.assertEqual(order.session_id.state, "finished")
        self.assertGreater(self.trigger_count(), triggers, "the transaction triggers the queue")
        self.assertIn("_notifydb", [func.__name__ for func in self.env.cr.postcommit._funcs],
                      "the cron workers are woken up after the commit")
        self.assertEqual(self.Order.search([("settle_pending", "=", True)]), order,
                         "the clerks' filter Waiting for Settlement finds it")

        # the scheduled action, as a cron worker runs it
        with self.enter_registry_test_mode():
            self.assertIs(self.cron.method_direct_trigger(), True)
        self.env.invalidate_all()
        self.assertEqual((order.state, order.settle_pending, order.settle_error), ("completed", False, False))
        self.assertTrue(order.line_ids)
        self.assertEqual(order.amount_total, float(order._charge_bill().total), "priced on the final reading")
        self.assertGreater(order.amount_total, 0)
        self.assertEqual(self.settle_queue(), 0, "nothing waits any more")

    def test_a_batch_of_stop_transactions_triggers_the_queue_once(self):
        transactions = [self.start(connector=connector, meter_start=0, timestamp=iso("2026-11-21 10:00"))
                        .payload["transactionId"] for connector in (1, 2)]
        self.env.cr.flush()
        triggers = self.trigger_count()
        notifications = [func.__name__ for func in self.env.cr.postcommit._funcs].count("_notifydb")
        self.send_many([({"transactionId": transaction, "meterStop": 5000, "timestamp": iso("2026-11-21 11:00"),
                          "reason": "Local"}, "StopTransaction", None, None, "test") for transaction in transactions])
        self.env.cr.flush()
        orders = self.Order.search([("session_id", "in", transactions)])
        self.assertEqual(orders.mapped("settle_pending"), [True, True])
        self.assertEqual(self.trigger_count(), triggers + 1, "one trigger row for the batch's transaction")
        self.assertEqual([func.__name__ for func in self.env.cr.postcommit._funcs].count("_notifydb"),
                         notifications + 1, "the cron workers are woken up once")
        self.assertEqual(self.settle_queue(), 2)

    def test_the_queue_settles_oldest_first_in_batches(self):
        orders = self.Order
        for hour in (10, 8, 9):
            orders |= self.charge(f"2026-11-21 {hour:02d}:00", f"2026-11-21 {hour:02d}:45",
                                  meter_start=hour * 100000, meter_stop=hour * 100000 + 5000)[1]
        Order = type(self.Order)
        settle = Order._settle
        batches = []

        def counting_settle(records):
            batches.append(records.mapped("stop_date"))
            return settle(records)

        with patch.object(Order, "_settle", counting_settle):
            self.assertEqual(self.settle_queue(batch_size=2), 3)
        self.assertEqual([len(batch) for batch in batches], [2, 1], "3 orders in batches of 2: _settle twice")
        self.assertEqual(batches[0] + batches[1], sorted(orders.mapped("stop_date")), "oldest stop first")
        self.assertEqual(set(orders.mapped("state")), {"completed"})
        self.assertEqual(orders.mapped("settle_pending"), [False] * 3)

    def test_a_failing_order_waits_with_its_error_and_the_others_are_settled(self):
        first = self.charge("2026-11-21 08:00", "2026-11-21 08:45", meter_start=100000, meter_stop=105000)[1]
        bad = self.charge("2026-11-21 09:00", "2026-11-21 09:45", meter_start=200000, meter_stop=205000)[1]
        last = self.charge("2026-11-21 10:00", "2026-11-21 10:45", meter_start=300000, meter_stop=305000)[1]
        Order = type(self.Order)
        settle = Order._settle
        batches = []

        def failing_settle(records):
            batches.append(len(records))
            result = settle(records)
            if bad in records:
                raise ValueError("the meter values cannot be read")
            return result

        with patch.object(Order, "_settle", failing_settle):
            self.assertEqual(self.settle_queue(), 3)
            self.assertEqual(batches, [3, 1, 1, 1], "the failing batch is settled again one order at a time")
            self.assertEqual([first.state, last.state], ["completed", "completed"])
            self.assertEqual((first | last).mapped("settle_pending"), [False, False])
            self.assertWaiting(bad, final=True)  # nothing of the failed settlement is kept (its payment neither)
            self.assertIn("the meter values cannot be read", bad.settle_error)
            # tried again only after the delay
            self.assertEqual(self.settle_queue(), 0)
            with freeze_time("2026-11-21 12:05:00"):
                self.assertEqual(self.settle_queue(), 0)
        with freeze_time("2026-11-21 12:11:00"):
            self.assertEqual(self.settle_queue(), 1)
        self.assertEqual((bad.state, bad.settle_pending, bad.settle_error), ("completed", False, False))
        self.assertEqual(bad.amount_total, float(bad._charge_bill().total))

    def test_the_gun_unplugged_before_the_settlement_ends_the_order_as_at_once(self):
        # connector 1: settled at once, then the gun is unplugged 40 minutes after the stop
        with freeze_time("2026-11-21 11:00:30"):
            at_once = self.charge("2026-11-21 10:00", "2026-11-21 11:00", connector=1, finishing=True)[1]
            self.settle_queue()
            self.assertEqual((at_once.state, at_once.occupancy_open), ("completed", True))
            self.assertNotIn(at_once.id, self.finals, "not final while the gun is in")
            # connector 2: the same charge, the gun unplugged before the queue comes to the order
            transaction, later = self.charge("2026-11-21 10:00", "2026-11-21 11:00", connector=2, finishing=True)
            self.assertTrue(later.occupancy_open)
        with freeze_time("2026-11-21 11:40:00"):
            self.status(1, "Available")
            self.status(2, "Available")
        self.assertIn(at_once.id, self.finals)
        self.assertWaiting(later)
        self.assertFalse(later.occupancy_open)
        # the pile's amount (without the occupancy fee, which it cannot know) comes before the settlement too
        self.pile_amount(transaction, f"{at_once.amount_total - at_once.amount_occupancy:.2f}")
        self.assertEqual(self.settle_queue(), 1)
        fields = ["state", "occupancy_minutes", "amount_occupancy", "amount_electricity", "amount_service",
                  "amount_total", "energy_kwh", "occupancy_open"]
        self.assertGreater(at_once.amount_occupancy, 0)
        self.assertEqual(later.read(fields)[0] | {"id": 0}, at_once.read(fields)[0] | {"id": 0})
        self.assertEqual(later.line_ids.mapped("kind"), at_once.line_ids.mapped("kind"))
        self.assertFalse(later.anomaly_ids, "the pile's amount agrees with ours before the occupancy fee")
        self.assertEqual(self.finals.count(later.id), 1, "final once")

    def test_a_gun_unplugged_while_the_queue_completes_the_order_makes_it_final(self):
        # the gun still in at the stop; the listener reads the waiting order, then the settle queue (another
        # transaction) completes it and commits before the listener's status frame writes it
        with freeze_time("2026-11-21 11:00:30"):
            order = self.charge("2026-11-21 10:00", "2026-11-21 11:00", finishing=True)[1]
        self.assertWaiting(order)
        self.assertTrue(order.occupancy_open)
        self.env.cr.execute("UPDATE charge_order SET state = 'completed', settle_pending = false WHERE id = %s",
                            [order.id])
        with freeze_time("2026-11-21 11:40:00"):
            self.status(1, "Available")
        self.assertFalse(order.occupancy_open)
        self.assertEqual(order.state, "completed")
        self.assertIn(order.id, self.finals, "the order completed meanwhile is final once the gun is out")

    def test_a_pile_amount_before_the_settlement_is_checked_by_it(self):
        transaction, order = self.charge("2026-11-21 10:00", "2026-11-21 11:00")
        self.pile_amount(transaction, "99.00")
        self.assertWaiting(order)
        self.settle_queue()
        self.assertEqual((order.state, order.abnormal_type, order.settle_pending), ("abnormal", "data", False))
        self.assertEqual(order.anomaly_ids.mapped("code"), ["pile_amount_mismatch"])

    def test_a_clerk_settling_a_waiting_order_on_its_last_reading(self):
        order = self.charge("2026-11-21 10:00", "2026-11-21 11:00")[1]
        with self.assertRaisesRegex(UserError, "waiting for its settlement"):
            order.with_user(self.user).action_stop()
        wizard = self.env["charge.order.settle"].with_user(self.user).create({"order_id": order.id})
        wizard.action_confirm()
        self.assertEqual((order.state, order.settled_on_last_reading, order.settle_pending),
                         ("completed", True, False), "settled by hand: no longer waiting")
        total = order.amount_total
        self.assertGreater(total, 0)
        self.assertEqual(self.settle_queue(), 0)
        self.assertEqual((order.state, order.amount_total), ("completed", total))

    def test_a_clerk_voiding_a_waiting_order(self):
        order = self.charge("2026-11-21 10:00", "2026-11-21 11:00")[1]
        order.with_user(self.user).action_mark_abnormal()
        # priced, checked and completed first, as at its stop, then marked
        self.assertEqual((order.state, order.settle_pending), ("abnormal", False))
        self.assertEqual(order.amount_total, float(order._charge_bill().total))
        self.assertGreater(order.amount_total, 0)
        self.assertEqual(order.anomaly_ids.mapped("code"), ["manual"])
        self.env["charge.order.handle"].with_user(self.user).create(
            {"order_id": order.id, "method": "void", "note": "A test of the installer"}).action_confirm()
        self.assertEqual(order.state, "voided")
        self.assertEqual(self.settle_queue(), 0)
        self.assertEqual((order.state, order.settle_pending), ("voided", False))
