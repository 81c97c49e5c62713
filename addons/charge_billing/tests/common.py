from datetime import datetime
from unittest.mock import patch

from odoo.addons.charge_device.tests.common import ChargeDeviceCase

# The demo day of the operator manual, in Asia/Shanghai local time.
DEMO_PERIODS = [(0, 8, "valley"), (8, 10, "flat"), (10, 12, "peak"), (12, 14, "sharp"), (14, 19, "peak"),
                (19, 22, "flat"), (22, 24, "valley")]


def utc(text):
    """'2026-11-21 08:00' (UTC) as a naive datetime, the way Odoo stores it."""
    return datetime.fromisoformat(text)


def iso(text):
    """'2026-11-21 08:00' (UTC) as an OCPP timestamp."""
    return text.replace(" ", "T") + ":00Z"


class ChargeBillingCase(ChargeDeviceCase):
    """The device scenario plus a time-of-use tariff in force since November
    2026 on the bus pile's station (Asia/Shanghai), with its reservation and
    occupancy fees, and a standard tariff to override piles with."""

    # The scenarios check how orders are settled, not when: the settle queue that a StopTransaction triggers runs
    # at once, in that transaction, instead of after its commit. The queue itself (an order left Stopping and
    # waiting by the device transaction, batches, failures) is tested with this off (test_settle_queue.py).
    settle_at_once = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.settle_at_once:
            Order = type(cls.env["charge.order"])

            def settle_at_once(self):
                self.env["charge.order"]._cron_settle_queue()

            cls.startClassPatcher(patch.object(Order, "_charge_trigger_settle", settle_at_once))
        cls.station.tz = "Asia/Shanghai"
        cls.dc_model.write({"cap_tou_service_fee": True, "cap_reservation": True, "cap_occupancy_fee": True})
        cls.tou = cls.create_tariff("TOU", periods=DEMO_PERIODS, effective="2026-10-31 16:00",
                                    reservation_hold_minutes=15, reservation_fee=2.0,
                                    occupancy_free_minutes=15, occupancy_block_minutes=30,
                                    occupancy_block_fee=1.0, occupancy_cap=20.0)
        cls.standard = cls.create_tariff("Standard", effective="2026-10-31 16:00",
                                         price_electricity=0.5, price_service=0.3)
        cls.station.tariff_id = cls.tou

    @classmethod
    def create_ebike_pile(cls, serial="BIKE0001"):
        """An operating e-bike station "Futian Bikes" (Asia/Shanghai) and its commissioned pile ``serial``."""
        station = cls.create_station("Futian Bikes", kind="ebike", tz="Asia/Shanghai")
        station.action_submit()
        station.with_user(cls.manager).action_approve()
        station.action_start()
        pile = cls.create_pile(serial, station=station, model=cls.ebike_model)
        pile.action_commission()
        return pile

    @classmethod
    def create_tariff(cls, name, periods=None, effective=None, kind="car", publish=True, **prices):
        tariff = cls.env["charge.tariff"].create({"name": name, "kind": kind, "company_id": cls.company.id,
                                                  "tz": "Asia/Shanghai"})
        cls.add_version(tariff, periods=periods, effective=effective, publish=publish, **prices)
        return tariff

    @classmethod
    def add_version(cls, tariff, periods=None, effective=None, publish=True, **values):
        if tariff.kind == "car" and periods:
            values.setdefault("mode", "tou")
            values["period_ids"] = [(0, 0, {"start_time": start, "end_time": end, "band": band})
                                    for start, end, band in periods]
            for band, elec, service in (("sharp", 1.2, 0.8), ("peak", 1.0, 0.8), ("flat", 0.7, 0.6),
                                        ("valley", 0.3, 0.4)):
                if not values.get("base_price_id"):
                    values.setdefault(f"elec_{band}", elec)
                values.setdefault(f"service_{band}", service)
        if effective and publish:
            # a version that came into force in the past, as the demo data has them
            values.update(effective_date=utc(effective), state="published", pushed=True)
        elif effective:
            values["effective_date"] = utc(effective)
        version = cls.env["charge.tariff.version"].create({"tariff_id": tariff.id, **values})
        if publish and version.state == "draft":
            version.action_publish()
        return version

    def record_final_orders(self):
        """The ids of the orders made final (``_on_order_completed``) from now on, in order."""
        finals = []
        model = self.registry["charge.order"]
        final = model._on_order_completed

        def record(orders):
            finals.extend(orders.ids)
            return final(orders)

        self.patch(model, "_on_order_completed", record)
        return finals

    # device helpers --------------------------------------------------------------

    def run_session(self, start="2026-11-21 00:00", samples=(), stop="2026-11-21 01:00", meter_start=0,
                    meter_stop=10000, connector=1, id_tag="CARD0001"):
        """A whole session on the bus pile: start, meter values (time, Wh), stop. Returns the order."""
        reply = self.start(connector=connector, id_tag=id_tag, meter_start=meter_start, timestamp=iso(start))
        transaction = reply.payload["transactionId"]
        for when, energy in samples:
            self.meter(transaction, energy, timestamp=iso(when), connector=connector)
        if stop:
            self.stop(transaction, meter_stop, timestamp=iso(stop))
        return self.env["charge.order"].search([("session_id", "=", transaction)])
