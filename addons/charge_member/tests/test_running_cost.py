import json

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ChargeMemberCase, iso


def cannot_price_messages(order):
    return order.message_ids.filtered(lambda message: "tariff cannot price" in (message.body or ""))


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestRunningCost(ChargeMemberCase):
    """The running cost is the bill the final pricing would write on the
    latest reading (charge_billing's ``_charge_bill``); a charge the tariff
    cannot price is not left running unchecked. Li's wallet can pay 100; from
    19:00 in Shanghai (11:00 UTC) the flat band costs 1.30 per kWh."""

    def order_of(self, reply):
        return self.env["charge.order"].search([("session_id", "=", reply["transactionId"])])

    def status_at(self, status, when):
        self.send({"connectorId": 1, "status": status, "errorCode": "NoError", "timestamp": iso(when)},
                  "StatusNotification")

    def stop_commands(self):
        return self.env["charge.device.command"].search([("action", "=", "RemoteStopTransaction"),
                                                         ("pile_id", "=", self.pile.id)])

    def test_the_running_cost_counts_occupancy_like_the_final_bill(self):
        self.status_at("Preparing", "2026-11-21 11:00")
        reply = self.start_tag("CARD1001", when="2026-11-21 11:00")
        self.status_at("Charging", "2026-11-21 11:00")
        order = self.order_of(reply)
        self.meter(reply["transactionId"], 50000, timestamp=iso("2026-11-21 11:10"))   # 65.00
        self.assertEqual((order.state, order.running_amount), ("charging", 65.0))
        # the occupancy the final bill will count (50 minutes: 2 blocks of 1.00) counts in the running cost too
        order.sudo().occupancy_minutes = 50
        running = order._running_cost()
        self.assertEqual(float(running), 67.0)
        self.assertEqual(running, order._charge_bill().total)
        # the final bill on the same reading, with the same occupancy
        order.sudo().occupancy_minutes = 0
        self.stop(reply["transactionId"], 50000, timestamp=iso("2026-11-21 11:10"))
        self.status_at("Finishing", "2026-11-21 11:10")
        self.status_at("Available", "2026-11-21 12:00")
        self.assertEqual((order.state, order.occupancy_minutes, order.payment_state), ("completed", 50, "paid"))
        self.assertEqual(order.amount_total, float(running))

    def test_a_meter_gone_backwards_is_no_free_charge(self):
        reply = self.start_tag("CARD1001", when="2026-11-21 11:00")
        order = self.order_of(reply)
        self.meter(reply["transactionId"], 50000, timestamp=iso("2026-11-21 11:10"))   # 65.00: goes on
        self.meter(reply["transactionId"], 30000, timestamp=iso("2026-11-21 11:15"))   # the latest register: 50000
        self.assertEqual((order.state, order.running_amount), ("charging", 65.0))
        # the engine does not price a meter that went backwards: the cost is unknown, not 0, and the
        # upper estimate (50 kWh at the dearest 2.00 plus the reservation fee: 102.00) reached the 100
        self.meter(reply["transactionId"], 31000, timestamp=iso("2026-11-21 11:16"))
        self.assertEqual((order.state, order.funds_stop_sent, order.stop_command_id.action),
                         ("stopping", True, "RemoteStopTransaction"))
        self.assertEqual(order.running_amount, 65.0, "the running cost keeps its last known value")
        self.assertIn("upper estimate 102", cannot_price_messages(order).body)
        self.meter(reply["transactionId"], 32000, timestamp=iso("2026-11-21 11:17"))
        self.assertEqual(len(self.stop_commands()), 1, "one stop only")

    def test_a_tariff_that_cannot_price_the_charge_stops_it(self):
        reply = self.start_tag("CARD1001", when="2026-11-21 11:00")
        order = self.order_of(reply)
        data = json.loads(order.tariff_snapshot)
        data["tariff"]["reservation_fee"] = "-1"
        self.env.cr.execute("UPDATE charge_order SET tariff_snapshot = %s WHERE id = %s",
                            (json.dumps(data), order.id))
        order.invalidate_recordset(["tariff_snapshot"])
        self.meter(reply["transactionId"], 1000, timestamp=iso("2026-11-21 11:01"))   # 1.30 of the 100
        self.assertEqual((order.state, order.funds_stop_sent, order.stop_command_id.action),
                         ("stopping", True, "RemoteStopTransaction"))
        self.assertEqual(order.running_amount, 0.0, "no cost was ever known")
        self.meter(reply["transactionId"], 2000, timestamp=iso("2026-11-21 11:02"))
        self.assertEqual(len(self.stop_commands()), 1, "one stop")
        self.assertEqual(len(cannot_price_messages(order)), 1, "one message")
        # the pile stops: the order is abnormal, for a clerk to price, and nothing is taken from the wallet
        self.stop(reply["transactionId"], 2000, timestamp=iso("2026-11-21 11:03"), reason="Remote")
        self.assertEqual((order.state, order.anomaly_ids.code, order.payment_state),
                         ("abnormal", "pricing_error", "to_pay"))
        self.assertEqual(self.li_wallet.balance, 100.0)


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestEbikeRunningCost(ChargeMemberCase):
    """An e-bike's running cost grows with time; its power band comes from the
    highest power the pile reported, as in the final bill."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bike_pile = cls.create_ebike_pile()
        cls.bike_station = cls.bike_pile.station_id
        cls.bike_station.tariff_id = cls.create_tariff(
            "Bike power", kind="ebike", effective="2026-10-31 16:00", ebike_mode="power_duration",
            free_minutes=5, auto_stop_minutes=720, auto_stop_amount=6.0, rounding="truncate",
            tier_ids=[(0, 0, {"kind": "power", "up_to_watts": 200, "rate_per_hour": 0.2}),
                      (0, 0, {"kind": "power", "up_to_watts": 400, "rate_per_hour": 0.15})])

    def bike_meter(self, transaction, when, energy_wh=None, power_w=None):
        values = []
        if energy_wh is not None:
            values.append({"value": str(energy_wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"})
        if power_w is not None:
            values.append({"value": str(power_w), "measurand": "Power.Active.Import", "unit": "W"})
        self.send({"connectorId": 3, "transactionId": transaction, "meterValue": [{
            "timestamp": iso(when), "sampledValue": values}]}, "MeterValues", serial="BIKE0001")

    def start_bike(self):
        reply = self.start(connector=3, id_tag="CARD1001", meter_start=0, timestamp=iso("2026-11-21 11:00"),
                           serial="BIKE0001")
        transaction = reply.payload["transactionId"]
        order = self.env["charge.order"].search([("session_id", "=", transaction)])
        self.assertEqual((order.kind, order.wallet_id, order.state), ("ebike", self.li_wallet, "charging"))
        return transaction, order

    def test_the_running_cost_is_the_final_price_of_the_same_reading(self):
        transaction, order = self.start_bike()
        self.bike_meter(transaction, "2026-11-21 11:01", energy_wh=10, power_w=150)
        # the highest power comes without an energy register: the 400 W band (0.15 per hour) applies
        self.bike_meter(transaction, "2026-11-21 11:02", power_w=350)
        with freeze_time("2026-11-21 11:31:00"):
            self.env["charge.order"]._cron_watch()
        self.assertEqual((order.state, order.running_amount), ("charging", 0.07))   # 31 min: 0.0775 -> 0.07
        self.send({"transactionId": transaction, "meterStop": 10, "timestamp": iso("2026-11-21 11:31"),
                   "reason": "EVDisconnected"}, "StopTransaction", serial="BIKE0001")
        self.assertEqual((order.state, order.payment_state), ("completed", "paid"))
        self.assertEqual(order.amount_total, 0.07)

    def test_a_tariff_that_cannot_price_the_bike_stops_it(self):
        transaction, order = self.start_bike()
        self.bike_meter(transaction, "2026-11-21 11:01", energy_wh=10, power_w=150)
        data = json.loads(order.tariff_snapshot)
        data["tariff"]["electricity_price"] = "-1"
        self.env.cr.execute("UPDATE charge_order SET tariff_snapshot = %s WHERE id = %s",
                            (json.dumps(data), order.id))
        order.invalidate_recordset(["tariff_snapshot"])
        with freeze_time("2026-11-21 11:10:00"):
            self.env["charge.order"]._cron_watch()
        self.assertEqual((order.state, order.funds_stop_sent, order.stop_command_id.action),
                         ("stopping", True, "RemoteStopTransaction"))
        self.assertEqual(len(cannot_price_messages(order)), 1)
