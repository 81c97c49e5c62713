from decimal import Decimal as D

from odoo.tests import BaseCase, tagged

from ..tools.amounts import NOT_NEGATIVE, NOT_ZERO, POSITIVE, AmountError, entered_amount


@tagged("at_install", "-post_install")
class TestEnteredAmount(BaseCase):
    """Amounts typed by users: exact, signed as the operation needs, bounded; never rounded."""

    def assertRefused(self, code, value, **kwargs):
        with self.assertRaises(AmountError) as caught:
            entered_amount(value, **kwargs)
        self.assertEqual(caught.exception.code, code, f"{value!r} {kwargs}")
        return caught.exception

    def test_exact_amounts_pass_unchanged(self):
        self.assertEqual(entered_amount(12.5), D("12.50"))
        self.assertEqual(entered_amount(0.1), D("0.10"))
        self.assertEqual(entered_amount("1234.56"), D("1234.56"))
        self.assertEqual(entered_amount(1e12), D("1000000000000.00"))
        self.assertEqual(entered_amount(12.345, digits=3), D("12.345"))
        self.assertEqual(entered_amount(7, digits=0), D("7"))

    def test_more_decimals_are_refused_not_rounded(self):
        for value in (0.005, 1234.567, "0.001", D("10.999"), -0.005):
            error = self.assertRefused("digits", value, sign=NOT_ZERO)
            self.assertEqual(error.params["digits"], 2)
        self.assertRefused("digits", 1.5, digits=0)

    def test_signs(self):
        self.assertRefused("not_positive", 0)
        self.assertRefused("not_positive", -3)
        self.assertRefused("not_positive", None)
        self.assertEqual(entered_amount(0, sign=NOT_NEGATIVE), D("0.00"))
        self.assertRefused("negative", -0.01, sign=NOT_NEGATIVE)
        self.assertEqual(entered_amount(-2, sign=NOT_ZERO), D("-2.00"))
        self.assertRefused("zero", 0.0, sign=NOT_ZERO)
        with self.assertRaises(ValueError):
            entered_amount(1, sign="whatever")

    def test_maximum_bounds_the_absolute_value(self):
        self.assertEqual(entered_amount(50000, maximum=50000), D("50000.00"))
        error = self.assertRefused("maximum", 50000.01, maximum=50000)
        self.assertEqual(error.params, {"amount": "50000.01", "maximum": "50000.00"})
        self.assertRefused("maximum", -50000.01, sign=NOT_ZERO, maximum=50000)
        self.assertRefused("maximum", 1e12, sign=POSITIVE, maximum=D("50000"))
        self.assertRefused("maximum", 1e40, maximum=50000)

    def test_not_a_number(self):
        for value in ("abc", float("nan"), float("inf")):
            self.assertRefused("number", value)
