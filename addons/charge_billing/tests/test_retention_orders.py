from datetime import timedelta
from decimal import Decimal

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ChargeBillingCase, utc

# 07:30-10:30 in Shanghai (valley, flat from 08:00, peak from 10:00), a sample every 2 minutes at odd
# minutes, so that the register at each band boundary is read between two samples; the power changes
STEPS = [400 + 150 * (index % 4) for index in range(90)]
SAMPLES = [(f"{(utc('2026-11-20 23:31') + timedelta(minutes=2 * index)):%Y-%m-%d %H:%M}",
            1000 + sum(STEPS[:index + 1])) for index in range(90)]
SESSION = dict(start="2026-11-20 23:30", stop="2026-11-21 02:30", meter_start=1000,
               meter_stop=SAMPLES[-1][1] + 200, samples=SAMPLES)
STOP = utc("2026-11-21 02:30")


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestRetentionOfOrders(ChargeBillingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"charge_message_retention_days": 180, "charge_frequent_message_retention_days": 2,
                           "charge_sample_retention_days": 30, "charge_sample_full_days": 180,
                           "charge_sample_thin_minutes": 15})

    def prune(self, days_after_stop):
        self.env.flush_all()
        with freeze_time(STOP + timedelta(days=days_after_stop)):
            self.env["charge.retention"]._cron_prune()
        self.env.invalidate_all()

    def run_order(self):
        order = self.run_session(**SESSION)
        self.assertEqual(order.state, "completed")
        return order

    def figures(self, order):
        lines = [(line.kind, line.band, line.start_date, line.stop_date, line.energy_kwh, line.amount)
                 for line in order.line_ids.sorted(lambda line: (line.sequence, line.start_date or STOP))]
        return lines, order._telemetry_values()

    def test_an_orders_samples_are_kept_whole_within_the_period(self):
        order = self.run_order()
        self.assertEqual(len(order.meter_value_ids), 90)
        self.prune(179)
        self.assertEqual(len(order.meter_value_ids), 90)
        self.assertFalse(order.session_id.meter_values_retention)

    def test_after_the_period_the_samples_are_thinned_and_the_bill_still_derives(self):
        order = self.run_order()
        session = order.session_id
        lines, telemetry = self.figures(order)
        bands = {band: order[f"energy_{band}"] for band in ("valley", "flat", "peak")}
        self.prune(181)
        self.assertEqual(session.meter_values_retention, "thinned")
        kept = session.meter_value_ids
        self.assertLess(len(kept), 30)
        # the bill, priced again on what is left, is the order's, to the Wh and to the cent
        bill = order._charge_bill()
        self.assertEqual({band: float(bill.energy_by_band.get(band, 0)) for band in bands}, bands)
        self.assertEqual(float(bill.total), order.amount_total)
        self.assertEqual(bill.energy_kwh, Decimal(str(order.energy_kwh)).quantize(Decimal("0.001")))
        # the register read just before and after each band boundary (08:00 and 10:00 in Shanghai)
        times = set(kept.mapped("timestamp"))
        for moment in ("2026-11-20 23:59", "2026-11-21 00:01", "2026-11-21 01:59", "2026-11-21 02:01"):
            self.assertIn(utc(moment), times)
        # the first and last register readings
        self.assertIn(utc(SAMPLES[0][0]), times)
        self.assertIn(utc(SAMPLES[-1][0]), times)
        self.assertEqual(self.figures(order), (lines, telemetry))
        # the figures stay when the order is priced again
        order._price(order.stop_date, session.meter_stop)
        self.assertEqual(self.figures(order)[0], lines)
        # a second run changes nothing
        self.prune(400)
        self.assertEqual(session.meter_value_ids, kept)

    def test_an_unsettled_order_keeps_all_its_samples(self):
        abnormal = self.run_order()
        abnormal.action_mark_abnormal()
        reply = self.start(connector=2, meter_start=0, timestamp="2026-11-21T03:00:00Z")
        running = self.env["charge.session"].browse(reply.payload["transactionId"])
        for minute in range(0, 60, 2):
            self.meter(running.id, 100 * minute, timestamp=f"2026-11-21T03:{minute:02d}:00Z", connector=2)
        self.prune(400)
        self.assertEqual(len(abnormal.meter_value_ids), 90)
        self.assertEqual(len(running.meter_value_ids), 30)
        self.assertEqual((abnormal.session_id | running).mapped("meter_values_retention"), [False, False])
        # once handled, its period counts from its end
        self.env["charge.order.handling"].create({"order_id": abnormal.id, "method": "settle", "note": "checked"})
        self.assertEqual(abnormal.state, "completed")
        self.prune(400)
        self.assertEqual(abnormal.session_id.meter_values_retention, "thinned")

    def test_a_session_without_order_keeps_its_samples_the_unbilled_period(self):
        def session(days_ago):
            stop = STOP - timedelta(days=days_ago)
            record = self.env["charge.session"].create({
                "pile_id": self.pile.id, "connector_id": self.connector1.id, "start_date": stop - timedelta(hours=1),
                "meter_start": 0, "meter_stop": 6000, "state": "finished", "stop_date": stop,
            })
            self.env["charge.meter.value"].create([{
                "session_id": record.id, "pile_id": self.pile.id, "company_id": self.company.id,
                "timestamp": stop - timedelta(minutes=minutes), "energy_wh": 6000 - 100 * minutes,
            } for minutes in range(60)])
            return record
        old, recent = session(31), session(29)
        self.prune(0)
        self.assertEqual((len(old.meter_value_ids), old.meter_values_retention), (0, "pruned"))
        self.assertEqual((len(recent.meter_value_ids), recent.meter_values_retention), (60, False))

    def test_the_frames_of_an_unsettled_order_stay(self):
        order = self.run_order()

        def frame(at, action="StartTransaction"):
            return self.env["charge.device.message"].create({
                "serial": self.pile.serial, "message_id": f"k{next(self._ids)}", "pile_id": self.pile.id,
                "company_id": self.company.id, "received_at": utc(at), "frame_type": "call", "action": action,
                "payload": "{}"})
        during, stop = frame("2026-11-20 23:30"), frame("2026-11-21 02:30", "StopTransaction")
        meter = frame("2026-11-21 01:00", "MeterValues")
        heartbeat, after = frame("2026-11-21 01:00", "Heartbeat"), frame("2026-11-21 05:00")
        order.action_mark_abnormal()
        self.prune(200)
        self.assertEqual((during | stop | meter).exists(), during | stop | meter)
        self.assertFalse((heartbeat | after).exists())
        self.env["charge.order.handling"].create({"order_id": order.id, "method": "void", "note": "test"})
        self.prune(200)
        self.assertFalse((during | stop | meter).exists())
