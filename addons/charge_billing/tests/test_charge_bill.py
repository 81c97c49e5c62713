from decimal import Decimal

from freezegun import freeze_time

from odoo.tests import tagged

from ..tools import ebike_pricing, pricing
from .common import ChargeBillingCase, iso, utc

# 07:30-10:30 in Shanghai at a steady 30 kW: 15 kWh valley, 60 kWh flat, 15 kWh peak
SAMPLES = [("2026-11-21 00:00", 16000), ("2026-11-21 01:00", 46000), ("2026-11-21 02:00", 76000)]


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestChargeBill(ChargeBillingCase):
    """``charge.order._charge_bill`` is the one place an order is priced: the
    final pricing writes its bill, and it writes nothing itself."""

    def status_at(self, status, when):
        self.send({"connectorId": 1, "status": status, "errorCode": "NoError", "timestamp": iso(when)},
                  "StatusNotification")

    def refuse_writes(self):
        """Make any write of an order or of its lines fail the test."""
        def refuse(*args, **kwargs):
            raise AssertionError("_charge_bill wrote to the database")

        for model, method in (("charge.order", "write"), ("charge.order.line", "create"),
                              ("charge.order.line", "write"), ("charge.order.line", "unlink")):
            self.patch(self.registry[model], method, refuse)

    def figures(self, order):
        return (order.amount_electricity, order.amount_service, order.amount_reservation, order.amount_occupancy,
                order.amount_total, order.energy_kwh, order.line_ids.ids, order.write_date)

    def test_the_final_bill_is_the_bill_of_the_end_and_pricing_writes_nothing(self):
        self.status_at("Preparing", "2026-11-20 23:30")
        reply = self.start(meter_start=1000, timestamp=iso("2026-11-20 23:30"))
        transaction = reply.payload["transactionId"]
        self.status_at("Charging", "2026-11-20 23:30")
        for when, energy in SAMPLES:
            self.meter(transaction, energy, timestamp=iso(when))
        self.stop(transaction, 91000, timestamp=iso("2026-11-21 02:30"))
        self.status_at("Finishing", "2026-11-21 02:30")
        self.status_at("Available", "2026-11-21 03:20")   # 50 minutes plugged in: 2 blocks of occupancy
        order = self.env["charge.order"].search([("session_id", "=", transaction)])
        self.assertEqual((order.state, order.occupancy_minutes, order.amount_occupancy), ("completed", 50, 2.0))
        self.env.flush_all()
        before = self.figures(order)

        self.refuse_writes()
        bill = order._charge_bill()     # by default: the session's end
        self.assertIsInstance(bill, pricing.Bill)
        self.assertEqual(
            [bill.electricity, bill.service, bill.reservation, bill.occupancy, bill.total, bill.energy_kwh],
            [Decimal(str(value)) for value in (order.amount_electricity, order.amount_service,
                                               order.amount_reservation, order.amount_occupancy,
                                               order.amount_total, order.energy_kwh)])
        self.assertEqual(bill.occupancy, Decimal("2.00"), "the occupancy is the order's")
        self.assertEqual(sorted((line.kind, line.band or False, float(line.amount)) for line in bill.lines),
                         sorted((line.kind, line.band, line.amount) for line in order.line_ids))
        # an earlier reading gives a smaller bill, and the order keeps its figures
        earlier = order._charge_bill(stop=utc("2026-11-21 00:00"), meter_wh=16000)
        self.assertEqual((earlier.energy_kwh, earlier.energy_by_band["valley"]), (Decimal("15.000"),
                                                                                   Decimal("15.000")))
        self.assertLess(earlier.total, bill.total)
        self.env.flush_all()
        self.assertEqual(self.figures(order), before)

    def test_the_bill_of_an_ebike_is_its_final_price(self):
        bike_pile = self.create_ebike_pile()
        bike_station = bike_pile.station_id
        bike_station.tariff_id = self.create_tariff(
            "Bike power", kind="ebike", effective="2026-10-31 16:00", ebike_mode="power_duration",
            free_minutes=5, auto_stop_minutes=720, auto_stop_amount=6.0, rounding="truncate",
            tier_ids=[(0, 0, {"kind": "power", "up_to_watts": 200, "rate_per_hour": 0.2}),
                      (0, 0, {"kind": "power", "up_to_watts": 400, "rate_per_hour": 0.15})])
        self.env["charge.pile.id.tag"].create({"pile_id": bike_pile.id, "tag": "CARD0001", "name": "Fleet"})
        reply = self.start(connector=3, meter_start=0, timestamp=iso("2026-11-21 11:00"), serial="BIKE0001")
        transaction = reply.payload["transactionId"]
        self.send({"connectorId": 3, "transactionId": transaction, "meterValue": [{
            "timestamp": iso("2026-11-21 11:01"), "sampledValue": [
                {"value": "10", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": "350", "measurand": "Power.Active.Import", "unit": "W"}]}]}, "MeterValues", serial="BIKE0001")
        self.send({"transactionId": transaction, "meterStop": 60, "timestamp": iso("2026-11-21 11:40"),
                   "reason": "EVDisconnected"}, "StopTransaction", serial="BIKE0001")
        order = self.env["charge.order"].search([("session_id", "=", transaction)])
        self.assertAlmostEqual(order.amount_total, 0.1)      # 40 min at 0.15 per hour (up to 400 W)
        self.env.flush_all()
        before = self.figures(order)
        self.refuse_writes()
        bill = order._charge_bill()
        self.assertIsInstance(bill, ebike_pricing.EbikeBill)
        self.assertEqual((bill.minutes, bill.total, bill.band.up_to_watts), (40, Decimal("0.10"), Decimal(400)))
        self.assertEqual(order._charge_bill(minutes=20).total, Decimal("0.05"))
        self.env.flush_all()
        self.assertEqual(self.figures(order), before)

    def test_an_order_without_tariff_has_no_bill(self):
        self.station.tariff_id = False
        order = self.run_session()
        self.assertFalse(order.tariff_snapshot)
        self.assertIsNone(order._charge_bill())
