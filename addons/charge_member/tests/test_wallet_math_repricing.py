from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..tools.wallet_math import CASH_FIRST, GIFT_FIRST, Balance, Movement, WalletError, payment, repricing_refund

amounts = st.decimals(min_value=D("0"), max_value=D("500"), places=2)


@tagged("at_install", "-post_install")
class TestRepricingRefund(BaseCase):
    """What a paid order gives back when its price goes down, without the database."""

    def test_the_buckets_taken_last_come_back_first(self):
        paid = Movement(D("-10"), D("-5"), D("-6.05"))      # 21.05
        # cash first: the on-account money paid first, so it is what the order keeps
        self.assertEqual(repricing_refund(paid, D("2"), CASH_FIRST), Movement(D("10"), D("3"), D("6.05")))
        # gift first: the gift paid first, it is kept
        self.assertEqual(repricing_refund(paid, D("2"), GIFT_FIRST), Movement(D("10"), D("5"), D("4.05")))
        self.assertEqual(repricing_refund(paid, D("0"), CASH_FIRST), -paid)

    def test_only_a_lower_price_is_refunded(self):
        paid = Movement(D("-10"), D("0"), D("0"))
        for amount in (D("10"), D("12"), D("-1")):
            with self.subTest(amount=amount), self.assertRaises(WalletError):
                repricing_refund(paid, amount)

    @settings(max_examples=200, deadline=None)
    @given(withdrawable=amounts, on_account=amounts, gift_money=amounts, credit=amounts, price=amounts,
           new_price=amounts, priority=st.sampled_from((CASH_FIRST, GIFT_FIRST)))
    def test_what_is_kept_is_what_the_new_price_would_have_taken(self, withdrawable, on_account, gift_money, credit,
                                                                 price, new_price, priority):
        balance = Balance(withdrawable, on_account, gift_money)
        if price > balance.available(credit) or new_price >= price:
            return
        paid = payment(balance, price, credit, priority)
        refund = repricing_refund(paid, new_price, priority)
        kept = paid + refund
        self.assertEqual(-kept.total, new_price)
        for bucket in ("withdrawable", "on_account", "gift"):
            # never more back than the bucket paid, never a bucket taken from
            self.assertGreaterEqual(getattr(refund, bucket), 0)
            self.assertLessEqual(getattr(kept, bucket), 0)
        balance.apply(paid).apply(refund)   # within the floors
