import json
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.charge_device.tools import ocpp_frames

from .common import ChargeMemberCase, iso


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestStopBatchMember(ChargeMemberCase):
    """A batch of StopTransactions processed together (charge_device's
    charge_device_bus_stops.py) stops and settles the members' orders and
    answers their tags as one by one."""

    def test_the_tags_of_a_batch_of_stops_stand_as_one_by_one(self):
        (self.connector1 | self.connector2).write({"status": "available"})
        stranger = self.env["res.partner"].create({"name": "Han Meimei"})
        backoffice = self.env["charge.order"].browse(self.env["charge.order.start"].create({
            "connector_id": self.connector2.id, "partner_id": stranger.id}).action_start()["res_id"])
        app = self.env["charge.order"].browse(self.env["charge.order.start"].create({
            "connector_id": self.connector1.id, "partner_id": self.wang.id, "payer": "group",
            "group_id": self.fleet.id}).action_start()["res_id"])
        lost = self.env["charge.card"].create({"name": "CARD1003", "partner_id": self.li.id,
                                               "company_id": self.company.id})
        lost.action_report_lost()
        zhao = self.env["res.partner"].create({"name": "Zhao", "charge_member": True, "company_id": self.company.id,
                                               "charge_mobile": "13700137000"})
        self.env["charge.card"].create({"name": "CARD1004", "partner_id": zhao.id, "company_id": self.company.id})
        zhao._charge_set_status("frozen", "complaint")
        tags = ["CARD1001", "FLEET01", "CARD1003", "CARD1004", app.id_tag, backoffice.id_tag, "CARD0001", "NOBODY"]
        Bus = self.env["charge.device.bus"]
        requests = [(self.pile, tag) for tag in tags]

        def queries(some):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Bus._charge_authorize_stops(some)
            return self.env.cr.sql_log_count - before

        members = self.env["res.partner"].create([{
            "name": f"Member {n}", "charge_member": True, "company_id": self.company.id,
            "charge_mobile": f"1360013600{n}"} for n in range(6)])
        self.env["charge.card"].create([{"name": f"CARD20{n}", "partner_id": member.id, "company_id": self.company.id}
                                        for n, member in enumerate(members)])
        more = requests + [(self.pile, f"CARD20{n}") for n in range(6)]
        self.assertEqual(queries(more), queries(requests), "every kind of tag costs its queries once for the batch")
        together = Bus._charge_authorize_stops(requests)
        one_by_one = {(pile.id, tag): Bus._charge_authorize(pile, tag, stage="stop") for pile, tag in requests}
        self.assertEqual(together, one_by_one)
        self.assertEqual([together[self.pile.id, tag]["status"] for tag in tags],
                         ["Accepted", "Accepted", "Blocked", "Blocked", "Accepted", "Accepted", "Accepted", "Invalid"])

    def stops(self, transactions, meter_stop=4000):
        return [(f"test/{self.pile.serial}/up", json.dumps([2, f"stop{transaction}", "StopTransaction", {
            "transactionId": transaction, "meterStop": meter_stop, "timestamp": iso("2026-11-21 11:30"),
            "reason": "EVDisconnected", "idTag": tag}])) for transaction, tag in transactions]

    def outcome(self, transactions, per_frame):
        Bus = type(self.env["charge.device.bus"])
        savepoint = self.env.cr.savepoint()
        try:
            self.env["bus.bus"].search([]).unlink()
            if per_frame:
                replies = []
                with patch.object(Bus, "_set_based_stops", lambda bus, items: []):
                    for frame in self.stops(transactions):
                        replies += self.env["charge.device.bus"]._process_batch([frame])
            else:
                replies = self.env["charge.device.bus"]._process_batch(self.stops(transactions))
            self.env.flush_all()
            orders = self.env["charge.order"].search([("session_id", "in", [t for t, _tag in transactions])],
                                                     order="session_id")
            return {
                "replies": [ocpp_frames.decode(text).payload for _topic, text in replies],
                "orders": orders.read(["state", "stop_date", "end_reason", "occupancy_open", "occupancy_start",
                                       "settle_pending", "energy_kwh", "amount_total", "payment_state",
                                       "duration_minutes"]),
                "balances": (self.li_wallet.balance, self.fleet_wallet.balance),
                "live messages": self.env["bus.bus"].search_count([]),
            }
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    def test_a_batch_of_members_stops_stops_and_settles_their_orders_as_one_by_one(self):
        self.connector1.status = "charging"
        first = self.start_tag("CARD1001", when="2026-11-21 11:00", connector=1)["transactionId"]
        second = self.start_tag("FLEET01", when="2026-11-21 11:05", connector=2)["transactionId"]
        transactions = [(first, "CARD1001"), (second, "FLEET01")]
        alone = self.outcome(transactions, per_frame=True)
        together = self.outcome(transactions, per_frame=False)
        # one message to the open views at the stop and one at the settlement: per frame, or for the batch
        self.assertEqual(alone["live messages"], 4)
        self.assertEqual(together.pop("live messages"), 2)
        alone.pop("live messages")
        self.assertEqual(together, alone)
        self.assertEqual([order["state"] for order in together["orders"]], ["completed", "completed"])
        self.assertEqual([order["payment_state"] for order in together["orders"]], ["paid", "paid"])
