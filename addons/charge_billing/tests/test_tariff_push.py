import json

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChargeBillingCase, utc


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestTariffPush(ChargeBillingCase):

    def answer(self, command, status="Accepted"):
        self.send(json.dumps([3, command.message_id, {"status": status}]))

    def test_push_now_sends_set_tariff_and_follows_the_answer(self):
        pushes = self.tou.current_version_id.action_push_now() and self.tou.push_ids
        self.assertEqual(len(pushes), 1)
        push = pushes
        command = push.command_id
        self.assertEqual((command.action, push.state), ("DataTransfer", "queued"))
        payload = json.loads(command.payload)
        self.assertEqual(payload["messageId"], "SetTariff")
        tariff = json.loads(payload["data"])
        self.assertEqual(tariff["timezone"], "Asia/Shanghai")
        self.assertEqual(tariff["periods"][0], {"start": "00:00", "end": "08:00", "band": "valley"})
        self.assertEqual(tariff["prices"]["peak"], {"electricity": "1.00000", "service": "0.80000"})
        command.state = "sent"
        self.answer(command)
        self.assertEqual(push.state, "accepted")
        self.assertEqual(self.pile.tariff_push_state, "accepted")

    def test_rejected_timed_out_and_offline_pushes_are_resent(self):
        other = self.create_pile("BUS00009")
        other.online = False
        version = self.tou.current_version_id
        pushes = self.env["charge.tariff.push"]._push(version, self.pile | other)
        online, offline = pushes.sorted(lambda p: p.pile_id != self.pile)
        self.assertEqual(offline.state, "failed")
        self.assertIn("offline", offline.error)
        online.command_id.state = "sent"
        self.answer(online.command_id, "Rejected")
        self.assertEqual(online.state, "rejected")
        other.online = True
        (online | offline).action_resend()
        self.assertTrue(online.superseded and offline.superseded)
        fresh = self.env["charge.tariff.push"].search([("superseded", "=", False), ("pile_id", "in", (self.pile | other).ids)])
        self.assertEqual(len(fresh), 2)
        self.assertEqual(set(fresh.mapped("state")), {"queued"})
        with self.assertRaisesRegex(UserError, "resent"):
            fresh.action_resend()
        fresh.command_id.write({"state": "sent", "sent_date": "2026-11-21 12:00:00"})
        with freeze_time("2026-11-21 12:05:00"):
            self.env["charge.device.command"]._cron_timeout()
        self.assertEqual(set(fresh.mapped("state")), {"timeout"})
        self.assertEqual(self.tou.push_failed_count, 2)

    def test_cron_pushes_a_version_when_it_comes_into_force(self):
        draft = self.tou.version_ids.browse(self.tou.action_new_version()["res_id"])
        draft.action_publish()  # from the next 00:00 in Shanghai: 16:00 UTC
        Push = self.env["charge.tariff.push"]
        Push._cron_push_due()
        self.assertFalse(Push.search([("version_id", "=", draft.id)]))
        with freeze_time("2026-11-21 16:00:30"):
            Push._cron_push_due()
        pushes = Push.search([("version_id", "=", draft.id)])
        self.assertEqual(pushes.pile_id, self.pile)
        self.assertTrue(draft.pushed)

    def test_cron_pushes_piles_whose_assignment_changed(self):
        self.pile.tariff_id = self.standard
        self.env["charge.tariff.push"]._cron_push_due()
        push = self.env["charge.tariff.push"].search([("pile_id", "=", self.pile.id)])
        self.assertEqual(push.version_id.tariff_id, self.standard)
        self.assertFalse(self.pile.tariff_push_pending)

    def test_version_published_in_the_past_is_pushed_at_once(self):
        version = self.add_version(self.standard, price_electricity=0.6, price_service=0.3, publish=False)
        version.effective_date = utc("2026-11-21 11:00")
        self.pile.tariff_id = self.standard
        version.action_publish()
        self.assertEqual(version.effective_date, utc("2026-11-21 12:00"))
        self.assertTrue(self.env["charge.tariff.push"].search([("version_id", "=", version.id)]))
