from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..tools.online_recharge import RechargeRuleError, check_amount, check_settings, parse_presets

D = Decimal


@tagged("post_install", "-at_install")
class TestOnlineRechargeRules(BaseCase):
    """tools/online_recharge.py: the preset amounts and the bounds of a recharge."""

    def code(self, call, *args):
        with self.assertRaises(RechargeRuleError) as caught:
            call(*args)
        return caught.exception.code

    def test_presets_are_read_as_typed(self):
        self.assertEqual(parse_presets("50, 100,200 500"), [D(50), D(100), D(200), D(500)])
        self.assertEqual(parse_presets("50，100，50"), [D(50), D(100)], "Chinese commas; repeats dropped")
        self.assertEqual(parse_presets(""), [])
        self.assertEqual(parse_presets(None), [])
        for text in ("50, abc", "0", "-5", "NaN", "inf", "1e400x"):
            with self.subTest(text=text):
                self.assertEqual(self.code(parse_presets, text), "presets")

    def test_amounts_lie_between_the_bounds_with_the_currencys_decimals(self):
        self.assertEqual(check_amount(D("1"), D("1"), D("5000")), D("1"))
        self.assertEqual(check_amount(D("5000.00"), D("1"), D("5000")), D("5000"))
        self.assertEqual(self.code(check_amount, D("0.99"), D("1"), D("5000")), "below")
        self.assertEqual(self.code(check_amount, D("5000.01"), D("1"), D("5000")), "above")
        self.assertEqual(self.code(check_amount, D("1.001"), D("1"), D("5000")), "precision")
        self.assertEqual(self.code(check_amount, D("1.5"), D("1"), D("5000"), 0), "precision", "a currency without cents")

    def test_settings_hold_together(self):
        check_settings([D(50), D(100)], D(100), D(1), D(5000))
        check_settings([], D(0), D(1), D(1))
        self.assertEqual(self.code(check_settings, [], D(0), D(0), D(10)), "minimum")
        self.assertEqual(self.code(check_settings, [], D(0), D(10), D(5)), "bounds")
        self.assertEqual(self.code(check_settings, [D(50)], D(6000), D(1), D(5000)), "default")
        self.assertEqual(self.code(check_settings, [D(9000)], D(50), D(1), D(5000)), "above")
