from freezegun import freeze_time

from odoo.tests import tagged

from .common import ChargeBillingCase, iso


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestEbikeOrders(ChargeBillingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bike_pile = cls.create_ebike_pile()
        cls.bike_station = cls.bike_pile.station_id
        cls.env["charge.pile.id.tag"].create({"pile_id": cls.bike_pile.id, "tag": "CARD0001", "name": "Fleet"})
        cls.bike_tariff = cls.create_tariff(
            "Bike power", kind="ebike", effective="2026-10-31 16:00", ebike_mode="power_duration",
            free_minutes=5, auto_stop_minutes=720, auto_stop_amount=6.0, rounding="truncate",
            tier_ids=[(0, 0, {"kind": "power", "up_to_watts": 200, "rate_per_hour": 0.2}),
                      (0, 0, {"kind": "power", "up_to_watts": 400, "rate_per_hour": 0.15})])
        cls.bike_station.tariff_id = cls.bike_tariff

    def bike_session(self, minutes, power_w=150, stop=True):
        reply = self.start(connector=3, meter_start=0, timestamp=iso("2026-11-21 11:00"), serial="BIKE0001")
        transaction = reply.payload["transactionId"]
        self.send({"connectorId": 3, "transactionId": transaction, "meterValue": [{
            "timestamp": iso("2026-11-21 11:01"), "sampledValue": [
                {"value": "10", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": str(power_w), "measurand": "Power.Active.Import", "unit": "W"}]}]},
            "MeterValues", serial="BIKE0001")
        if stop:
            self.send({"transactionId": transaction, "meterStop": 60,
                       "timestamp": iso(f"2026-11-21 11:{minutes:02d}"), "reason": "EVDisconnected"},
                      "StopTransaction", serial="BIKE0001")
        return self.env["charge.order"].search([("session_id", "=", transaction)])

    def test_eighteen_minutes_at_twenty_fen_an_hour_is_six_fen(self):
        order = self.bike_session(18)
        self.assertEqual((order.kind, order.state), ("ebike", "completed"))
        self.assertAlmostEqual(order.amount_total, 0.06)
        self.assertAlmostEqual(order.max_power_kw, 0.15)
        self.assertEqual(len(order.line_ids), 1)
        self.assertIn("18 min", order.line_ids.name)

    def test_power_band_from_the_maximum_power_and_truncation(self):
        order = self.bike_session(14, power_w=350)  # 14 min x 0.15/h = 0.035 -> 0.03
        self.assertAlmostEqual(order.amount_total, 0.03)

    def test_free_duration(self):
        order = self.bike_session(4)
        self.assertEqual((order.state, order.amount_total), ("completed", 0))

    def test_prepaid_amount_stops_the_order_when_used_up(self):
        order = self.bike_session(0, stop=False)
        order.prepaid_amount = 0.10
        with freeze_time("2026-11-21 11:20:00"):
            self.env["charge.order"]._cron_watch()
        self.assertEqual(order.state, "charging")
        with freeze_time("2026-11-21 11:31:00"):  # 31 min x 0.2/h = 0.103 -> 0.10
            self.env["charge.order"]._cron_watch()
        self.assertEqual((order.state, order.stop_command_id.action), ("stopping", "RemoteStopTransaction"))

    def test_settle_a_suspended_order_on_a_duration_the_clerk_enters(self):
        order = self.bike_session(0, stop=False)
        order.session_id.state = "suspended"
        self.assertEqual(order.state, "suspended")
        wizard = self.env["charge.order.settle"].create({"order_id": order.id, "use_minutes": True, "minutes": 30,
                                                         "note": "Pile lost power"})
        wizard.action_confirm()
        self.assertEqual(order.state, "completed")
        self.assertAlmostEqual(order.amount_total, 0.10)
        self.assertAlmostEqual(order.duration_minutes, 30)
