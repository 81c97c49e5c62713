import json

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from odoo.addons.charge_base.tests.rpc import ChargeRpcMixin

from .common import ChargeBillingCase, iso, utc


def hoot_id(name):
    """The id the HOOT test runner gives the suite ``name`` (web/tests/test_js.py)."""
    value = 0
    for char in name:
        value = ((value << 5) - value + ord(char)) & 0xFFFFFFFF
    return f"{value:08x}"


class LiveCase(ChargeBillingCase):
    """A car starts at 09:30 in Shanghai (01:30 UTC) on the TOU tariff: the flat
    band costs 0.70 + 0.60 per kWh until 10:00, the peak band 1.00 + 0.80 after."""

    def reading(self, transaction, energy_wh, when, power_w=60000, soc=None):
        values = [{"value": str(energy_wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                  {"value": str(power_w), "measurand": "Power.Active.Import", "unit": "W"}]
        if soc is not None:
            values.append({"value": str(soc), "measurand": "SoC", "unit": "Percent"})
        stamp = iso(when) if len(when) == 16 else when.replace(" ", "T") + "Z"  # with seconds
        self.send({"connectorId": 1, "transactionId": transaction,
                   "meterValue": [{"timestamp": stamp, "sampledValue": values}]}, "MeterValues")

    def start_car(self):
        reply = self.start(meter_start=1000, timestamp=iso("2026-11-21 01:30"))
        transaction = reply.payload["transactionId"]
        order = self.env["charge.order"].search([("session_id", "=", transaction)])
        self.assertEqual(order.state, "charging")
        return transaction, order

    def live_notes(self, before):
        notes = self.env["bus.bus"].search([("id", ">", before)])
        return [json.loads(note.message)["payload"] for note in notes
                if json.loads(note.message)["type"] == "charge_order_live"]


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 02:40:00")
class TestLiveFigures(LiveCase):

    def test_a_running_order_shows_its_figures_so_far(self):
        transaction, order = self.start_car()
        self.assertEqual((order.live_energy_kwh, order.live_amount), (0.0, 0.0))
        self.reading(transaction, 11000, "2026-11-21 02:00", power_w=58000, soc=40)
        # 10 kWh in the flat band: 13.00, priced with the order's tariff snapshot
        self.assertEqual((order.live_energy_kwh, order.live_amount, order.live_soc, order.live_power_kw),
                         (10.0, 13.0, 40.0, 58.0))
        self.assertEqual(order.live_reading_date, utc("2026-11-21 02:00"))
        self.assertEqual(order.live_amount, float(order._charge_bill().total))
        # the final figures wait for the end of the charge
        self.assertEqual((order.energy_kwh, order.amount_total), (0.0, 0.0))

        # a new MeterValues frame through the listener: 10 kWh more, in the peak band (18.00)
        before = self.env["bus.bus"].search([], order="id desc", limit=1).id
        self.reading(transaction, 21000, "2026-11-21 02:30", power_w=61000, soc=55)
        self.assertEqual((order.live_energy_kwh, order.live_amount, order.live_soc, order.live_power_kw),
                         (20.0, 31.0, 55.0, 61.0))
        self.assertEqual(order.live_reading_date, utc("2026-11-21 02:30"))
        self.assertEqual(order.live_duration_minutes, 70.0)
        for part in ("20.000 kWh", "31.00", "70 min", "55%"):
            self.assertIn(part, order.live_summary)
        # the open views of the order and its connector are told
        self.assertEqual(self.live_notes(before), [{"orders": [order.id], "connectors": [self.connector1.id]}])
        # the connector's kanban card shows them
        self.assertEqual(self.connector1.live_order_summary, order.live_summary)
        self.assertFalse(self.connector2.live_order_summary)

    def test_the_cost_is_priced_again_every_half_minute_of_readings(self):
        transaction, order = self.start_car()
        self.reading(transaction, 11000, "2026-11-21 02:00")
        self.assertEqual((order.live_amount, order.live_amount_date), (13.0, utc("2026-11-21 02:00")))
        # a pile sampling every 10 s: its energy follows every reading, its cost every 30 s of readings
        self.reading(transaction, 11500, "2026-11-21 02:00:10")
        self.assertEqual((order.live_energy_kwh, order.live_reading_date), (10.5, utc("2026-11-21 02:00:10")))
        self.assertEqual((order.live_amount, order.live_amount_date), (13.0, utc("2026-11-21 02:00")))
        self.reading(transaction, 12000, "2026-11-21 02:00:30")
        # the 11th kWh is in the peak band (from 10:00 in Shanghai): 1.80
        self.assertEqual((order.live_energy_kwh, order.live_amount, order.live_amount_date),
                         (11.0, 14.8, utc("2026-11-21 02:00:30")))

    def test_a_long_session_costs_live_what_its_bill_says(self):
        transaction, order = self.start_car()
        # a reading every 20 s for an hour (09:30-10:30 in Shanghai, across the 10:00 flat/peak boundary),
        # sent 60 to a MeterValues frame: the live cost is priced from the stored samples of the whole session
        readings, energy = [], 1000
        for step in range(1, 181):
            energy += 150 + step % 7 * 10
            stamp = f"2026-11-21T{1 + (30 + step // 3) // 60:02d}:{(30 + step // 3) % 60:02d}:{step % 3 * 20:02d}Z"
            readings.append((stamp, energy))
        for first in range(0, len(readings), 60):
            self.send({"connectorId": 1, "transactionId": transaction, "meterValue": [{
                "timestamp": stamp, "sampledValue": [
                    {"value": str(value), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}
                for stamp, value in readings[first:first + 60]]}, "MeterValues")
        self.assertEqual(len(order.session_id.meter_value_ids.filtered("energy_wh")), 180)
        self.assertEqual(order.live_reading_date, utc("2026-11-21 02:30"))
        live = order.live_amount
        self.assertGreater(live, 0)
        # the final bill, from the same samples, ending on the last one: the same amount
        self.stop(transaction, energy, timestamp=iso("2026-11-21 02:30"))
        self.assertEqual(order.state, "completed")
        self.assertEqual(order.amount_total, live)
        self.assertEqual(order.energy_kwh, (energy - 1000) / 1000)
        self.assertEqual(sorted(order.line_ids.mapped("band")), ["flat", "peak"])

    def test_the_order_keeps_the_tariff_it_started_with(self):
        transaction, order = self.start_car()
        # a dearer version comes into force while the car charges: the running order keeps its snapshot
        self.add_version(self.tou, periods=[(0, 24, "flat")], effective="2026-11-21 01:45", elec_flat=9.0)
        self.reading(transaction, 11000, "2026-11-21 02:00")
        self.assertEqual(order.live_amount, 13.0)

    def test_the_bill_replaces_the_live_figures_when_the_charge_ends(self):
        transaction, order = self.start_car()
        self.reading(transaction, 11000, "2026-11-21 02:00", soc=40)
        before = self.env["bus.bus"].search([], order="id desc", limit=1).id
        self.stop(transaction, 21000, timestamp=iso("2026-11-21 02:30"))
        self.assertEqual((order.state, order.amount_total, order.energy_kwh), ("completed", 31.0, 20.0))
        self.assertFalse(order.live_summary)
        self.assertEqual(order.live_duration_minutes, order.duration_minutes)
        self.assertIn({"orders": [order.id], "connectors": [self.connector1.id]}, self.live_notes(before))
        self.assertFalse(self.connector1.live_order_summary)

    def test_another_piles_transaction_changes_nothing(self):
        transaction, order = self.start_car()
        other = self.create_pile("BUS00002")
        other.action_commission()
        self.send({"connectorId": 1, "transactionId": transaction, "meterValue": [{
            "timestamp": iso("2026-11-21 02:00"), "sampledValue": [
                {"value": "99000", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]},
            "MeterValues", serial="BUS00002")
        self.assertEqual((order.live_energy_kwh, order.live_amount), (0.0, 0.0))


@tagged("post_install", "-at_install")
class TestLiveEbikeFigures(ChargeBillingCase):
    """An e-bike's cost grows with the time it charges: its live amount is its bill up to the frame's arrival."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bike_pile = cls.create_ebike_pile()
        cls.env["charge.pile.id.tag"].create({"pile_id": cls.bike_pile.id, "tag": "CARD0001", "name": "Fleet"})
        cls.bike_pile.station_id.tariff_id = cls.create_tariff(
            "Bike power", kind="ebike", effective="2026-10-31 16:00", ebike_mode="power_duration",
            free_minutes=5, auto_stop_minutes=720, auto_stop_amount=6.0, rounding="truncate",
            tier_ids=[(0, 0, {"kind": "power", "up_to_watts": 200, "rate_per_hour": 0.2})])

    def bike_reading(self, transaction, energy_wh, when):
        self.send({"connectorId": 3, "transactionId": transaction, "meterValue": [{
            "timestamp": iso(when), "sampledValue": [
                {"value": str(energy_wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": "150", "measurand": "Power.Active.Import", "unit": "W"}]}]},
            "MeterValues", serial="BIKE0001")

    def test_an_ebike_costs_its_time_so_far(self):
        with freeze_time("2026-11-21 11:19:00"):
            reply = self.start(connector=3, meter_start=0, timestamp=iso("2026-11-21 11:00"), serial="BIKE0001")
            transaction = reply.payload["transactionId"]
            order = self.env["charge.order"].search([("session_id", "=", transaction)])
            self.bike_reading(transaction, 10, "2026-11-21 11:01")
            # 19 minutes at 0.20 an hour: 0.0633, truncated
            self.assertEqual((order.kind, order.live_energy_kwh, order.live_amount, order.live_power_kw),
                             ("ebike", 0.01, 0.06, 0.15))
        with freeze_time("2026-11-21 11:40:00"):
            self.bike_reading(transaction, 60, "2026-11-21 11:39")
            self.assertEqual((order.live_energy_kwh, order.live_amount), (0.06, 0.13))


@tagged("post_install", "-at_install")
class TestLiveFiguresAsClerk(ChargeRpcMixin, LiveCase, HttpCase):

    def test_the_clerk_reads_the_live_figures_of_running_orders(self):
        transaction, order = self.start_car()
        self.reading(transaction, 11000, "2026-11-21 02:00", soc=40)
        rows = self.rpc(self.user, "charge.order", "web_search_read", [("state", "=", "charging")],
                        specification={"live_energy_kwh": {}, "live_amount": {}, "live_soc": {},
                                       "live_duration_minutes": {}, "live_summary": {}})["records"]
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["live_energy_kwh"], rows[0]["live_amount"], rows[0]["live_soc"]),
                         (10.0, 13.0, 40.0))
        self.assertGreater(rows[0]["live_duration_minutes"], 0)
        self.assertIn("10.000 kWh", rows[0]["live_summary"])
        # the form and the list the clerk opens show them
        views = self.rpc(self.user, "charge.order", "get_views", [[False, "form"], [False, "list"]])["views"]
        for view in ("form", "list"):
            self.assertIn("live_", views[view]["arch"])
        # they change through the listener only
        self.assertRpcRefused(self.user, "charge.order", "write", order.ids, {"live_amount": 0.01})

    def test_the_clerk_watches_a_running_order_in_the_web_client(self):
        transaction, order = self.start_car()
        self.reading(transaction, 6000, "2026-11-21 01:45", soc=30)
        self.reading(transaction, 11000, "2026-11-21 02:00", soc=40)
        self.start_tour(f"/odoo/action-charge_billing.charge_order_action/{order.id}",
                        "charge_billing_live_order_tour", login=self.user.login)


@tagged("post_install", "-at_install")
class TestLiveReloadJs(HttpCase):
    """static/tests/live_order_figures.test.js: an open order form or list reloads when the bus
    says the listener wrote its live figures (and only then)."""

    def test_open_order_views_reload_on_live_figures(self):
        self.browser_js(f"/web/tests?headless&loglevel=2&preset=desktop&timeout=15000&id={hoot_id('@charge_billing')}",
                        "", "", login="admin", timeout=600, success_signal="[HOOT] Test suite succeeded",
                        error_checker=lambda message: "[HOOT]" not in message)
