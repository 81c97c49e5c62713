from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..tools.withdrawal_rules import WithdrawalRuleError, automatic, check_request, fee

D = Decimal


@tagged("post_install", "-at_install")
class TestWithdrawalRules(BaseCase):
    """tools/withdrawal_rules.py: fees, minimum, automatic processing."""

    def code(self, call, *args, **kwargs):
        with self.assertRaises(WithdrawalRuleError) as caught:
            call(*args, **kwargs)
        return caught.exception.code

    def test_fee_rounds_half_up_to_the_cent(self):
        self.assertEqual(fee(D("100"), 0.6), D("0.60"))
        self.assertEqual(fee(D("0.75"), 1), D("0.01"), "0.0075 rounds up")
        self.assertEqual(fee(D("0.74"), 1), D("0.01"))
        self.assertEqual(fee(D("0.49"), 1), D("0.00"))
        self.assertEqual(fee(D("50"), 0), D("0.00"))
        self.assertEqual(self.code(fee, D("50"), 100), "rate")
        self.assertEqual(self.code(fee, D("50"), -1), "rate")

    def test_requests(self):
        self.assertEqual(check_request(D("10"), D("10")), D("10"))
        self.assertEqual(self.code(check_request, D("9.99"), D("10")), "minimum")
        self.assertEqual(self.code(check_request, D("0"), D("0")), "minimum")
        self.assertEqual(self.code(check_request, D("10.001"), D("1")), "precision")
        self.assertEqual(self.code(check_request, D("10"), D("1"), enabled=False), "disabled")

    def test_automatic_processing_within_the_limits(self):
        self.assertTrue(automatic(D("500"), True, D("500"), 0, 1))
        self.assertFalse(automatic(D("500.01"), True, D("500"), 0, 1), "above the single maximum")
        self.assertFalse(automatic(D("10"), True, D("500"), 1, 1), "the day's count reached")
        self.assertFalse(automatic(D("10"), False, D("500"), 0, 1), "automatic processing off")
