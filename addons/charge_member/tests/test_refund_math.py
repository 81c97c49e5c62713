from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..tools.refund_math import RefundError, split

D = Decimal
CENTS = st.integers(min_value=0, max_value=10_000_000).map(lambda cents: D(cents) / 100)


@tagged("post_install", "-at_install")
class TestRefundSplit(BaseCase):
    """tools/refund_math.py: a partial refund over the fee components."""

    def test_shares_follow_the_components_and_add_up(self):
        self.assertEqual(split(D("10"), {"electricity": D("60"), "service": D("40")}),
                         {"electricity": D("6.00"), "service": D("4.00")})
        # 10 over three equal components: 3.33 each and the cent left to one of them
        shares = split(D("10"), {"electricity": D("5"), "service": D("5"), "occupancy": D("5")})
        self.assertEqual(sum(shares.values()), D("10"))
        self.assertEqual(sorted(shares.values()), [D("3.33"), D("3.33"), D("3.34")])
        self.assertEqual(split(D("12.50"), {"electricity": D("12.50"), "service": D("0")}),
                         {"electricity": D("12.50")}, "the whole of what is held")

    def test_refusals(self):
        for amount, held, code in ((D("0"), {"service": D("5")}, "not_positive"),
                                   (D("-1"), {"service": D("5")}, "not_positive"),
                                   (D("5.01"), {"service": D("5")}, "above_paid"),
                                   (D("1"), {}, "above_paid")):
            with self.subTest(amount=amount), self.assertRaises(RefundError) as caught:
                split(amount, held)
            self.assertEqual(caught.exception.code, code)

    @settings(max_examples=300, deadline=None, derandomize=True, database=None)
    @given(held=st.dictionaries(st.sampled_from(["electricity", "service", "reservation", "occupancy"]), CENTS,
                                min_size=1), share=st.floats(min_value=0.0001, max_value=1.0))
    def test_shares_never_exceed_what_each_component_holds(self, held, share):
        total = sum(held.values(), D(0))
        amount = (total * D(str(share))).quantize(D("0.01"))
        if amount <= 0:
            return
        shares = split(amount, held)
        self.assertEqual(sum(shares.values(), D(0)), amount)
        for name, value in shares.items():
            self.assertLessEqual(value, held[name])
            self.assertGreater(value, 0)
