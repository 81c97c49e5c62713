from odoo.tests import BaseCase, tagged

from ..tools.serials import (
    MAX_BATCH_SIZE, SerialError, check_serial, connector_code, numbered_codes, serial_batch,
)


@tagged("at_install", "-post_install")
class TestSerials(BaseCase):
    """Pure numbering rules: no database involved."""

    def test_check_serial_strips_and_accepts_bus_safe_ids(self):
        self.assertEqual(check_serial("  44030501000001 "), "44030501000001")
        self.assertEqual(check_serial("SZ-ac_01"), "SZ-ac_01")

    def test_check_serial_refuses_what_breaks_topics(self):
        for bad in ("SZ/01", "SZ+01", "SZ#01", "SZ 001", "-SZ01", "深圳0001"):
            with self.subTest(serial=bad), self.assertRaises(SerialError) as caught:
                check_serial(bad)
            self.assertEqual(caught.exception.code, "characters")

    def test_check_serial_length(self):
        for bad in ("", "abc", "x" * 33):
            with self.subTest(serial=bad), self.assertRaises(SerialError) as caught:
                check_serial(bad)
            self.assertEqual(caught.exception.code, "length")
        self.assertEqual(check_serial("x" * 32), "x" * 32)

    def test_serial_batch(self):
        self.assertEqual(serial_batch("SZ", 98, 3, 3), ["SZ098", "SZ099", "SZ100"])

    def test_numbered_codes_rules(self):
        self.assertEqual(numbered_codes("B1-", 9, 2, 3), ["B1-009", "B1-010"])
        cases = {
            "quantity": dict(start=1, quantity=0, width=3),
            "start": dict(start=-1, quantity=2, width=3),
            "width": dict(start=1, quantity=2, width=0),
            "overflow": dict(start=99, quantity=2, width=2),
        }
        for code, args in cases.items():
            with self.subTest(code=code), self.assertRaises(SerialError) as caught:
                numbered_codes("P", **args)
            self.assertEqual(caught.exception.code, code)
        with self.assertRaises(SerialError):
            numbered_codes("P", 1, MAX_BATCH_SIZE + 1, 4)

    def test_connector_code(self):
        self.assertEqual(connector_code("44030501000001", 1), "4403050100000101")
        self.assertEqual(connector_code("10010102", 10), "1001010210")
        for bad in (0, 100):
            with self.subTest(number=bad), self.assertRaises(SerialError):
                connector_code("10010102", bad)
