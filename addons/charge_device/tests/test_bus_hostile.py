"""Hostile and faulty frames: each one is answered (CALLERROR where OCPP allows
it), logged and counted against its pile; none stops the batch, and no
absurd value reaches a session (see readme/PROTOCOL.md, *Limits*)."""
import json
import math
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..tools import frame_guard as guard
from ..tools import ocpp_frames
from ..tools.ocpp_values import format_time
from .common import ChargeDeviceCase

DEEP = "[" * 100_000 + "]" * 100_000
# name: (frame, the message id of its CALLERROR)
POISON = {
    "deep JSON": (DEEP, "-1"),
    "raw NUL byte": (b'[2,"nul-1","Heartbeat",{}]\x00', "nul-1"),
    "raw NUL byte in a string": (b'[2,"nul-2","Heartbeat",{"a":"\x00"}]', "nul-2"),
    "NUL message id": ('[2,"\\u0000","Heartbeat",{}]', "-1"),
    "lone surrogate message id": ('[2,"\\ud800","Heartbeat",{}]', "-1"),
    "NUL action": ('[2,"nul-3","Heart\\u0000beat",{}]', "nul-3"),
}


MUTED = "odoo.addons.charge_device.models.charge_device_bus"


@tagged("post_install", "-at_install")
class HostileCase(ChargeDeviceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.create_pile("BUS00002")
        cls.other.action_commission()
        # the window of plausible timestamps, as shipped (tests/common.py widens it for the fixed dates)
        cls.env["ir.config_parameter"].set_param("charge_device.frame_max_age_days", "30")

    def setUp(self):
        super().setUp()
        self.enterContext(mute_logger(MUTED))

    def log_of(self, pile=None, **domain):
        return self.env["charge.device.message"].search(
            [("serial", "=", (pile or self.pile).serial)] + [(key, "=", value) for key, value in domain.items()])

    def now_text(self, **delta):
        return format_time(fields.Datetime.now() + timedelta(**delta))

    def refused(self, reply, code, message_id=None):
        self.assertIsInstance(reply, ocpp_frames.CallError)
        self.assertEqual(reply.error_code, code)
        if message_id:
            self.assertEqual(reply.message_id, message_id)

    def open_session(self, meter_start=1000):
        reply = self.start(meter_start=meter_start, timestamp=self.now_text(minutes=-30))
        return self.env["charge.session"].browse(reply.payload["transactionId"])


@tagged("post_install", "-at_install")
class TestPoisonFrames(HostileCase):

    def test_each_poison_frame_is_answered_and_logged_and_spares_the_batch(self):
        for name, (raw, message_id) in POISON.items():
            with self.subTest(name):
                before = len(self.log_of())
                replies = self.send_many([(raw, None, None, None, "test"),
                                          ({}, "Heartbeat", self.other.serial, f"hb-{name}", "test")])
                self.assertEqual(len(replies), 2, name)
                poison, heartbeat = replies
                self.assertIsInstance(poison, ocpp_frames.CallError)
                self.assertEqual(poison.message_id, message_id)
                self.assertIn("currentTime", heartbeat.payload)
                self.assertEqual(heartbeat.message_id, f"hb-{name}")
                logged = self.log_of()
                self.assertEqual(len(logged), before + 1)
                self.assertTrue(logged[0].error_code)
                self.assertNotIn("\x00", logged[0].payload)

    def test_a_poison_frame_delivered_again_is_refused_again(self):
        for _attempt in range(2):
            reply = self.send(POISON["NUL message id"][0])
            self.assertEqual((reply.message_id, reply.error_code), ("-1", "ProtocolError"))
        self.assertEqual(len(self.log_of(frame_type="invalid")), 2)

    def test_an_unreadable_payload_is_answered_with_its_message_id_when_it_can_be_read(self):
        reply = self.send('[2,"nan-1","StartTransaction",{"connectorId":1,"idTag":"CARD0001",'
                          '"meterStart":NaN,"timestamp":"2026-11-21T08:00:00Z"}]')
        self.refused(reply, "ProtocolError", "nan-1")
        self.assertFalse(self.env["charge.session"].search([("pile_id", "=", self.pile.id)]))

    def test_answers_are_never_answered_with_a_call_error(self):
        replies = self.send_many([
            ('[3,"ans-1","not an object"]', None, None, None, "test"),
            ('[4,"ans-2",7,"x",{}]', None, None, None, "test"),
            ('[3,"ans-3",{"status":"Accepted\\u0000"}]', None, None, None, "test"),
            ('[3,"ans-4",{"a":NaN}]', None, None, None, "test"),
        ])
        self.assertEqual(replies, [])
        self.assertEqual(len(self.log_of()), 4)
        self.assertTrue(all(self.log_of().mapped("error_code")))

    def test_the_listener_gives_up_a_frame_that_fails_alone(self):
        """What the listener does with a frame that failed even in a transaction of its own."""
        raw = json.dumps([2, "alone-1", "DataTransfer", {"vendorId": "charge_ops"}])
        bus = self.env["charge.device.bus"]
        replies = bus._process_failed("test/BUS00001/up", raw.encode(), "boom\x00")
        [(topic, text)] = replies
        self.assertEqual(topic, "test/BUS00001/down")
        reply = ocpp_frames.decode(text)
        self.refused(reply, "InternalError", "alone-1")
        log = self.log_of(message_id="alone-1")
        self.assertEqual((len(log), log.error_code, log.action), (1, "InternalError", "DataTransfer"))
        # delivered again after a restart: the stored answer, and no processing
        self.assertEqual(self.send(raw), reply)
        self.assertEqual(len(self.log_of(message_id="alone-1")), 1)
        # an answer that failed alone is logged, not answered
        self.assertEqual(bus._process_failed("test/BUS00001/up", b'[3,"alone-2",{}]', "boom"), [])
        self.assertEqual(self.log_of(message_id="alone-2").error_code, "InternalError")


@tagged("post_install", "-at_install")
class TestHostileValues(HostileCase):

    def test_non_finite_and_huge_numbers(self):
        for number in ("Infinity", "-Infinity", "NaN", "1e400"):
            with self.subTest(number):
                reply = self.send(f'[2,"num-{number}","StartTransaction",{{"connectorId":1,"idTag":"CARD0001",'
                                  f'"meterStart":{number},"timestamp":"{self.now_text()}"}}]')
                self.refused(reply, "ProtocolError", f"num-{number}")
        for meter_start in (2 ** 31, -1, 10 ** 30):
            with self.subTest(meter_start=meter_start):
                self.refused(self.start(meter_start=meter_start, timestamp=self.now_text()),
                             "PropertyConstraintViolation")
        self.refused(self.start(connector=-1, timestamp=self.now_text()), "PropertyConstraintViolation")
        self.refused(self.send({"connectorId": 10 ** 12, "status": "Available", "errorCode": "NoError"},
                               "StatusNotification"), "PropertyConstraintViolation")
        self.refused(self.stop(2 ** 40, 100, timestamp=self.now_text()), "PropertyConstraintViolation")
        self.assertFalse(self.env["charge.session"].search([("pile_id", "=", self.pile.id)]))

    def test_absurd_samples_are_dropped_and_the_rest_kept(self):
        session = self.open_session(meter_start=1000)
        reply = self.send({"connectorId": 1, "transactionId": session.id, "meterValue": [{
            "timestamp": self.now_text(minutes=-1), "sampledValue": [
                {"value": "5000", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": "NaN", "measurand": "Power.Active.Import", "unit": "W"},
                {"value": "1e308", "measurand": "SoC", "unit": "Percent"},
                {"value": "Infinity", "measurand": "Voltage"},
                {"value": "-400", "measurand": "Temperature", "unit": "Celsius"},
                {"value": "32", "measurand": "Current.Import"},
            ]}]}, "MeterValues", message_id="mv-bad")
        self.assertEqual(reply.payload, {})
        [value] = session.meter_value_ids
        self.assertEqual((value.energy_wh, value.current_a), (5000, 32))
        self.assertEqual((value.power_w, value.soc, value.voltage_v, value.temperature_c), (0, 0, 0, 0))
        self.assertEqual((session.meter_last, session.soc), (5000, 0))
        log = self.log_of(message_id="mv-bad")
        self.assertEqual(log.error_code, guard.VALUE_DROPPED)
        self.assertIn("SoC", log.error_description)
        # an energy register beyond the integer columns is dropped too
        self.meter(session.id, 2 ** 31, power_w=1000)
        self.assertEqual(session.meter_last, 5000)

    def test_empty_and_control_character_strings(self):
        status = self.connector1.status
        self.refused(self.send({"idTag": ""}, "Authorize"), "PropertyConstraintViolation")
        self.refused(self.send({"idTag": "  "}, "Authorize"), "PropertyConstraintViolation")
        self.refused(self.start(id_tag="", timestamp=self.now_text()), "PropertyConstraintViolation")
        self.refused(self.send({"idTag": "CARD\u0001"}, "Authorize"), "PropertyConstraintViolation")
        self.refused(self.send({"connectorId": 1, "status": "Available", "errorCode": "NoError",
                                "info": "bad\u0000info"}, "StatusNotification"), "PropertyConstraintViolation")
        self.refused(self.send({"chargePointVendor": "V\u009b", "chargePointModel": "M"}, "BootNotification"),
                     "PropertyConstraintViolation")
        self.refused(self.send({"vendorId": "charge_ops", "data": "a\u0000b"}, "DataTransfer"),
                     "PropertyConstraintViolation")
        # line breaks are allowed in the free text of a DataTransfer
        reply = self.send({"vendorId": "charge_ops", "messageId": "Note", "data": "line 1\nline 2"}, "DataTransfer")
        self.assertIsInstance(reply, ocpp_frames.CallResult)
        self.assertEqual(self.connector1.status, status)

    def test_size_limits(self):
        entry = {"timestamp": self.now_text(), "sampledValue": [{"value": "1"}]}
        reply = self.send({"connectorId": 1, "meterValue": [entry] * (guard.MAX_METER_VALUES + 1)}, "MeterValues")
        self.refused(reply, "OccurenceConstraintViolation")
        reply = self.send({"connectorId": 1, "meterValue": [
            {"timestamp": self.now_text(), "sampledValue": [{"value": "1"}] * (guard.MAX_SAMPLED_VALUES + 1)}]},
            "MeterValues")
        self.refused(reply, "OccurenceConstraintViolation")
        # 20,000 samples: beyond the frame size, refused before it is read
        huge = json.dumps([2, "huge-1", "MeterValues", {"connectorId": 1, "meterValue": [entry] * 20_000}])
        self.assertGreater(len(huge), ocpp_frames.MAX_FRAME_BYTES)
        self.refused(self.send(huge), "ProtocolError", "-1")
        self.assertFalse(self.env["charge.meter.value"].search([("pile_id", "=", self.pile.id)]))
        log = self.log_of(frame_type="invalid")
        self.assertLess(len(log.payload), 2000)
        # a nesting deeper than the limit, however small the frame
        deep = '[2,"deep-1","DataTransfer",{"vendorId":"x","data":' + "[" * 20 + "]" * 20 + "}]"
        self.refused(self.send(deep), "ProtocolError")

    def test_implausible_timestamps_are_replaced_by_the_receive_time(self):
        before = fields.Datetime.now().replace(microsecond=0)
        for year, text in (("1", "0001-01-01T00:00:00Z"), ("1970", "1970-01-01T00:00:00Z"),
                           ("9999", "9999-12-31T23:59:59Z"), ("ahead", self.now_text(hours=2)),
                           ("unreadable", "yesterday")):
            with self.subTest(year):
                reply = self.start(connector=1, timestamp=text, message_id=f"ts-{year}")
                session = self.env["charge.session"].browse(reply.payload["transactionId"])
                self.assertGreaterEqual(session.start_date, before)
                self.assertLessEqual(session.start_date, fields.Datetime.now())
                self.assertEqual(self.log_of(message_id=f"ts-{year}").error_code, guard.TIMESTAMP_REPLACED)
                self.stop(session.id, 2000, timestamp=text, message_id=f"ts-stop-{year}")
                self.assertEqual(session.state, "finished")
                self.assertGreaterEqual(session.stop_date, before)
        # the pile's clock is set the OCPP 1.6 way, once per interval however many frames are off
        commands = self.env["charge.device.command"].search([("pile_id", "=", self.pile.id)])
        self.assertEqual(commands.mapped("action"), ["TriggerMessage"])
        self.assertEqual(json.loads(commands.payload), {"requestedMessage": "Heartbeat"})
        # late but plausible times are kept: offline piles upload late
        late = self.now_text(days=-20)
        reply = self.start(connector=2, timestamp=late, message_id="ts-late")
        session = self.env["charge.session"].browse(reply.payload["transactionId"])
        self.assertEqual(format_time(session.start_date), late)
        self.assertFalse(self.log_of(message_id="ts-late").error_code)

    def test_sample_times_are_checked_too(self):
        session = self.open_session()
        before = fields.Datetime.now().replace(microsecond=0)
        self.meter(session.id, 3000, timestamp="1970-01-01T00:00:00Z")
        self.send({"connectorId": 1, "status": "Charging", "errorCode": "NoError",
                   "timestamp": "9999-01-01T00:00:00Z"}, "StatusNotification")
        self.assertGreaterEqual(session.meter_value_ids.timestamp, before)
        self.assertGreaterEqual(self.connector1.status_date, before)

    def test_a_stop_after_bad_values_closes_its_session(self):
        session = self.open_session(meter_start=1000)
        self.meter(session.id, 4000)
        self.send({"connectorId": 1, "transactionId": session.id, "meterValue": [{
            "timestamp": self.now_text(), "sampledValue": [
                {"value": "Infinity", "measurand": "Energy.Active.Import.Register"},
                {"value": "1e308", "measurand": "SoC"}, {"value": "-NaN", "measurand": "Power.Active.Import"},
            ]}]}, "MeterValues")
        reply = self.send({"transactionId": session.id, "meterStop": 2 ** 40, "timestamp": "9999-12-31T23:59:59Z",
                           "reason": "Local", "idTag": "CARD\u0000", "transactionData": [{
                               "timestamp": self.now_text(), "sampledValue": [
                                   {"value": "1e308", "measurand": "SoC"}, {"value": "4500"}]}]},
                          "StopTransaction", message_id="stop-bad")
        self.assertEqual(reply.payload, {})
        self.assertEqual(session.state, "finished")
        # the absurd register is replaced by the last one the pile reported
        self.assertEqual((session.meter_stop, session.meter_last), (4500, 4500))
        self.assertAlmostEqual(session.energy_kwh, 3.5)
        for value in [session.power_kw, session.soc, session.energy_kwh] + session.meter_value_ids.mapped("soc"):
            self.assertTrue(math.isfinite(value) and abs(value) < 1e6, value)
        self.assertEqual(self.log_of(message_id="stop-bad").error_code, guard.VALUE_DROPPED)

    def test_a_stop_with_oversized_transaction_data_still_closes(self):
        session = self.open_session(meter_start=1000)
        data = [{"timestamp": self.now_text(), "sampledValue": [{"value": "2000"}]}] * (guard.MAX_TRANSACTION_DATA + 1)
        self.send(
            {"transactionId": session.id, "meterStop": 3000, "timestamp": self.now_text(), "reason": "Local",
             "transactionData": data}, "StopTransaction")
        self.assertEqual((session.state, session.meter_stop), ("finished", 3000))
        self.assertFalse(session.meter_value_ids)


@tagged("post_install", "-at_install")
class TestSuspiciousFrames(HostileCase):

    def test_a_message_id_reused_with_new_content_is_processed_and_flagged(self):
        self.send({"idTag": "CARD0001"}, "Authorize", message_id="same-1")
        reply = self.send({"idTag": "STRANGER"}, "Authorize", message_id="same-1")
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Invalid")
        first, second = self.log_of(message_id="same-1").sorted("id")
        self.assertFalse(first.error_code)
        self.assertEqual(second.error_code, guard.MESSAGE_ID_REUSED)
        # the same content again is a redelivery: the stored answer, no new row
        self.assertEqual(self.send({"idTag": "STRANGER"}, "Authorize", message_id="same-1"), reply)
        self.assertEqual(len(self.log_of(message_id="same-1")), 2)
        # a pile that rebooted may start its counter again: flagged, but not counted as invalid
        self.pile.last_boot = fields.Datetime.now() + timedelta(minutes=1)
        self.send({}, "Heartbeat", message_id="same-1")
        self.assertEqual(self.log_of(message_id="same-1", action="Heartbeat").error_code,
                         guard.MESSAGE_ID_REUSED_AFTER_BOOT)
        self.assertNotIn(guard.MESSAGE_ID_REUSED_AFTER_BOOT, guard.COUNTED_CODES)
        self.assertIn(guard.MESSAGE_ID_REUSED, guard.COUNTED_CODES)

    def test_alarm_5003_after_repeated_invalid_frames(self):
        def alarms(pile):
            return self.env["charge.alarm"].search([("pile_id", "=", pile.id), ("code", "=", "5003")])

        for n in range(guard.INVALID_FRAME_THRESHOLD - 1):
            self.send("not json")
        self.send({}, "Heartbeat")
        self.assertFalse(alarms(self.pile))
        replies = self.send_many([("not json", None, None, None, "test"),
                                  ({}, "Heartbeat", self.other.serial, None, "test")])
        self.assertEqual(replies[0].error_code, "ProtocolError")
        alarm = alarms(self.pile)
        self.assertEqual((len(alarm), alarm.state, alarm.level), (1, "todo", "general"))
        self.assertIn(str(guard.INVALID_FRAME_THRESHOLD), alarm.detail)
        self.assertFalse(alarms(self.other))
        # more invalid frames count more occurrences of the open alarm
        self.send({"idTag": ""}, "Authorize")
        self.assertEqual(alarm.count, 2)

    def test_invalid_frames_outside_the_window_do_not_count(self):
        for n in range(guard.INVALID_FRAME_THRESHOLD - 1):
            self.send("not json")
        self.env.cr.execute("UPDATE charge_device_message SET received_at = received_at - interval '1 day'"
                            " WHERE pile_id = %s", [self.pile.id])
        self.send("not json")
        self.assertFalse(self.env["charge.alarm"].search([("pile_id", "=", self.pile.id), ("code", "=", "5003")]))
