from pathlib import Path

from lxml import etree

from odoo.tests import BaseCase, tagged

from ..tools.faults import (
    ALARM_TYPES, BY_CODE, LEVELS, SOURCES, FaultCodeError, alarms_for_status, decode_vendor_code,
)

OCPP_ERROR_CODES = (
    "ConnectorLockFailure", "EVCommunicationError", "GroundFailure", "HighTemperature",
    "InternalError", "LocalListConflict", "NoError", "OtherError", "OverCurrentFailure",
    "OverVoltage", "PowerMeterFailure", "PowerSwitchFailure", "ReaderFailure", "ResetFailure",
    "UnderVoltage", "WeakSignal",
)
DATA_FILE = Path(__file__).parent.parent / "data" / "charge_alarm_type_data.xml"


def keys(text):
    return [alarm.key for alarm in decode_vendor_code(text)]


@tagged("at_install", "-post_install")
class TestFaults(BaseCase):
    """Fault decoding and the alarm code table: no database involved."""

    def test_table(self):
        self.assertEqual(len(BY_CODE), len(ALARM_TYPES), "alarm codes must be unique")
        for alarm in ALARM_TYPES:
            with self.subTest(code=alarm.code):
                self.assertIn(alarm.level, LEVELS)
                self.assertIn(alarm.source, SOURCES)
                self.assertRegex(alarm.code, r"^\d{4}$")
        ocpp = {alarm.key for alarm in ALARM_TYPES if alarm.source == "ocpp"}
        self.assertEqual(ocpp, set(OCPP_ERROR_CODES) - {"NoError"})
        bits = sorted(alarm.bit for alarm in ALARM_TYPES if alarm.bit is not None)
        self.assertEqual(bits, list(range(11)))
        self.assertEqual(BY_CODE["5001"].level, "general")

    def test_single_bits(self):
        expected = ["no_ground", "relay_stuck", "over_current", "over_voltage", "under_voltage",
                    "meter_fault", "emergency_stop", "cp_error", "over_temp", "leakage",
                    "leakage_selftest"]
        for bit, key in enumerate(expected):
            with self.subTest(bit=bit):
                self.assertEqual(keys(str(1 << bit)), [key])
                self.assertEqual(decode_vendor_code(str(1 << bit))[0].code, str(1001 + bit))

    def test_quick_lookup_combinations(self):
        self.assertEqual(keys("0033"), ["no_ground", "meter_fault"])
        self.assertEqual(keys("0048"), ["under_voltage", "meter_fault"])
        self.assertEqual(keys("0065"), ["no_ground", "emergency_stop"])
        self.assertEqual(keys("0066"), ["relay_stuck", "emergency_stop"])
        self.assertEqual(keys("0072"), ["over_voltage", "emergency_stop"])
        self.assertEqual(keys("0080"), ["under_voltage", "emergency_stop"])
        self.assertEqual(keys("0096"), ["meter_fault", "emergency_stop"])
        self.assertEqual(keys(" 0000 "), [])
        self.assertEqual(len(keys("2047")), 11)

    def test_reserved_bits(self):
        self.assertEqual(keys("2048"), ["unknown_vendor_fault"])
        # several reserved bits give one unknown fault, after the known ones
        self.assertEqual(keys(str(1 + 2048 + 32768)), ["no_ground", "unknown_vendor_fault"])
        self.assertEqual(keys("65535")[-1], "unknown_vendor_fault")

    def test_invalid_vendor_codes(self):
        for bad, code in (("", "not_numeric"), (None, "not_numeric"), ("E33", "not_numeric"),
                          ("-1", "not_numeric"), ("3.0", "not_numeric"), ("0x21", "not_numeric"),
                          ("٣٣", "not_numeric"), ("65536", "out_of_range"),
                          ("99999999", "out_of_range")):
            with self.subTest(value=bad), self.assertRaises(FaultCodeError) as caught:
                decode_vendor_code(bad)
            self.assertEqual(caught.exception.code, code)
            self.assertIsInstance(caught.exception, ValueError)

    def test_alarms_for_status(self):
        self.assertEqual(alarms_for_status("NoError", ""), [])
        self.assertEqual(alarms_for_status("NoError", "0000"), [])
        self.assertEqual(alarms_for_status("GroundFailure", None), [("2003", "GroundFailure")])
        self.assertEqual(alarms_for_status("NoError", "0065"), [("1001", "0065"), ("1007", "0065")])
        self.assertEqual(alarms_for_status("GroundFailure", "0001"),
                         [("2003", "GroundFailure"), ("1001", "0001")])

    def test_alarms_for_status_other_error(self):
        # the vendor code explains an OtherError: only the vendor alarms remain
        self.assertEqual(alarms_for_status("OtherError", "0033"), [("1001", "0033"), ("1006", "0033")])
        self.assertEqual(alarms_for_status("OtherError", "0"), [("2007", "OtherError")])
        self.assertEqual(alarms_for_status("OtherError", None), [("2007", "OtherError")])

    def test_alarms_for_status_foreign_vendor_code(self):
        self.assertEqual(alarms_for_status("InternalError", "E-42"),
                         [("2005", "InternalError"), ("1099", "E-42")])
        self.assertEqual(alarms_for_status("NoError", str(2048 + 4096)), [("1099", "6144")])

    def test_alarms_for_status_unknown_ocpp_code(self):
        with self.assertRaises(FaultCodeError) as caught:
            alarms_for_status("Overheat", "")
        self.assertEqual(caught.exception.code, "ocpp_code")

    def test_data_file_matches_table(self):
        records = etree.parse(str(DATA_FILE)).getroot().iter("record")
        found = {}
        for record in records:
            self.assertEqual(record.get("model"), "charge.alarm.type")
            values = {field.get("name"): field.text for field in record.iter("field")}
            self.assertNotIn(values["code"], found, "one record per code")
            self.assertEqual(record.get("id"), f"alarm_type_{values['code']}")
            self.assertTrue(values.get("solution"))
            found[values["code"]] = values
        self.assertEqual(set(found), set(BY_CODE))
        for code, values in found.items():
            alarm = BY_CODE[code]
            with self.subTest(code=code):
                self.assertEqual(values["level"], alarm.level)
                self.assertEqual(values["source"], alarm.source)
                self.assertEqual(values["name"], alarm.name)
        self.assertEqual(found["1001"]["led_pattern"], "6 blinks every 3 s")
