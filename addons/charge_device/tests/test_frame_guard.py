"""Unit tests of the frame limits (tools/ocpp_frames.py) and of the payload
guard (tools/frame_guard.py): pure Python, no database."""
import json
import math
from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..tools import frame_guard as guard
from ..tools import ocpp_frames as frames
from ..tools import ocpp_schema as schema
from ..tools.ocpp_values import VALUE_RANGES, read_samples, sample_value

NOW = datetime(2026, 11, 21, 8, 0, 0)
NOW_TEXT = "2026-11-21T08:00:00Z"


def call(action, payload, message_id="g1"):
    return frames.Call(message_id, action, payload)


def check(action, payload, now=NOW):
    return guard.check_call(call(action, payload), now, schema.validate_call)


@tagged("at_install", "-post_install")
class TestFrameLimits(BaseCase):

    def test_depth_is_measured_without_recursion(self):
        for depth in (1, 5, frames.MAX_DEPTH):
            text = "[" * depth + "]" * depth
            self.assertFalse(frames.too_deep(text.encode()), depth)
        for text in ("[" * (frames.MAX_DEPTH + 1) + "]" * (frames.MAX_DEPTH + 1),
                     "[{" * 7 + "}]" * 7,                     # mixed, 14 levels
                     "[" + "[[]" * 20 + "]" * 21,              # no long run of openers, yet deep
                     "[" * 100_000 + "]" * 100_000,
                     "[" * 50):                                # unbalanced: no JSON either
            self.assertTrue(frames.too_deep(text.encode()), text[:30])
        # brackets in strings, escaped quotes and backslashes do not count
        shallow = [2, "a\\", "DataTransfer", {"vendorId": "x", "data": '[[[[[[[[[[[[[[[[\\"]]]' + "{" * 40}]
        self.assertFalse(frames.too_deep(json.dumps(shallow).encode()))
        self.assertFalse(frames.too_deep(json.dumps([[], [[]]] * 1000).encode()))
        tricky = '[2,"\\\\",' + "[" * 13 + '"' + "]" * 13 + '"' + "]" * 13 + "]"
        self.assertTrue(frames.too_deep(tricky.encode()))

    def test_frame_limits(self):
        cases = {
            b"[" * 100_000 + b"]" * 100_000: "-1",
            b'[2,"big","DataTransfer",{"vendorId":"x","data":"' + b"x" * frames.MAX_FRAME_BYTES + b'"}]': "-1",
            b'[2,"n1","Heartbeat",{}]\x00': "n1",                      # raw NUL: not JSON, its id is read
            b'[2,"n2","StartTransaction",{"meterStart":NaN}]': "n2",
            b'[2,"n3","StartTransaction",{"meterStart":Infinity}]': "n3",
            b'[2,"n4","StartTransaction",{"meterStart":-Infinity}]': "n4",
            b'[2,"n5","StartTransaction",{"meterStart":1e400}]': "n5",
            b'[2,"n6","StartTransaction",{"meterStart":' + b"9" * 5000 + b"}]": "n6",
            b'[2,"\\u0000","Heartbeat",{}]': "-1",
            b'[2,"\\ud800","Heartbeat",{}]': "-1",
            b'[2,"a\\u0085b","Heartbeat",{}]': "-1",
            '[2,"\ud800","Heartbeat",{}]': "-1",                     # a str with a lone surrogate
            b'[2,"n7","Heart\\u0000beat",{}]': "n7",
            b'[2,"n8","' + b"A" * 65 + b'",{}]': "n8",
        }
        for raw, message_id in cases.items():
            with self.subTest(raw=raw[:60]), self.assertRaises(frames.FrameError) as caught:
                frames.decode(raw)
            self.assertEqual(caught.exception.message_id, message_id)
            self.assertTrue(caught.exception.answerable)
            self.assertLessEqual(len(caught.exception.description), frames.MAX_DESCRIPTION_LENGTH)

    def test_answers_are_never_answered(self):
        for raw in ('[3,"r1","x"]', '[3,"r2"]', '[4,"r3",7,"x",{}]', '[3,"r4",{"a":NaN}]', '[4,"\\u0000","X","y"]'):
            with self.subTest(raw=raw), self.assertRaises(frames.FrameError) as caught:
                frames.decode(raw)
            self.assertFalse(caught.exception.answerable)
        with self.assertRaises(frames.FrameError) as caught:
            guard.check_answer(frames.decode('[3,"r5",{"configurationKey":[{"key":"K","value":"a\\u0000"}]}]'))
        self.assertFalse(caught.exception.answerable)
        self.assertEqual(caught.exception.message_id, "r5")
        guard.check_answer(frames.decode('[3,"r6",{"configurationKey":[{"key":"K","value":"a\\nb"}]}]'))
        with self.assertRaises(frames.FrameError):
            guard.check_answer(frames.decode('[4,"r7","Generic\\u0001Error","",{}]'))


@tagged("at_install", "-post_install")
class TestFrameGuard(BaseCase):

    def assertRefused(self, action, payload, code="PropertyConstraintViolation"):
        with self.assertRaises(frames.FrameError) as caught:
            check(action, payload)
        self.assertEqual((caught.exception.error_code, caught.exception.message_id), (code, "g1"))

    def test_a_valid_frame_is_passed_as_it_is(self):
        payload = {"connectorId": 1, "transactionId": 7, "meterValue": [
            {"timestamp": NOW_TEXT, "sampledValue": [{"value": "1000"}, {"value": "7", "measurand": "SoC"}]}]}
        checked = check("MeterValues", payload)
        self.assertIs(checked.payload, payload)
        self.assertEqual((checked.notes, checked.clock_off, checked.last_meter), ([], False, False))

    def test_numbers_in_their_ranges(self):
        start = {"connectorId": 1, "idTag": "CARD", "meterStart": 0, "timestamp": NOW_TEXT}
        check("StartTransaction", start)
        check("StartTransaction", {**start, "meterStart": guard.INT4_MAX})
        for key, value in (("meterStart", -1), ("meterStart", guard.INT4_MAX + 1), ("connectorId", -1),
                           ("connectorId", guard.MAX_CONNECTOR_ID + 1), ("reservationId", 2 ** 40)):
            with self.subTest(key=key, value=value):
                self.assertRefused("StartTransaction", {**start, key: value})
        self.assertRefused("StartTransaction", {**start, "meterStart": 1.5}, "TypeConstraintViolation")
        self.assertRefused("MeterValues", {"connectorId": 1, "transactionId": -2 ** 31 - 1, "meterValue": [
            {"timestamp": NOW_TEXT, "sampledValue": [{"value": "1"}]}]})
        self.assertRefused("StopTransaction", {"transactionId": 2 ** 31, "meterStop": 0, "timestamp": NOW_TEXT})

    def test_id_tags_and_strings(self):
        for tag in ("", "   ", "A\u0000", "A\u007f", "A\u0085", "ok\u0007"):
            with self.subTest(tag=tag):
                self.assertRefused("Authorize", {"idTag": tag})
        check("Authorize", {"idTag": "卡片0001"})
        self.assertRefused("StatusNotification", {"connectorId": 1, "status": "Available", "errorCode": "NoError",
                                                  "vendorErrorCode": "E\u0001"})
        self.assertRefused("DataTransfer", {"vendorId": "v", "data": "a\u0000"})
        self.assertRefused("DataTransfer", {"vendorId": "v\n", "data": "a"})
        self.assertEqual(check("DataTransfer", {"vendorId": "v", "data": "a\r\n\tb"}).notes, [])
        # given the frame's bytes, the guard walks the strings only when they may hold a control character
        for text in ("a\u0000", "a\u0085", "a\u007f", "\ud800"):
            payload = {"chargePointVendor": text, "chargePointModel": "M"}
            # (a lone surrogate can only come escaped: raw, it is no UTF-8 and decode refuses it)
            for ensure_ascii in (True, False) if text != "\ud800" else (True,):
                raw = json.dumps([2, "g1", "BootNotification", payload], ensure_ascii=ensure_ascii)
                with self.subTest(text=text, ensure_ascii=ensure_ascii), self.assertRaises(frames.FrameError):
                    guard.check_call(call("BootNotification", payload), NOW, schema.validate_call,
                                     raw=raw.encode("utf-8", "surrogatepass"))
        plain = {"chargePointVendor": "供应商 A", "chargePointModel": "M"}
        self.assertIs(guard.check_call(call("BootNotification", plain), NOW, raw=json.dumps(
            [2, "g1", "BootNotification", plain], ensure_ascii=False).encode()).payload, plain)

    def test_array_sizes(self):
        entry = {"timestamp": NOW_TEXT, "sampledValue": [{"value": "1"}]}
        check("MeterValues", {"connectorId": 1, "meterValue": [entry] * guard.MAX_METER_VALUES})
        self.assertRefused("MeterValues", {"connectorId": 1, "meterValue": [entry] * (guard.MAX_METER_VALUES + 1)},
                           "OccurenceConstraintViolation")
        wide = {"timestamp": NOW_TEXT, "sampledValue": [{"value": "1"}] * (guard.MAX_SAMPLED_VALUES + 1)}
        self.assertRefused("MeterValues", {"connectorId": 1, "meterValue": [wide]}, "OccurenceConstraintViolation")
        # a StopTransaction loses its oversized transaction data, and still closes its session
        stop = {"transactionId": 1, "meterStop": 10, "timestamp": NOW_TEXT}
        for data in ([entry] * (guard.MAX_TRANSACTION_DATA + 1), [wide]):
            checked = check("StopTransaction", {**stop, "transactionData": data})
            self.assertEqual(checked.payload, stop)
            self.assertEqual(checked.notes[0][0], guard.VALUE_DROPPED)

    def test_sampled_values_out_of_range_are_dropped(self):
        good = [{"value": "1000"}, {"value": "7.5", "measurand": "Power.Active.Import", "unit": "kW"},
                {"value": "12", "measurand": "Frequency"},
                {"value": "n/a", "measurand": "Temperature", "unit": "Fahrenheit"},
                {"value": "c2lnbmVk", "format": "SignedData"}]
        bad = [{"value": "NaN", "measurand": "Power.Active.Import"}, {"value": "inf"}, {"value": "-1"},
               {"value": "1e308", "measurand": "SoC"}, {"value": "101", "measurand": "SoC"},
               {"value": "3000000", "unit": "kWh"}, {"value": "abc", "measurand": "Current.Import"},
               {"value": "1" * 50}, {"value": "5\u0000", "measurand": "Frequency"},
               {"value": "-300", "measurand": "Temperature"}]
        payload = {"connectorId": 1, "meterValue": [{"timestamp": NOW_TEXT, "sampledValue": good + bad}]}
        checked = check("MeterValues", payload)
        self.assertEqual(checked.payload["meterValue"][0]["sampledValue"], good)
        self.assertEqual([code for code, _text in checked.notes], [guard.VALUE_DROPPED] * len(bad))
        self.assertEqual(len(payload["meterValue"][0]["sampledValue"]), len(good + bad))  # not changed in place
        # read_samples skips them too, wherever they come from
        [row] = read_samples(payload["meterValue"])
        self.assertEqual((row["energy_wh"], row["power_w"]), (1000, 7500))
        self.assertTrue(all(math.isfinite(value) for key, value in row.items() if key != "timestamp"))

    def test_sample_value(self):
        self.assertEqual(sample_value({"value": "1.5", "unit": "kWh"}), ("energy_wh", 1500.0))
        self.assertIsNone(sample_value({"value": "1", "measurand": "RPM"}))
        self.assertIsNone(sample_value({"value": "1", "measurand": "Voltage", "location": "Inlet"}))
        for column, (low, high) in VALUE_RANGES.items():
            self.assertLess(low, high, column)
        with self.assertRaises(ValueError):
            sample_value({"value": str(2 ** 31)})

    def test_stop_transaction_always_closes(self):
        checked = check("StopTransaction", {"transactionId": 3, "meterStop": 2 ** 40, "timestamp": NOW_TEXT,
                                            "idTag": ""})
        self.assertTrue(checked.last_meter)
        self.assertNotIn("idTag", checked.payload)
        self.assertEqual({code for code, _text in checked.notes}, {guard.VALUE_DROPPED})
        checked = check("StopTransaction", {"transactionId": 3, "meterStop": -5, "timestamp": NOW_TEXT,
                                            "idTag": "OK\u0000"})
        self.assertTrue(checked.last_meter)
        self.assertNotIn("idTag", checked.payload)

    def test_timestamps_outside_the_window_are_replaced(self):
        start = {"connectorId": 1, "idTag": "CARD", "meterStart": 0}
        for text, off in (("0001-01-01T00:00:00Z", True), ("0001-01-01T00:00:00+08:00", True),
                          ("1970-01-01T00:00:00Z", True), ("9999-12-31T23:59:59Z", True),
                          ("9999-12-31T23:59:59-01:00", True), ("not a time", True), ("", True),
                          ("2026-11-21T08:14:00Z", False), ("2026-11-21T08:16:00Z", True),
                          ("2026-10-23T08:00:00Z", False), ("2026-10-21T07:59:00Z", True),
                          ("2026-11-21T16:00:00+08:00", False)):
            with self.subTest(text=text):
                checked = check("StartTransaction", {**start, "timestamp": text})
                self.assertEqual(checked.clock_off, off)
                self.assertEqual(checked.payload["timestamp"], NOW_TEXT if off else text)
                self.assertEqual([code for code, _text in checked.notes], [guard.TIMESTAMP_REPLACED] if off else [])
        checked = check("StartTransaction", {**start, "timestamp": "2026-11-21T10:00:00Z"})
        self.assertEqual(checked.clock_skew, timedelta(hours=2))
        # the window is a parameter: a wider one keeps older uploads
        checked = guard.check_call(call("StartTransaction", {**start, "timestamp": "2026-01-01T00:00:00Z"}), NOW,
                                   max_age=timedelta(days=365))
        self.assertFalse(checked.clock_off)
        # sample and status times too
        checked = check("MeterValues", {"connectorId": 1, "meterValue": [
            {"timestamp": "1970-01-01T00:00:00Z", "sampledValue": [{"value": "1"}]},
            {"timestamp": NOW_TEXT, "sampledValue": [{"value": "2"}]}]})
        self.assertEqual([entry["timestamp"] for entry in checked.payload["meterValue"]], [NOW_TEXT] * 2)
        checked = check("StatusNotification", {"connectorId": 1, "status": "Available", "errorCode": "NoError",
                                               "timestamp": "9999-01-01T00:00:00Z"})
        self.assertEqual(checked.payload["timestamp"], NOW_TEXT)

    def test_counted_codes(self):
        for code in ("ProtocolError", "FormationViolation", "PropertyConstraintViolation", "InternalError",
                     guard.VALUE_DROPPED, guard.MESSAGE_ID_REUSED):
            self.assertIn(code, guard.COUNTED_CODES)
        for code in (guard.TIMESTAMP_REPLACED, guard.MESSAGE_ID_REUSED_AFTER_BOOT, "Rejected", None):
            self.assertNotIn(code, guard.COUNTED_CODES)
