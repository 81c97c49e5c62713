from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChargeDeviceCase


@tagged("post_install", "-at_install")
class TestOnline(ChargeDeviceCase):

    def _last_event(self):
        return self.env["charge.device.event"].search([("pile_id", "=", self.pile.id)], limit=1).event

    def _silence(self, minutes=10):
        self.pile.write({"last_seen": fields.Datetime.now() - timedelta(minutes=minutes), "heartbeat_interval": 60})

    def test_a_silent_pile_goes_offline_and_its_session_is_suspended(self):
        transaction_id = self.start(meter_start=0).payload["transactionId"]
        session = self.env["charge.session"].browse(transaction_id)
        self.meter(transaction_id, 4000, timestamp="2026-11-21T08:05:00Z")
        self._silence()
        self.env["charge.pile"]._cron_mark_offline()

        self.assertFalse(self.pile.online)
        self.assertEqual(set(self.pile.connector_ids.mapped("status")), {"offline"})
        self.assertEqual(session.state, "suspended")
        self.assertEqual(self._last_event(), "offline")
        alarm = self.env["charge.alarm"].search([("pile_id", "=", self.pile.id), ("code", "=", "5001")])
        self.assertEqual((len(alarm), alarm.level, alarm.state), (1, "general", "todo"))

        # the pile returns and sends the stop it kept while offline
        self.stop(transaction_id, 9500, timestamp="2026-11-21T08:20:00Z", reason="PowerLoss")
        self.assertTrue(self.pile.online)
        self.assertEqual(self._last_event(), "online")
        self.assertEqual(alarm.state, "done")
        self.assertEqual(session.state, "finished")
        self.assertAlmostEqual(session.energy_kwh, 9.5)
        self.assertEqual(session.stop_reason, "PowerLoss")

    def test_a_frame_marks_its_pile_seen_only_under_its_company_s_prefix(self):
        self._silence()
        self.env["charge.pile"]._cron_mark_offline()
        heard_before = self.pile.last_seen
        reply = self.send({}, "Heartbeat", prefix="elsewhere")
        self.assertEqual(reply.error_code, "SecurityError")
        self.assertEqual((self.pile.online, self.pile.last_seen), (False, heard_before))

        self.send_many([({}, "Heartbeat", None, None, "elsewhere"), ({}, "Heartbeat", None, None, "test")])
        self.assertTrue(self.pile.online)
        self.assertGreater(self.pile.last_seen, heard_before)
        self.assertEqual(self._last_event(), "online")

    def test_a_heartbeat_batch_finds_and_marks_its_piles_in_one_query(self):
        self.send({}, "Heartbeat")  # the frame window's parameter in its cache
        self._silence(minutes=1)
        self.env.flush_all()
        # the piles and their last_seen (1), the frame log's duplicates (1), the savepoint of the set-based part (2)
        with self.assertQueryCount(4):
            self.send({}, "Heartbeat")
        self.assertGreater(self.pile.last_seen, fields.Datetime.now() - timedelta(minutes=1))

    def test_a_pile_heard_recently_stays_online(self):
        self._silence(minutes=1)
        self.env["charge.pile"]._cron_mark_offline()
        self.assertTrue(self.pile.online)

    def test_a_pile_without_its_own_interval_is_judged_on_its_company_s(self):
        self.pile.company_id.charge_heartbeat_interval = 600
        self.pile.write({"last_seen": fields.Datetime.now() - timedelta(minutes=10), "heartbeat_interval": 0})
        self.env["charge.pile"]._cron_mark_offline()
        self.assertTrue(self.pile.online, "silent for 10 minutes, within two of its company's 10-minute heartbeats")
        self.pile.last_seen = fields.Datetime.now() - timedelta(minutes=21)
        self.env["charge.pile"]._cron_mark_offline()
        self.assertFalse(self.pile.online)

    def test_only_an_online_pile_can_be_commissioned(self):
        pile = self.create_pile("BUS00002", online=False)
        with self.assertRaisesRegex(UserError, "offline"):
            pile.action_commission()
        self.send({}, "Heartbeat", serial="BUS00002")
        self.assertTrue(pile.online)
        pile.action_commission()
        self.assertEqual(pile.state, "commissioned")
