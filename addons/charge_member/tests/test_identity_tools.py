import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..tools.mobile import ERROR_CODES as MOBILE_ERROR_CODES
from ..tools.mobile import MobileError, normalize_mobile
from ..tools.pin import ERROR_CODES as PIN_ERROR_CODES
from ..tools.pin import ITERATIONS, PinError, check_pin_format, hash_pin, verify_pin
from ..tools.plates import ERROR_CODES as PLATE_ERROR_CODES
from ..tools.plates import KINDS, PROVINCES, PlateError, is_new_energy, normalize_plate, plate_kind
from ..tools.vin import ERROR_CODES as VIN_ERROR_CODES
from ..tools.vin import (
    TRANSLITERATION, WEIGHTS, VinError, check_vin, normalize_vin, vin_check_digit, vin_check_digit_ok,
)

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, derandomize=True)
# Each PIN property example runs PBKDF2 (100 000 iterations) once or twice.
PIN_PROPERTY_SETTINGS = settings(max_examples=30, deadline=None, derandomize=True)

SERIAL_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O
DIGITS = "0123456789"
letters = st.sampled_from(SERIAL_LETTERS)
digits = st.sampled_from(DIGITS)
alnums = st.sampled_from(SERIAL_LETTERS + DIGITS)
provinces = st.sampled_from(PROVINCES)
mobiles = st.builds(
    lambda second, rest: "1" + second + "".join(rest),
    st.sampled_from("3456789"), st.lists(digits, min_size=9, max_size=9),
)
pins = st.text(alphabet=DIGITS, min_size=4, max_size=6)


@st.composite
def plates(draw):
    """A valid plate and its kind."""
    head = draw(provinces) + draw(letters)
    kind = draw(st.sampled_from(KINDS))
    if kind == "blue":
        serial = "".join(draw(st.lists(alnums, min_size=5, max_size=5)))
    elif kind == "green_small":
        serial = (draw(st.sampled_from("DABCEFGHJK")) + draw(alnums)
                  + "".join(draw(st.lists(digits, min_size=4, max_size=4))))
    else:
        serial = "".join(draw(st.lists(digits, min_size=5, max_size=5))) + draw(st.sampled_from("DF"))
    return head + serial, kind


@tagged("at_install", "-post_install")
class TestPlates(BaseCase):
    """Mainland licence plates (GA 36-2018): no database involved."""

    def assertPlateError(self, code, text):
        with self.assertRaises(PlateError) as caught:
            plate_kind(text)
        self.assertEqual(caught.exception.code, code)
        self.assertIn(code, PLATE_ERROR_CODES)
        self.assertIsInstance(caught.exception, ValueError)
        self.assertFalse(is_new_energy(text))
        return caught.exception.params

    def test_vocabulary(self):
        self.assertEqual(len(PROVINCES), 31)
        self.assertEqual(len(set(PROVINCES)), 31)
        self.assertEqual(KINDS, ("blue", "green_small", "green_large"))

    def test_normalize(self):
        self.assertEqual(normalize_plate(" 粤b·123 45 "), "粤B12345")
        self.assertEqual(normalize_plate("粤-B.D1234-5"), "粤BD12345")
        self.assertEqual(normalize_plate("京ａｆ０２３６"), "京AF0236")  # full-width input
        self.assertEqual(normalize_plate("京\u3000A・F0236"), "京AF0236")
        self.assertEqual(normalize_plate(None), "")
        self.assertEqual(normalize_plate("  "), "")
        self.assertEqual(plate_kind("粤b·12345"), "blue")

    def test_blue(self):
        for plate in ("粤B12345", "京AF0236", "沪A8K9M2", "粤BD1234", "琼EZZZZZ", "川A00000"):
            self.assertEqual(plate_kind(plate), "blue", plate)
            self.assertFalse(is_new_energy(plate), plate)

    def test_green_small(self):
        # Pure electric D, A, B, C, E; other new energy F, G, H, J, K; then a letter or a digit, then 4 digits.
        for plate in ("粤BD12345", "京AF02368", "沪AA12345", "沪AD12345", "浙AFA1234", "苏EK99999", "渝BE00001",
                      "粤BDA1234", "粤BJZ0000", "粤BCG1234", "粤BHZ0001"):
            self.assertEqual(plate_kind(plate), "green_small", plate)
            self.assertTrue(is_new_energy(plate), plate)

    def test_green_large(self):
        for plate in ("粤B12345D", "京A00000F", "新Z98765D"):
            self.assertEqual(plate_kind(plate), "green_large", plate)
            self.assertTrue(is_new_energy(plate), plate)

    def test_empty(self):
        for text in ("", None, "  ", "·-."):
            self.assertEqual(self.assertPlateError("empty", text), {"plate": ""})

    def test_province(self):
        self.assertEqual(self.assertPlateError("province", "B12345"), {"plate": "B12345", "province": "B"})
        self.assertEqual(self.assertPlateError("province", "港A12345")["province"], "港")  # not mainland
        self.assertEqual(self.assertPlateError("province", "使123456")["province"], "使")  # embassy
        self.assertPlateError("province", "12345678")

    def test_authority(self):
        self.assertEqual(self.assertPlateError("authority", "粤112345"),
                         {"plate": "粤112345", "character": "1"})
        self.assertEqual(self.assertPlateError("authority", "粤粤12345")["character"], "粤")

    def test_characters(self):
        # Coach, police and trailer plates are not accepted.
        for plate, character in (("粤B1234学", "学"), ("粤B1234警", "警"), ("粤B1234挂", "挂"),
                                 ("粤B1234港", "港"), ("粤B12_45", "_"), ("粤B1234Ä", "Ä")):
            params = self.assertPlateError("characters", plate)
            self.assertEqual(params, {"plate": plate, "character": character})

    def test_letters_io(self):
        self.assertEqual(self.assertPlateError("letters_io", "粤B1234O"),
                         {"plate": "粤B1234O", "character": "O"})
        self.assertEqual(self.assertPlateError("letters_io", "粤BI2345")["character"], "I")
        self.assertEqual(self.assertPlateError("letters_io", "粤I12345")["character"], "I")  # authority letter
        self.assertEqual(self.assertPlateError("letters_io", "粤bd1o345")["character"], "O")  # normalised first

    def test_length(self):
        self.assertEqual(self.assertPlateError("length", "粤B1234"), {"plate": "粤B1234", "length": 6})
        self.assertEqual(self.assertPlateError("length", "粤B123456D")["length"], 9)
        self.assertEqual(self.assertPlateError("length", "粤")["length"], 1)
        self.assertEqual(self.assertPlateError("length", "粤B")["length"], 2)

    def test_new_energy_serial(self):
        # 8 characters, but neither D/F.. + letter or digit + 4 digits, nor 5 digits + D/F.
        self.assertEqual(self.assertPlateError("new_energy", "沪AD1234F"),
                         {"plate": "沪AD1234F", "serial": "D1234F"})
        for plate in ("粤B123456", "粤BL12345", "粤BDA123B", "粤B12345A", "粤B1234DD", "粤BDAB123"):
            self.assertPlateError("new_energy", plate)

    def test_error_carries_code_and_params(self):
        error = PlateError("province", "no province", plate="B12345", province="B")
        self.assertEqual((error.code, error.params), ("province", {"plate": "B12345", "province": "B"}))
        self.assertEqual(str(error), "no province")

    @PROPERTY_SETTINGS
    @given(plates(), st.lists(st.sampled_from([" ", "·", "-", "."]), max_size=3), st.booleans())
    def test_property_valid_plates(self, plate_and_kind, separators, lower):
        plate, kind = plate_and_kind
        typed = plate[:2] + "".join(separators) + plate[2:]
        typed = typed.lower() if lower else typed
        self.assertEqual(normalize_plate(typed), plate)
        self.assertEqual(normalize_plate(plate), plate)
        self.assertEqual(plate_kind(typed), kind)
        self.assertEqual(is_new_energy(typed), kind != "blue")


@tagged("at_install", "-post_install")
class TestVin(BaseCase):
    """VIN format and check digit (ISO 3779, GB 16735): no database involved."""

    # Published VINs whose check digit is right, 9th character included.
    VALID = (
        "1M8GDM9AXKP042788",  # check digit X (remainder 10)
        "1HGCM82633A004352",
        "JH4KA7561PC008269",
        "LVSHCAMB1CE054249",  # made in China (WMI LVS)
        "11111111111111111",
    )

    def assertVinError(self, code, text):
        with self.assertRaises(VinError) as caught:
            check_vin(text)
        self.assertEqual(caught.exception.code, code)
        self.assertIn(code, VIN_ERROR_CODES)
        self.assertIsInstance(caught.exception, ValueError)
        self.assertFalse(vin_check_digit_ok(text))
        return caught.exception.params

    def test_tables(self):
        # ISO 3779 / GB 16735: letter values (no I, O, Q) and position weights.
        letters = "A1 B2 C3 D4 E5 F6 G7 H8 J1 K2 L3 M4 N5 P7 R9 S2 T3 U4 V5 W6 X7 Y8 Z9"
        expected = {pair[0]: int(pair[1]) for pair in letters.split()} | {str(d): d for d in range(10)}
        self.assertEqual(TRANSLITERATION, expected)
        self.assertEqual(WEIGHTS, (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2))

    def test_normalize(self):
        self.assertEqual(normalize_vin(" 1m8gdm9axkp042788\n"), "1M8GDM9AXKP042788")
        self.assertEqual(normalize_vin(None), "")
        self.assertEqual(check_vin(" lvshcamb1ce054249 "), "LVSHCAMB1CE054249")

    def test_check_digit(self):
        for vin in self.VALID:
            self.assertEqual(check_vin(vin), vin)
            self.assertEqual(vin_check_digit(vin), vin[8], vin)
            self.assertTrue(vin_check_digit_ok(vin), vin)
            self.assertTrue(vin_check_digit_ok(vin.lower()), vin)
        # By hand: 1M8GDM9A?KP042788 transliterates to 1 4 8 7 4 4 9 1 . 2 7 0 4 2 7 8 8, the weighted
        # sum 8+28+48+35+16+12+18+10+0+18+56+0+24+8+28+24+16 = 373 = 33 * 11 + 10, so the check digit is X.
        self.assertEqual(vin_check_digit("1M8GDM9A0KP042788"), "X")

    def test_wrong_check_digit_is_still_a_valid_vin(self):
        # The last one is European: the 9th character is not a check digit there.
        for vin in ("1M8GDM9A1KP042788", "LVSHCAMB2CE054249", "WP0ZZZ99ZTS392124"):
            self.assertEqual(check_vin(vin), vin)
            self.assertFalse(vin_check_digit_ok(vin), vin)
        self.assertEqual(vin_check_digit("WP0ZZZ99ZTS392124"), "8")

    def test_empty(self):
        for text in ("", None, "   "):
            self.assertEqual(self.assertVinError("empty", text), {"vin": ""})

    def test_length(self):
        self.assertEqual(self.assertVinError("length", "1M8GDM9AXKP04278"),
                         {"vin": "1M8GDM9AXKP04278", "length": 16, "expected": 17})
        self.assertEqual(self.assertVinError("length", "1M8GDM9AXKP0427881")["length"], 18)
        self.assertEqual(self.assertVinError("length", "1M8G DM9AXKP042788")["length"], 18)  # inner blank kept

    def test_characters(self):
        for vin, character, position in (("1M8GDM9AXKP04278O", "O", 17), ("IM8GDM9AXKP042788", "I", 1),
                                         ("1M8GDM9AXKQ042788", "Q", 11), ("1M8GDM9AXKP-42788", "-", 12),
                                         ("1M8GDM9AXKP0427粤8", "粤", 16)):
            params = self.assertVinError("characters", vin)
            self.assertEqual(params, {"vin": vin, "character": character, "position": position})
        self.assertEqual(self.assertVinError("characters", "1m8gdm9axkp04278o")["character"], "O")
        with self.assertRaises(VinError):
            vin_check_digit("1M8GDM9AXKP04278O")

    @PROPERTY_SETTINGS
    @given(st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=17, max_size=17),
           st.integers(0, 16), st.sampled_from("0123456789X"))
    def test_property_check_digit(self, vin, position, wrong):
        vin = vin[:8] + vin_check_digit(vin) + vin[9:]
        self.assertTrue(vin_check_digit_ok(vin))
        self.assertTrue(vin_check_digit_ok(vin.lower()))
        if wrong != vin[8]:
            self.assertFalse(vin_check_digit_ok(vin[:8] + wrong + vin[9:]))
        # The check digit does not depend on the 9th position (weight 0).
        self.assertEqual(vin_check_digit(vin[:8] + wrong + vin[9:]), vin[8])


@tagged("at_install", "-post_install")
class TestMobile(BaseCase):
    """Mainland mobile numbers: no database involved."""

    def assertMobileError(self, code, text):
        with self.assertRaises(MobileError) as caught:
            normalize_mobile(text)
        self.assertEqual(caught.exception.code, code)
        self.assertIn(code, MOBILE_ERROR_CODES)
        self.assertIsInstance(caught.exception, ValueError)
        return caught.exception.params

    def test_plain_and_separators(self):
        for text in ("13812345678", " 138 1234 5678 ", "138-1234-5678", "(138)12345678", "１３８１２３４５６７８"):
            self.assertEqual(normalize_mobile(text), "13812345678", text)
        for text in ("13012345678", "19912345678", "16612345678"):
            self.assertEqual(normalize_mobile(text), text)

    def test_country_prefix(self):
        for text in ("+8613812345678", "+86 138 1234 5678", "+86-138-1234-5678", "(+86) 13812345678",
                     "008613812345678", "0086 138 1234 5678", "8613812345678", "86 138 1234 5678",
                     "＋８６ １３８１２３４５６７８"):
            self.assertEqual(normalize_mobile(text), "13812345678", text)

    def test_empty(self):
        for text in ("", None, "   ", " - () "):
            self.assertEqual(self.assertMobileError("empty", text)["mobile"], "")

    def test_characters(self):
        self.assertEqual(self.assertMobileError("characters", "138.1234.5678"),
                         {"mobile": "138.1234.5678", "character": "."})
        self.assertEqual(self.assertMobileError("characters", "138+12345678")["character"], "+")
        self.assertEqual(self.assertMobileError("characters", "+")["character"], "+")
        self.assertEqual(self.assertMobileError("characters", "1381234567a")["character"], "a")
        self.assertEqual(self.assertMobileError("characters", "١٣٨١٢٣٤٥٦٧٨")["character"], "١")  # Arabic-Indic

    def test_length(self):
        self.assertEqual(self.assertMobileError("length", "1381234567"),
                         {"mobile": "1381234567", "length": 10, "expected": 11})
        self.assertEqual(self.assertMobileError("length", "138123456789")["length"], 12)
        self.assertEqual(self.assertMobileError("length", "+861381234567")["length"], 10)
        self.assertEqual(self.assertMobileError("length", "00861381234567")["length"], 10)
        self.assertEqual(self.assertMobileError("length", "+86")["length"], 0)
        # A bare 86 is a country code only before 11 digits starting with 1.
        self.assertEqual(self.assertMobileError("length", "861381234567")["length"], 12)
        self.assertEqual(self.assertMobileError("length", "86138123456789")["length"], 14)
        self.assertEqual(self.assertMobileError("length", "8623812345678")["length"], 13)

    def test_prefix(self):
        self.assertEqual(self.assertMobileError("prefix", "12812345678"),
                         {"mobile": "12812345678", "start": "12"})
        self.assertEqual(self.assertMobileError("prefix", "23812345678")["start"], "23")
        self.assertEqual(self.assertMobileError("prefix", "01012345678")["start"], "01")  # a landline
        self.assertEqual(self.assertMobileError("prefix", "+8612812345678")["start"], "12")
        self.assertEqual(self.assertMobileError("prefix", "+86 238 1234 5678")["start"], "23")
        self.assertEqual(self.assertMobileError("prefix", "+85291234567"), {"mobile": "+85291234567", "start": ""})
        self.assertEqual(self.assertMobileError("prefix", "+1 415 555 2671")["start"], "")
        self.assertEqual(self.assertMobileError("prefix", "0085291234567")["start"], "")

    @PROPERTY_SETTINGS
    @given(mobiles, st.sampled_from(["", "+86", "0086", "86", "+86 ", "(+86)"]),
           st.lists(st.sampled_from([" ", "-"]), max_size=3))
    def test_property_idempotent(self, mobile, prefix, separators):
        typed = prefix + mobile[:3] + "".join(separators) + mobile[3:]
        normalized = normalize_mobile(typed)
        self.assertEqual(normalized, mobile)
        self.assertEqual(normalize_mobile(normalized), normalized)

    @PROPERTY_SETTINGS
    @given(st.text(alphabet="+0123456789 -()", max_size=20))
    def test_property_result_or_coded_error(self, text):
        try:
            normalized = normalize_mobile(text)
        except MobileError as error:
            self.assertIn(error.code, MOBILE_ERROR_CODES)
        else:
            self.assertRegex(normalized, r"^1[3-9][0-9]{9}$")
            self.assertEqual(normalize_mobile(normalized), normalized)


@tagged("at_install", "-post_install")
class TestPin(BaseCase):
    """Card PIN format and hashing: no database involved."""

    def assertPinError(self, code, pin):
        with self.assertRaises(PinError) as caught:
            check_pin_format(pin)
        self.assertEqual(caught.exception.code, code)
        self.assertIn(code, PIN_ERROR_CODES)
        self.assertIsInstance(caught.exception, ValueError)
        with self.assertRaises(PinError):
            hash_pin(pin)
        return caught.exception.params

    def test_format(self):
        for pin in ("0000", "1234", "01234", "987654"):
            self.assertEqual(check_pin_format(pin), pin)

    def test_length(self):
        self.assertEqual(self.assertPinError("length", "123"), {"length": 3, "min": 4, "max": 6})
        self.assertEqual(self.assertPinError("length", "1234567")["length"], 7)
        self.assertEqual(self.assertPinError("length", "")["length"], 0)
        self.assertEqual(self.assertPinError("length", None)["length"], 0)
        self.assertEqual(self.assertPinError("length", "12 345 6")["length"], 8)

    def test_digits(self):
        for pin in ("12a4", "12 34", " 1234 ", "１２３４", "١٢٣٤", "-123", "12.5"):
            params = self.assertPinError("digits", pin)
            self.assertEqual(params, {"min": 4, "max": 6})  # the PIN is not in the params
        self.assertPinError("digits", 1234)  # not a text: leading zeros would be lost
        self.assertPinError("digits", b"1234")

    def test_hash_format(self):
        stored = hash_pin("1234")
        algorithm, iterations, salt, digest = stored.split("$")
        self.assertEqual(algorithm, "pbkdf2_sha256")
        self.assertEqual(int(iterations), ITERATIONS)
        self.assertEqual(ITERATIONS, 100_000)
        self.assertRegex(salt, r"^[0-9a-f]{32}$")
        self.assertRegex(digest, r"^[0-9a-f]{64}$")

    def test_round_trip_and_wrong_pin(self):
        stored = hash_pin("0123")
        self.assertTrue(verify_pin("0123", stored))
        for wrong in ("123", "1230", "01234", "0124", "", None, 123, " 0123"):
            self.assertFalse(verify_pin(wrong, stored), wrong)

    def test_salts_differ(self):
        first, second = hash_pin("4321"), hash_pin("4321")
        self.assertNotEqual(first, second)
        self.assertNotEqual(first.split("$")[2], second.split("$")[2])
        self.assertTrue(verify_pin("4321", first))
        self.assertTrue(verify_pin("4321", second))

    def test_known_hash(self):
        # Independent of hash_pin: PBKDF2-SHA256 of "1234", salt 16 zero bytes, 1000 iterations.
        digest = hashlib.pbkdf2_hmac("sha256", b"1234", bytes(16), 1000).hex()
        stored = f"pbkdf2_sha256$1000${'00' * 16}${digest}"
        self.assertTrue(verify_pin("1234", stored))
        self.assertFalse(verify_pin("1235", stored))

    def test_malformed_stored_value(self):
        stored = hash_pin("2468")
        algorithm, iterations, salt, digest = stored.split("$")
        for malformed in (
            None, False, 0, b"x", "", "2468", stored + "$", "$".join([algorithm, iterations, salt]),
            "$".join(["pbkdf2_sha1", iterations, salt, digest]),
            "$".join(["PBKDF2_SHA256", iterations, salt, digest]),
            "$".join([algorithm, "", salt, digest]),
            "$".join([algorithm, "0", salt, digest]),
            "$".join([algorithm, "-1", salt, digest]),
            "$".join([algorithm, "1e5", salt, digest]),
            "$".join([algorithm, "100_000", salt, digest]),
            "$".join([algorithm, "99999999999999999999", salt, digest]),  # would never finish
            "$".join([algorithm, iterations, "", digest]),
            "$".join([algorithm, iterations, salt[:-1], digest]),  # odd number of hex digits
            "$".join([algorithm, iterations, "zz" + salt[2:], digest]),
            "$".join([algorithm, iterations, salt, digest[:-2]]),  # 31 bytes
            "$".join([algorithm, iterations, salt, digest + "00"]),  # 33 bytes
            "$".join([algorithm, iterations, salt, digest.upper()]),
        ):
            self.assertFalse(verify_pin("2468", malformed), malformed)
        self.assertTrue(verify_pin("2468", stored))

    @PIN_PROPERTY_SETTINGS
    @given(pins, pins)
    def test_property_round_trip(self, pin, other):
        stored = hash_pin(pin)
        self.assertTrue(verify_pin(pin, stored))
        self.assertEqual(verify_pin(other, stored), other == pin)
