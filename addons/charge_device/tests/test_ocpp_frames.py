from odoo.tests import BaseCase, tagged

from ..tools import ocpp_frames as frames
from ..tools import ocpp_routes as routes
from ..tools import ocpp_schema as schema
from ..tools.ocpp_values import format_time, parse_time, read_samples


@tagged("at_install", "-post_install")
class TestOcppFrames(BaseCase):

    def test_decode_and_encode_round_trip(self):
        call = frames.decode('[2,"19223201","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]')
        self.assertEqual(call, frames.Call("19223201", "BootNotification",
                                           {"chargePointVendor": "V", "chargePointModel": "M"}))
        self.assertEqual(frames.decode(call.encode()), call)
        result = frames.decode(b'[3,"19223201",{"status":"Accepted"}]')
        self.assertEqual(result, frames.CallResult("19223201", {"status": "Accepted"}))
        error = frames.decode('[4,"19223201","NotSupported","no",{}]')
        self.assertEqual((error.error_code, error.description), ("NotSupported", "no"))
        self.assertEqual(frames.CallResult("1", {"s": "中文"}).encode(), '[3,"1",{"s":"中文"}]')

    def test_decode_refuses_what_is_not_ocpp_j(self):
        cases = {
            "not json": ("ProtocolError", "-1"),
            '{"a":1}': ("ProtocolError", "-1"),
            '[2,5,"Heartbeat",{}]': ("ProtocolError", "-1"),
            '[2,"' + "x" * 37 + '","Heartbeat",{}]': ("ProtocolError", "-1"),
            '[2,"7","Heartbeat"]': ("FormationViolation", "7"),
            '[2,"7","Heartbeat",[]]': ("FormationViolation", "7"),
            '[3,"8"]': ("ProtocolError", "-1"),
            '[6,"9",{}]': ("ProtocolError", "9"),
        }
        for raw, (code, message_id) in cases.items():
            with self.subTest(raw=raw), self.assertRaises(frames.FrameError) as caught:
                frames.decode(raw)
            self.assertEqual((caught.exception.error_code, caught.exception.message_id), (code, message_id))

    def test_schema_validation_really_runs(self):
        schema.validate_call(frames.Call("1", "Heartbeat", {}))
        cases = [
            (frames.Call("2", "BootNotification", {"chargePointVendor": "V"}), "OccurenceConstraintViolation"),
            (frames.Call("3", "Heartbeat", {"extra": 1}), "FormationViolation"),
            (frames.Call("4", "StatusNotification", {"connectorId": 1, "errorCode": "Oops",
                                                     "status": "Available"}), "PropertyConstraintViolation"),
            (frames.Call("5", "StartTransaction", {"connectorId": "1", "idTag": "A", "meterStart": 0,
                                                   "timestamp": "2026-11-21T08:00:00Z"}), "TypeConstraintViolation"),
            (frames.Call("6", "Authorize", {"idTag": "X" * 21}), "TypeConstraintViolation"),
            (frames.Call("7", "Teleport", {}), "NotImplemented"),
        ]
        for call, code in cases:
            with self.subTest(call=call), self.assertRaises(frames.FrameError) as caught:
                schema.validate_call(call)
            self.assertEqual((caught.exception.error_code, caught.exception.message_id), (code, call.message_id))
        schema.validate_result("Reset", frames.CallResult("8", {"status": "Accepted"}))
        with self.assertRaises(frames.FrameError):
            schema.validate_result("Reset", frames.CallResult("8", {"status": "Maybe"}))
        # decimals with one digit validate (the ocpp package's float issue)
        schema.validate_call(frames.Call("9", "RemoteStartTransaction", {"idTag": "A", "chargingProfile": {
            "chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
            "chargingProfileKind": "Absolute", "chargingSchedule": {
                "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 21.4}]}}}))

    def test_routes_and_topics(self):
        self.assertEqual(routes.parse_up_topic("charge/44030501000001/up"), ("charge", "44030501000001"))
        self.assertEqual(routes.parse_up_topic("op/sz/P1/up"), ("op/sz", "P1"))
        for topic in ("charge/P1/down", "P1/up", "charge//up", "up"):
            self.assertIsNone(routes.parse_up_topic(topic), topic)
        self.assertEqual(routes.down_topic("op/sz", "P1"), "op/sz/P1/down")
        self.assertFalse(routes.HOT_ACTIONS & set(routes.DEVICE_ROUTES))
        for action in routes.DEVICE_ACTIONS | set(routes.COMMAND_ACTIONS):
            self.assertTrue(schema.known_action(action), action)

    def test_values(self):
        self.assertEqual(str(parse_time("2026-11-21T16:00:00+08:00")), "2026-11-21 08:00:00")
        self.assertEqual(format_time(parse_time("2026-11-21T08:00:00.123Z")), "2026-11-21T08:00:00Z")
        rows = read_samples([{"timestamp": "2026-11-21T08:00:00Z", "sampledValue": [
            {"value": "1.5", "measurand": "Energy.Active.Import.Register", "unit": "kWh"},
            {"value": "7", "measurand": "Power.Active.Import", "unit": "kW"},
            {"value": "10", "measurand": "Current.Import", "phase": "L1"},
            {"value": "11", "measurand": "Current.Import", "phase": "L2"},
            {"value": "230", "measurand": "Voltage", "phase": "L1-N"},
            {"value": "232", "measurand": "Voltage", "phase": "L2-N"},
            {"value": "41", "measurand": "Temperature", "unit": "Celsius", "location": "Body"},
            {"value": "80", "measurand": "SoC", "location": "EV"},
            {"value": "999", "measurand": "Power.Active.Import", "location": "Inlet"},
            {"value": "n/a", "measurand": "Voltage"},
        ]}])
        self.assertEqual(rows, [{"timestamp": parse_time("2026-11-21T08:00:00Z"), "energy_wh": 1500.0,
                                 "power_w": 7000.0, "current_a": 21.0, "voltage_v": 231.0,
                                 "temperature_c": 41.0, "soc": 80.0}])
