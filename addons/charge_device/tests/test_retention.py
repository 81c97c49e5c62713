from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, tagged

from ..tools import retention
from .common import ChargeDeviceCase

NOW = datetime(2027, 8, 1, 12, 0)


def minutes(start, count, step=1):
    return [start + timedelta(minutes=step * i) for i in range(count)]


class TestRetentionTool(BaseCase):

    def samples(self, count=120, start=datetime(2027, 1, 1, 8, 0)):
        # a register that moves unevenly, a power that peaks at sample 50, a SoC from sample 5 to 100
        energy, rows = 10000.0, []
        for index, at in enumerate(minutes(start, count)):
            energy += 100 + 37 * (index % 5)
            rows.append(retention.Sample(index + 1, at, energy, 30000 + (9000 if index == 50 else index),
                                         20 + index / 4 if 5 <= index <= 100 else None))
        return rows

    def test_one_sample_per_interval_with_the_ends_and_the_figures(self):
        rows = self.samples()
        keep = retention.samples_to_keep(rows, timedelta(minutes=15))
        # minutes 0, 15, ... 105, the last one (119), the highest power (50), the first and last SoC (5, 100)
        expected = {1 + m for m in range(0, 120, 15)} | {120, 51, 6, 101}
        self.assertEqual(keep, expected)

    def test_the_readings_around_each_pinned_instant_stay(self):
        rows = self.samples()
        plain = retention.samples_to_keep(rows, timedelta(minutes=15))
        # 08:29:30 lies between the samples of 08:29 (id 30) and 08:30 (id 31); 08:40 is a sample (id 41)
        pinned = [datetime(2027, 1, 1, 8, 29, 30), datetime(2027, 1, 1, 8, 40)]
        keep = retention.samples_to_keep(rows, timedelta(minutes=15), pinned)
        self.assertEqual(keep - plain, {30, 41, 42})
        # readings without a register value do not count as the register around an instant
        blank = [row._replace(energy_wh=0.0) if row.id == 30 else row for row in rows]
        keep = retention.samples_to_keep(blank, timedelta(minutes=15), pinned[:1])
        self.assertEqual(keep - plain, {29})

    def test_a_register_that_went_backwards_keeps_every_sample(self):
        rows = self.samples()
        self.assertFalse(retention.register_went_backwards(rows))
        rows[60] = rows[60]._replace(energy_wh=rows[10].energy_wh)
        self.assertTrue(retention.register_went_backwards(rows))
        self.assertEqual(retention.samples_to_keep(rows, timedelta(minutes=15)), {row.id for row in rows})

    def test_thinning_twice_keeps_the_same_samples(self):
        rows = self.samples()
        pinned = [datetime(2027, 1, 1, 8, 29, 30)]
        keep = retention.samples_to_keep(rows, timedelta(minutes=15), pinned)
        again = retention.samples_to_keep([row for row in rows if row.id in keep], timedelta(minutes=15), pinned)
        self.assertEqual(again, keep)


@tagged("post_install", "-at_install")
class TestRetention(ChargeDeviceCase):
    """The retention job on the device data. The sessions here have no order
    (billing, when installed, would call their samples unbilled: the unbilled
    period is set to 0 where a test needs their samples)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"charge_message_retention_days": 180, "charge_frequent_message_retention_days": 2,
                           "charge_sample_retention_days": 30, "charge_sample_full_days": 180,
                           "charge_sample_thin_minutes": 15})

    def message(self, action, days_ago, pile=None, serial=None):
        pile = self.pile if pile is None else pile
        return self.env["charge.device.message"].create({
            "serial": serial or pile.serial, "message_id": f"r{next(self._ids)}", "pile_id": pile.id or False,
            "company_id": pile.company_id.id or False, "received_at": NOW - timedelta(days=days_ago),
            "frame_type": "call", "action": action, "payload": "{}",
        })

    def session(self, stop_days_ago, count=120, state="finished"):
        stop = NOW - timedelta(days=stop_days_ago)
        start = stop - timedelta(minutes=count)
        session = self.env["charge.session"].create({
            "pile_id": self.pile.id, "connector_id": self.connector1.id, "start_date": start, "meter_start": 1000,
            "state": state, "stop_date": stop if state == "finished" else False,
            "meter_stop": 1000 + 500 * count if state == "finished" else 0,
        })
        self.env["charge.meter.value"].create([{
            "session_id": session.id, "pile_id": self.pile.id, "connector_number": 1, "company_id": self.company.id,
            "timestamp": at, "energy_wh": 1000 + 500 * (i + 1), "power_w": 30000 + i, "soc": 20 + i / 10,
        } for i, at in enumerate(minutes(start, count))])
        return session

    def unattached(self, days_ago):
        return self.env["charge.meter.value"].create({
            "pile_id": self.pile.id, "connector_number": 1, "company_id": self.company.id,
            "timestamp": NOW - timedelta(days=days_ago), "energy_wh": 5000,
        })

    def prune(self):
        with freeze_time(NOW):
            self.env["charge.retention"]._cron_prune()
        self.env.invalidate_all()

    def test_device_messages_past_their_period_are_deleted(self):
        old_heartbeat, recent_heartbeat = self.message("Heartbeat", 3), self.message("Heartbeat", 1)
        old_meter = self.message("MeterValues", 3)
        old_boot, kept_boot = self.message("BootNotification", 181), self.message("BootNotification", 100)
        stranger = self.message("BootNotification", 181, pile=self.env["charge.pile"], serial="NOBODY01")
        self.prune()
        self.assertFalse((old_heartbeat | old_meter | old_boot | stranger).exists())
        self.assertEqual((recent_heartbeat | kept_boot).exists(), recent_heartbeat | kept_boot)

    def test_frames_of_a_pile_with_an_open_alarm_stay(self):
        alarm_type = self.env["charge.alarm.type"].search([], limit=1)
        self.env["charge.alarm"]._raise(self.pile, alarm_type, when=NOW - timedelta(days=200))
        before_alarm = self.message("StatusNotification", 201)
        status, heartbeat = self.message("StatusNotification", 199), self.message("Heartbeat", 199)
        self.prune()
        self.assertEqual(status.exists(), status, "the frames since the alarm began stay while it is open")
        self.assertFalse((before_alarm | heartbeat).exists())
        self.env["charge.alarm"].search([("pile_id", "=", self.pile.id)]).state = "done"
        self.prune()
        self.assertFalse(status.exists())

    def test_zero_keeps_for_ever(self):
        self.company.write({"charge_message_retention_days": 0, "charge_frequent_message_retention_days": 0,
                            "charge_sample_retention_days": 0, "charge_sample_full_days": 0})
        messages = self.message("Heartbeat", 3000) | self.message("BootNotification", 3000)
        sample = self.unattached(3000)
        session = self.session(3000)
        self.prune()
        self.assertEqual(messages.exists(), messages)
        self.assertTrue(sample.exists())
        self.assertEqual(len(session.meter_value_ids), 120)
        # heartbeats on their own period, the rest for ever
        self.company.charge_frequent_message_retention_days = 2
        self.prune()
        self.assertEqual(messages.exists().mapped("action"), ["BootNotification"])

    def test_samples_outside_sessions_past_their_period_are_deleted(self):
        old, recent = self.unattached(31), self.unattached(29)
        self.prune()
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())

    def test_old_sessions_are_thinned_recent_and_running_ones_kept(self):
        self.company.charge_sample_retention_days = 0
        old, recent, running = self.session(181), self.session(179), self.session(181, state="active")
        first, last = old.meter_value_ids.sorted("timestamp")[0], old.meter_value_ids.sorted("timestamp")[-1]
        highest = old.meter_value_ids.sorted("power_w")[-1]
        self.prune()
        self.assertEqual(old.meter_values_retention, "thinned")
        # one per 15 minutes of 120, the last one
        self.assertEqual(len(old.meter_value_ids), 9)
        self.assertLessEqual(first | last | highest, old.meter_value_ids)
        self.assertEqual((len(recent.meter_value_ids), recent.meter_values_retention), (120, False))
        self.assertEqual((len(running.meter_value_ids), running.meter_values_retention), (120, False))
        # the power curve is still drawn, from the samples left
        self.assertIn('"power_kw"', old.power_curve)

    def test_the_job_works_in_batches(self):
        samples = self.unattached(40) | self.unattached(41) | self.unattached(42)
        messages = self.message("Heartbeat", 5) | self.message("Heartbeat", 6) | self.message("Heartbeat", 7)
        Retention = type(self.env["charge.retention"])
        self.patch(Retention, "_retention_rows", 2)
        self.patch(Retention, "_retention_sessions", 2)
        commits = []
        self.patch(Retention, "_commit", lambda job, processed: commits.append(processed) or True)
        self.patch(Retention, "_retention_companies", lambda job: self.company)
        self.prune()
        self.assertFalse(samples.exists() or messages.exists())
        self.company.charge_sample_retention_days = 0
        sessions = self.session(200, count=20) | self.session(190, count=20) | self.session(185, count=20)
        self.prune()
        self.assertEqual(sessions.mapped("meter_values_retention"), ["thinned"] * 3)
        self.assertEqual(sessions.mapped(lambda s: len(s.meter_value_ids)), [3, 3, 3])
        # a transaction per chunk of rows or of sessions: 2+1 frames, 2+1 samples, 2+1 sessions
        self.assertEqual(sorted(count for count in commits if count), sorted([2, 1, 2, 1, 34, 17]))

    def test_the_job_stops_when_its_time_is_up_and_runs_again(self):
        self.message("Heartbeat", 5)
        self.message("Heartbeat", 6)
        Retention = type(self.env["charge.retention"])
        self.patch(Retention, "_retention_rows", 1)
        self.patch(Retention, "_commit", lambda job, processed: False)
        cron = self.env.ref("charge_device.cron_retention")
        with freeze_time(NOW):
            self.assertFalse(self.env["charge.retention"]._cron_prune())
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        self.assertEqual((cron.interval_number, cron.interval_type, cron.active), (1, "days", True))

    def test_periods_cannot_be_negative(self):
        for field in ("charge_message_retention_days", "charge_frequent_message_retention_days",
                      "charge_sample_retention_days", "charge_sample_full_days"):
            with self.subTest(field=field), self.assertRaises(ValidationError):
                self.company.write({field: -1})
        with self.assertRaises(ValidationError):
            self.company.charge_sample_thin_minutes = 0
        settings = self.env["res.config.settings"].create({"charge_sample_full_days": 365})
        settings.execute()
        self.assertEqual(self.company.charge_sample_full_days, 365)
