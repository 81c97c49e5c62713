from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ChargeMemberCase


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestSettleQueueMember(ChargeMemberCase):
    """A member's StopTransaction leaves the order waiting for the settle
    queue: nothing is taken from the wallet in the device transaction, the
    watchers leave the order alone, and the member may start again at once;
    the queue prices, completes and pays it from the wallet."""

    settle_at_once = False

    def commands(self):
        return self.env["charge.device.command"].search_count([("action", "=", "RemoteStopTransaction")])

    def test_the_queue_pays_a_waiting_order_and_the_member_may_start_again_meanwhile(self):
        order = self.charge("CARD1001", start="2026-11-21 10:00", stop="2026-11-21 11:00", kwh=10)
        self.assertEqual((order.state, order.settle_pending, order.payment_state), ("stopping", True, "to_pay"))
        self.assertFalse(order.wallet_transaction_ids, "nothing is paid in the device transaction")
        self.assertEqual(self.li_wallet.balance, 100.0)
        # the watchers leave an order waiting for its settlement alone
        stops = self.commands()
        self.env["charge.order"]._cron_watch()
        self.assertEqual(self.commands(), stops)
        self.assertEqual((order.state, order.funds_stop_sent), ("stopping", False))
        # one session allowed: the ended charge is not an open session any more
        self.assertEqual(self.li.charge_max_sessions, 1)
        reply = self.start_tag("CARD1001", when="2026-11-21 11:30", connector=2)
        self.assertEqual(reply["idTagInfo"]["status"], "Accepted")

        self.assertEqual(self.env["charge.order"]._cron_settle_queue(), 1)
        self.env.invalidate_all()
        self.assertEqual((order.state, order.settle_pending, order.payment_state), ("completed", False, "paid"))
        self.assertEqual(order.amount_total, 18.0)  # 10 kWh in the peak band, 1.8 per kWh
        self.assertEqual(self.li_wallet.balance, 82.0)
        self.assertEqual(order.wallet_transaction_ids.type, "payment")

    def test_the_queue_pays_the_orders_of_several_wallets_in_one_batch(self):
        mine = self.charge("CARD1001", start="2026-11-21 00:00", stop="2026-11-21 01:00", kwh=10)
        reply = self.start_tag("FLEET01", when="2026-11-21 01:00", connector=2)
        self.stop(reply["transactionId"], 5000, timestamp="2026-11-21T02:00:00Z")
        fleet = self.env["charge.order"].search([("session_id", "=", reply["transactionId"])])
        self.assertEqual((mine | fleet).mapped("settle_pending"), [True, True])
        Order = type(self.env["charge.order"])
        settle = Order._settle
        batches = []

        def counting_settle(records):
            batches.append(len(records))
            return settle(records)

        # as a cron worker runs it: an empty context, nothing read yet (the ledger lines' numbers drawn together
        # from the sequence, whose prefix reads the user's time zone)
        self.env.invalidate_all()
        with patch.object(Order, "_settle", counting_settle):
            self.assertEqual(self.env(context={})["charge.order"]._cron_settle_queue(), 2)
        self.assertEqual(batches, [2], "settled and paid in one batch, not again one by one")
        self.env.invalidate_all()
        self.assertEqual((mine | fleet).mapped("payment_state"), ["paid", "paid"])
        names = (mine | fleet).wallet_transaction_ids.mapped("name")
        self.assertEqual(len(set(names)), 2, "each ledger line has a number of its own")
