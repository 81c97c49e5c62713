import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..tools import ocpp_frames
from .common import ChargeDeviceCase, FakePublisher


@tagged("post_install", "-at_install")
class TestCommands(ChargeDeviceCase):

    def _commit(self, publisher):
        """What happens after the transaction commits: the queued commands go out
        (here in the test's transaction, which a TransactionCase never commits)."""
        queued = self.env.cr.postcommit.data.get("charge_device.commands")
        self.assertTrue(queued, "the commands wait for the commit")
        with patch.object(type(self.env["charge.device.command"]), "_publisher", return_value=publisher):
            self.env["charge.device.command"].browse(queued)._publish()

    def answer(self, command, payload=None, error=None):
        frame = (json.dumps([4, command.message_id, error, "nope", {}]) if error
                 else json.dumps([3, command.message_id, payload]))
        return self.send(frame)

    def test_remote_start_life_cycle(self):
        wizard = self.env["charge.command.wizard"].with_user(self.user).create({
            "pile_id": self.pile.id, "command": "remote_start", "connector_id": self.connector1.id,
            "id_tag": "CARD0001",
        })
        wizard.action_send()
        command = self.pile.command_ids
        self.assertEqual((command.action, command.state, command.user_id), ("RemoteStartTransaction", "queued",
                                                                            self.user))
        publisher = FakePublisher()
        self._commit(publisher)
        self.assertEqual(command.state, "sent")
        topic, text = publisher.published[0]
        self.assertEqual(topic, "test/BUS00001/down")
        frame = ocpp_frames.decode(text)
        self.assertEqual((frame.action, frame.payload), ("RemoteStartTransaction",
                                                         {"connectorId": 1, "idTag": "CARD0001"}))
        self.assertIsNone(self.answer(command, {"status": "Accepted"}), "answers get no reply")
        self.assertEqual(command.state, "accepted")
        self.assertTrue(command.answer_date)

    def test_a_command_is_recorded_sent_before_its_frame_leaves(self):
        """The pile answers within milliseconds, possibly before the publishing
        transaction ends: the command is already sent (and committed) when the
        frame leaves, so the listener recording the answer does not race the
        publisher's own write for the same row."""
        self.pile.with_user(self.user).action_sync_clock()
        command = self.pile.command_ids
        self.assertEqual(command.state, "queued")
        seen, test = [], self

        class AnsweringPublisher(FakePublisher):
            def publish(self, messages, timeout=5.0):
                seen.append(("publish", command.state, bool(command.sent_date)))
                super().publish(messages, timeout)
                test.answer(command, {"status": "Accepted"})  # the answer, while still publishing

        queued = self.env.cr.postcommit.data.get("charge_device.commands")
        with patch.object(type(self.env["charge.device.command"]), "_publisher",
                          return_value=AnsweringPublisher()):
            self.env["charge.device.command"].browse(queued)._publish(commit=lambda: seen.append(("commit",)))
        self.assertEqual(seen, [("commit",), ("publish", "sent", True)])
        self.assertEqual(command.state, "accepted", "the answer is kept, not overwritten by 'sent'")

    def test_clerk_remote_start_is_published_after_the_commit(self):
        """A clerk fills in the Remote Start wizard of a connector; once the transaction
        commits, the platform publishes the command and records it as sent."""
        self.connector1.status = "available"
        context = {"default_pile_id": self.pile.id, "default_connector_id": self.connector1.id,
                   "default_command": "remote_start"}
        form = Form(self.env["charge.command.wizard"].with_user(self.user).with_context(context))
        form.id_tag = "CARD0001"
        form.save().action_send()
        command = self.pile.command_ids
        self.assertRecordValues(command, [{"action": "RemoteStartTransaction", "state": "queued",
                                           "user_id": self.user.id}])
        publisher = FakePublisher()
        self.publish_after_commit(publisher)
        self.assertRecordValues(command, [{"state": "sent", "user_id": self.user.id}])
        self.assertTrue(command.sent_date)
        self.assertEqual(len(publisher.published), 1)
        # the clerk's own buttons go the same way, and a bus failure is recorded too
        self.pile.with_user(self.user).action_sync_clock()
        with mute_logger("odoo.addons.charge_device.models.charge_device_command"):
            self.publish_after_commit(FakePublisher(fail=True))
        failed = self.pile.command_ids.sorted("id")[-1]
        self.assertEqual((failed.action, failed.state), ("TriggerMessage", "failed"))

    def test_clerk_cannot_write_a_command(self):
        command = self.pile.with_user(self.user)._send_command("Reset", {"type": "Soft"})
        for values in ({"state": "accepted"}, {"sent_date": fields.Datetime.now()}, {"response": "{}"}):
            with self.assertRaises(AccessError):
                command.with_user(self.user).write(values)
        self.assertEqual(command.state, "queued")

    def test_reservation_commands(self):
        """ReserveNow / CancelReservation: validated when sent, closed by their status."""
        self.assertLessEqual({"ReserveNow", "CancelReservation"},
                             dict(self.env["charge.device.command"]._fields["action"].selection).keys())
        payload = {"connectorId": 1, "expiryDate": "2026-11-21T08:15:00Z", "idTag": "CARD0001",
                   "reservationId": 7}
        reserve = self.pile._send_command("ReserveNow", payload, connector=self.connector1)
        again = self.pile._send_command("ReserveNow", dict(payload, reservationId=8))
        cancel = self.pile._send_command("CancelReservation", {"reservationId": 7})
        with self.assertRaises(ocpp_frames.FrameError) as caught:
            self.pile._send_command("ReserveNow", {"connectorId": 1, "idTag": "CARD0001", "reservationId": 9})
        self.assertEqual(caught.exception.error_code, ocpp_frames.OCCURENCE_CONSTRAINT_VIOLATION)
        self._commit(FakePublisher())
        self.answer(reserve, {"status": "Accepted"})
        self.answer(again, {"status": "Occupied"})
        self.answer(cancel, {"status": "Accepted"})
        self.assertEqual((reserve.state, again.state, cancel.state), ("accepted", "rejected", "accepted"))
        refused = self.pile._send_command("CancelReservation", {"reservationId": 7})
        self._commit(FakePublisher())
        self.answer(refused, {"status": "Occupied"})
        self.assertEqual(refused.state, "failed", "Occupied is no CancelReservation status")

    def test_local_list_commands(self):
        """SendLocalList / GetLocalListVersion: validated when sent, closed by their answer."""
        self.assertLessEqual({"SendLocalList", "GetLocalListVersion"},
                             dict(self.env["charge.device.command"]._fields["action"].selection).keys())

        def send_list(version, update_type, *entries):
            return self.pile._send_command("SendLocalList", {
                "listVersion": version, "updateType": update_type, "localAuthorizationList": list(entries)})

        accepted = {"status": "Accepted", "expiryDate": "2027-01-01T00:00:00Z"}
        full = send_list(1, "Full", {"idTag": "CARD0001", "idTagInfo": accepted},
                         {"idTag": "CARD0002", "idTagInfo": {"status": "Blocked"}})
        stale = send_list(1, "Differential", {"idTag": "CARD0002"})
        version = self.pile._send_command("GetLocalListVersion", {})
        odd = self.pile._send_command("GetLocalListVersion", {})
        with self.assertRaises(ocpp_frames.FrameError) as caught:
            self.pile._send_command("SendLocalList", {"listVersion": 2})
        self.assertEqual(caught.exception.error_code, ocpp_frames.OCCURENCE_CONSTRAINT_VIOLATION)
        with self.assertRaises(ocpp_frames.FrameError) as caught:
            send_list(2, "Full", {"idTag": "CARD0003", "idTagInfo": {"status": "Lost"}})
        self.assertEqual(caught.exception.error_code, ocpp_frames.PROPERTY_CONSTRAINT_VIOLATION)
        self._commit(FakePublisher())
        self.answer(full, {"status": "Accepted"})
        self.answer(stale, {"status": "VersionMismatch"})
        self.answer(version, {"listVersion": 1})
        self.answer(odd, {"status": "Accepted"})
        self.assertEqual((full.state, stale.state, version.state, odd.state),
                         ("accepted", "rejected", "accepted", "failed"))
        self.assertEqual(json.loads(version.response), {"listVersion": 1})
        self.assertIn("Invalid answer", odd.error)

    def test_reboot_warns_when_charging_and_can_be_rejected(self):
        self.status(1, "Charging")
        wizard = self.env["charge.command.wizard"].create({"pile_id": self.pile.id, "command": "reset",
                                                           "reset_type": "Hard"})
        self.assertIn("1 connector(s)", wizard.charging_warning)
        wizard.action_send()
        command = self.pile.command_ids
        self._commit(FakePublisher())
        self.answer(command, {"status": "Rejected"})
        self.assertEqual(command.state, "rejected")

    def test_commands_need_an_online_pile(self):
        self.pile.online = False
        with self.assertRaisesRegex(UserError, "offline"):
            self.pile.action_trigger_status()

    @mute_logger("odoo.addons.charge_device.models.charge_device_command")
    def test_an_unreachable_bus_fails_the_command(self):
        self.pile.action_sync_clock()
        command = self.pile.command_ids
        self.assertEqual(json.loads(command.payload), {"requestedMessage": "Heartbeat"})
        self._commit(FakePublisher(fail=True))
        self.assertEqual(command.state, "failed")
        self.assertIn("unreachable", command.error)

    def test_errors_invalid_answers_and_timeouts(self):
        self.station.hotline = "400-800-6688"
        self.connector1.action_refresh_status()
        self.pile.action_get_configuration()
        self.pile.action_push_hotline()
        refresh, get_config, hotline = self.pile.command_ids.sorted("id")
        self._commit(FakePublisher())
        self.answer(refresh, error="NotSupported")
        self.assertEqual(refresh.state, "failed")
        self.assertIn("NotSupported", refresh.error)
        self.answer(get_config, {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False,
                                                       "value": "60"}]})
        self.assertEqual(get_config.state, "accepted")
        self.assertIn("HeartbeatInterval", self.pile.configuration)
        hotline.sent_date = fields.Datetime.now() - timedelta(minutes=5)
        self.env["charge.device.command"]._cron_timeout()
        self.assertEqual(hotline.state, "timeout")
        self.answer(hotline, {"status": "Bogus"})
        self.assertEqual(hotline.state, "failed", "an answer outside the schema is not an acceptance")

    def test_qr_codes_follow_the_company_pattern(self):
        self.company.charge_qr_url_pattern = "https://q.example.cn/{station_code}/{connector_code}"
        self.station.code = "SZ01"
        self.assertEqual(self.connector2.qr_url, "https://q.example.cn/SZ01/BUS0000102")
        self.pile.action_push_qr_codes()
        payloads = [json.loads(json.loads(c.payload)["data"]) for c in self.pile.command_ids.sorted("id")]
        self.assertEqual(payloads, [{"connectorId": 1, "url": "https://q.example.cn/SZ01/BUS0000101"},
                                    {"connectorId": 2, "url": "https://q.example.cn/SZ01/BUS0000102"}])

    def test_release_clears_a_stuck_connector(self):
        self.status(2, "Charging")
        self.connector2.action_unlock()
        self.assertEqual(self.connector2.status, "available")
        self.assertEqual(self.pile.command_ids.action, "UnlockConnector")
