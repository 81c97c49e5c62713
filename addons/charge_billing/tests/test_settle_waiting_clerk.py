from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from .common import ChargeBillingCase, iso

CLERK_MODULES = ["web", "mail", "charge_base", "charge_device", "charge_billing"]


@tagged("post_install", "-at_install")
class TestSettleWaitingAsClerk(ChargeBillingCase, HttpCase):
    """A clerk working in Chinese finds the orders waiting for the settle queue,
    reads why one of them could not be settled, and settles it on its last
    reading; the other keeps waiting for the queue."""

    settle_at_once = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(CLERK_MODULES, ["zh_CN"])
        cls.user.lang = "zh_CN"

    def charge(self, start, stop, connector, meter_start, meter_stop):
        reply = self.start(connector=connector, meter_start=meter_start, timestamp=iso(start))
        transaction = reply.payload["transactionId"]
        self.meter(transaction, (meter_start + meter_stop) // 2, timestamp=iso(start[:-2] + "30"), connector=connector)
        self.stop(transaction, meter_stop, timestamp=iso(stop))
        return self.env["charge.order"].search([("session_id", "=", transaction)])

    def test_the_clerk_settles_an_order_the_queue_could_not(self):
        Order = type(self.env["charge.order"])
        settle = Order._settle
        now = datetime.now()

        def ago(minutes):
            return (now - timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")

        # orders of the last hours: the list's default filter (the last week) shows them
        bad = self.charge(ago(180), ago(135), 2, 200000, 208000)

        def failing_settle(records):
            if bad in records:
                raise ValueError("the meter values cannot be read")
            return settle(records)

        with patch.object(Order, "_settle", failing_settle):
            self.assertEqual(self.env["charge.order"]._cron_settle_queue(), 1)
        # an order that started earlier stops now: it waits for the queue's next run
        waiting = self.charge(ago(240), ago(5), 1, 100000, 105000)
        self.env.invalidate_all()
        self.assertEqual((bad.state, bad.settle_pending), ("stopping", True))
        self.assertIn("the meter values cannot be read", bad.settle_error)
        self.assertEqual((waiting.state, waiting.settle_pending, waiting.settle_error), ("stopping", True, False))
        self.start_tour("/odoo/action-charge_billing.charge_order_action", "charge_billing_settle_waiting_tour",
                        login=self.user.login)
        self.env.invalidate_all()
        self.assertEqual((bad.state, bad.settle_pending, bad.settle_error), ("completed", False, False))
        self.assertEqual(bad.energy_kwh, 8.0, "billed on its last reading")
        self.assertEqual((waiting.state, waiting.settle_pending), ("stopping", True), "still the queue's")
