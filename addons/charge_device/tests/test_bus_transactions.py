import json

from odoo.tests import tagged

from ..tools import ocpp_frames
from .common import ChargeDeviceCase


@tagged("post_install", "-at_install")
class TestBusTransactions(ChargeDeviceCase):

    def test_boot_records_the_pile(self):
        reply = self.boot()
        self.assertIsInstance(reply, ocpp_frames.CallResult)
        self.assertEqual(reply.payload["status"], "Accepted")
        self.assertEqual(reply.payload["interval"], 60)
        self.assertTrue(reply.payload["currentTime"].endswith("Z"))
        self.assertEqual((self.pile.boot_vendor, self.pile.boot_model, self.pile.firmware_version),
                         ("TestVendor", "TM-1", "1.2.3"))
        self.assertEqual(self.pile.sim_iccid, "89860000000000000042")
        self.assertTrue(self.pile.online)
        self.assertIn("boot", self.pile.event_ids.mapped("event"))

    def test_unknown_serial_is_rejected_and_logged(self):
        reply = self.boot(serial="NOBODY01")
        self.assertEqual(reply.payload["status"], "Rejected")
        log = self.env["charge.device.message"].search([("serial", "=", "NOBODY01")])
        self.assertEqual(len(log), 1)
        self.assertFalse(log.pile_id)
        self.assertEqual(log.error_code, "Rejected")
        reply = self.send({}, "Heartbeat", serial="NOBODY01")
        self.assertEqual(reply.error_code, "SecurityError")

    def test_a_pile_under_another_company_prefix_is_unknown(self):
        reply = self.send({}, "Heartbeat", prefix="charge")
        self.assertIsInstance(reply, ocpp_frames.CallError)
        self.assertEqual(reply.error_code, "SecurityError")

    def test_heartbeat_updates_last_seen(self):
        self.pile.last_seen = "2020-01-01 00:00:00"
        reply = self.send({}, "Heartbeat")
        self.assertIn("currentTime", reply.payload)
        self.assertGreater(self.pile.last_seen.year, 2020)

    def test_authorize(self):
        self.assertEqual(self.send({"idTag": "CARD0001"}, "Authorize").payload["idTagInfo"]["status"], "Accepted")
        self.assertEqual(self.send({"idTag": "STRANGER"}, "Authorize").payload["idTagInfo"]["status"], "Invalid")
        self.env["charge.pile.id.tag"].create({"pile_id": self.pile.id, "tag": "OLDCARD",
                                               "expiry_date": "2020-01-01 00:00:00"})
        self.assertEqual(self.send({"idTag": "OLDCARD"}, "Authorize").payload["idTagInfo"]["status"], "Expired")

    def test_a_whole_session(self):
        reply = self.start(meter_start=1000)
        transaction_id = reply.payload["transactionId"]
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Accepted")
        session = self.env["charge.session"].browse(transaction_id)
        self.assertEqual((session.pile_id, session.connector_id), (self.pile, self.connector1))
        self.assertEqual(session.state, "active")
        self.assertEqual(self.connector1.active_session_id, session)

        self.meter(transaction_id, 11000, power_w=60000, timestamp="2026-11-21T08:10:00Z")
        self.meter(transaction_id, 21000, power_w=58000, timestamp="2026-11-21T08:20:00Z")
        self.assertEqual(len(session.meter_value_ids), 2)
        self.assertEqual(session.meter_last, 21000)
        self.assertAlmostEqual(session.energy_kwh, 20.0)
        self.assertAlmostEqual(session.power_kw, 58.0)
        self.assertEqual(session.soc, 56)

        curve = json.loads(session.power_curve)
        self.assertEqual((curve["power_kw"], curve["energy_kwh"]), ([60.0, 58.0], [10.0, 20.0]))
        self.assertEqual(len(curve["labels"]), 2)

        reply = self.stop(transaction_id, 31000, reason="EVDisconnected")
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Accepted")
        self.assertEqual(session.state, "finished")
        self.assertEqual(session.stop_reason, "EVDisconnected")
        self.assertAlmostEqual(session.energy_kwh, 30.0)
        self.assertEqual(str(session.stop_date), "2026-11-21 08:30:00")
        self.assertFalse(self.connector1.active_session_id)

    def test_meter_values_are_kept_even_without_session(self):
        self.meter(999999, 5000)
        value = self.env["charge.meter.value"].search([("pile_id", "=", self.pile.id)])
        self.assertEqual(len(value), 1)
        self.assertFalse(value.session_id)
        self.assertEqual(value.energy_wh, 5000)

    def test_a_redelivered_frame_changes_nothing(self):
        first = self.start(message_id="start-1")
        again = self.start(message_id="start-1")
        self.assertEqual(again, first)
        self.assertEqual(self.env["charge.session"].search_count([("pile_id", "=", self.pile.id)]), 1)
        transaction_id = first.payload["transactionId"]
        self.stop(transaction_id, 5000, message_id="stop-1")
        session = self.env["charge.session"].browse(transaction_id)
        stop_date = session.stop_date
        self.stop(transaction_id, 9000, timestamp="2026-11-21T09:00:00Z", message_id="stop-2")
        self.assertEqual((session.meter_stop, session.stop_date), (5000, stop_date),
                         "a second stop of a finished session changes nothing")

    def test_duplicates_in_one_batch(self):
        frame = ({"connectorId": 1, "idTag": "CARD0001", "meterStart": 0, "timestamp": "2026-11-21T08:00:00Z"},
                 "StartTransaction", None, "dup-1", "test")
        replies = self.send_many([frame, frame])
        self.assertEqual(replies[0], replies[1])
        self.assertEqual(self.env["charge.session"].search_count([("pile_id", "=", self.pile.id)]), 1)

    def test_a_start_resent_with_a_new_message_id_is_the_same_session(self):
        first = self.start(message_id="a")
        again = self.start(message_id="b")
        self.assertEqual(again.payload["transactionId"], first.payload["transactionId"])

    def test_a_reused_message_id_with_new_content_is_a_new_frame(self):
        first = self.start(message_id="1", timestamp="2026-11-21T08:00:00Z")
        second = self.start(message_id="1", connector=2, timestamp="2026-11-21T09:00:00Z")
        self.assertNotEqual(first.payload["transactionId"], second.payload["transactionId"])

    def test_unknown_connector_and_unknown_transaction(self):
        reply = self.start(connector=7)
        self.assertEqual(reply.payload, {"transactionId": 0, "idTagInfo": {"status": "Invalid"}})
        reply = self.stop(424242, 100)
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Accepted")

    def test_firmware_diagnostics_and_data_transfer(self):
        self.send({"status": "Installing"}, "FirmwareStatusNotification")
        self.assertEqual(self.pile.firmware_status, "Installing")
        self.send({"status": "Uploaded"}, "DiagnosticsStatusNotification")
        self.assertEqual(self.pile.diagnostics_status, "Uploaded")
        self.assertEqual(self.send({"vendorId": "acme"}, "DataTransfer").payload["status"], "UnknownVendorId")
        self.assertEqual(self.send({"vendorId": "charge_ops", "messageId": "Hello"}, "DataTransfer")
                         .payload["status"], "UnknownMessageId")
