from unittest.mock import patch

import psycopg2.errors

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..tools import ocpp_frames
from .common import ChargeDeviceCase


@tagged("post_install", "-at_install")
class TestBusErrors(ChargeDeviceCase):
    # (mute_logger on the class would turn it into a function the test loader skips)

    def setUp(self):
        super().setUp()
        self.enterContext(mute_logger("odoo.addons.charge_device.models.charge_device_bus"))

    def _log(self, message_id):
        return self.env["charge.device.message"].search([("serial", "=", self.pile.serial),
                                                         ("message_id", "=", message_id)])

    def test_malformed_frames_get_a_protocol_error(self):
        for raw in ("not json", "{\"a\": 1}", "[2]", "[9, \"x\", {}]", b"\xff\xfe"):
            with self.subTest(raw=raw):
                reply = self.send(raw)
                self.assertIsInstance(reply, ocpp_frames.CallError)
                self.assertIn(reply.error_code, ("ProtocolError", "FormationViolation"))
        self.assertEqual(self.env["charge.device.message"].search_count(
            [("serial", "=", self.pile.serial), ("frame_type", "=", "invalid")]), 5)

    def test_a_frame_failing_its_schema_is_refused_and_changes_nothing(self):
        reply = self.send({"connectorId": 1, "idTag": "CARD0001", "timestamp": "2026-11-21T08:00:00Z"},
                          "StartTransaction", message_id="bad-1")
        self.assertEqual((reply.message_id, reply.error_code), ("bad-1", "OccurenceConstraintViolation"))
        self.assertFalse(self.env["charge.session"].search([("pile_id", "=", self.pile.id)]))
        reply = self.send({"connectorId": 1, "status": "Dancing", "errorCode": "NoError"}, "StatusNotification")
        self.assertEqual(reply.error_code, "PropertyConstraintViolation")
        reply = self.send({"connectorId": "1", "status": "Available", "errorCode": "NoError"},
                          "StatusNotification")
        self.assertEqual(reply.error_code, "TypeConstraintViolation")
        self.assertEqual(self._log("bad-1").error_code, "OccurenceConstraintViolation")

    def test_unknown_and_unsupported_actions(self):
        self.assertEqual(self.send({}, "MakeCoffee").error_code, "NotImplemented")
        self.assertEqual(self.send({"type": "Hard"}, "Reset").error_code, "NotSupported")

    def test_a_failing_handler_spoils_only_its_own_frame(self):
        with patch.object(type(self.env["charge.device.bus"]), "_ocpp_data_transfer",
                          side_effect=RuntimeError("boom")):
            replies = self.send_many([
                ({"vendorId": "charge_ops"}, "DataTransfer", None, "dt-1", "test"),
                ({"connectorId": 1, "idTag": "CARD0001", "meterStart": 0, "timestamp": "2026-11-21T08:00:00Z"},
                 "StartTransaction", None, "st-1", "test"),
                ({}, "Heartbeat", None, "hb-1", "test"),
            ])
        self.assertEqual(replies[0].error_code, "InternalError")
        self.assertTrue(replies[1].payload["transactionId"])
        self.assertIn("currentTime", replies[2].payload)

    def test_a_concurrent_update_fails_the_whole_batch_for_a_retry(self):
        """A serialization failure leaves the batch's snapshot stale: it is not
        answered frame by frame but raised, and the listener retries the batch."""
        failure = psycopg2.errors.SerializationFailure("could not serialize access due to concurrent update")
        with patch.object(type(self.env["charge.device.bus"]), "_ocpp_data_transfer", side_effect=failure):
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                self.send_many([({}, "Heartbeat", None, "hb-2", "test"),
                                ({"vendorId": "charge_ops"}, "DataTransfer", None, "dt-2", "test")])

    def test_a_concurrent_update_of_the_frequent_frames_fails_the_whole_batch_too(self):
        """Two listeners each with a status of the same connector: the later
        one's set-based update meets a serialization failure. Retried frame by
        frame in the same stale snapshot, every frame would fail again and be
        answered with an InternalError: the batch is raised for a retry instead."""
        failure = psycopg2.errors.SerializationFailure("could not serialize access due to concurrent update")
        with patch.object(type(self.env["charge.device.bus"]), "_status_notifications", side_effect=failure):
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                self.send_many([({}, "Heartbeat", None, "hb-3", "test"),
                                ({"connectorId": 1, "status": "Charging", "errorCode": "NoError"},
                                 "StatusNotification", None, "sn-3", "test")])

    def test_frames_on_unexpected_topics_are_ignored(self):
        replies = self.env["charge.device.bus"]._process_batch([("test/BUS00001/down", "[2,\"x\",\"Heartbeat\",{}]")])
        self.assertEqual(replies, [])
