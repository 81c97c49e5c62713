from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..tools import wallet_math
from ..tools.wallet_math import (
    CASH_FIRST, GIFT_FIRST, Balance, Movement, WalletError, adjustment, fee, gift, money, payment, recharge,
    reversal,
)

amounts = st.decimals(min_value=D("0.01"), max_value=D("1000"), places=2)


@tagged("at_install", "-post_install")
class TestWalletMath(BaseCase):
    """Which bucket pays, without the database."""

    def test_cash_first_spends_on_account_then_withdrawable_then_gift_then_credit(self):
        balance = Balance(withdrawable=D("30"), on_account=D("20"), gift=D("10"))
        self.assertEqual(payment(balance, D("25")), Movement(D("-5"), D("-20"), D("0")))
        self.assertEqual(payment(balance, D("55")), Movement(D("-30"), D("-20"), D("-5")))
        # 10 more than the balance: on credit, on the on-account bucket
        self.assertEqual(payment(balance, D("70"), credit_limit=D("10")), Movement(D("-30"), D("-30"), D("-10")))

    def test_gift_first(self):
        balance = Balance(withdrawable=D("30"), gift=D("10"))
        self.assertEqual(payment(balance, D("15"), priority=GIFT_FIRST), Movement(D("-5"), D("0"), D("-10")))

    def test_a_payment_beyond_balance_and_credit_is_refused_whole(self):
        with self.assertRaises(WalletError) as caught:
            payment(Balance(withdrawable=D("5")), D("15.01"), credit_limit=D("10"))
        self.assertEqual(caught.exception.code, "insufficient")
        self.assertEqual(caught.exception.params["available"], "15")

    def test_credit_already_used_is_not_spent_again(self):
        balance = Balance(on_account=D("-8"))
        self.assertEqual(payment(balance, D("2"), credit_limit=D("10")), Movement(D("0"), D("-2"), D("0")))
        with self.assertRaises(WalletError):
            payment(balance, D("2.01"), credit_limit=D("10"))

    def test_recharges_and_gifts(self):
        self.assertEqual(recharge(D("50")), Movement(withdrawable=D("50")))
        self.assertEqual(recharge(D("50"), on_account=True), Movement(on_account=D("50")))
        self.assertEqual(gift(D("5")), Movement(gift=D("5")))
        for bad, code in ((D("0"), "zero"), (D("-1"), "negative")):
            with self.assertRaises(WalletError) as caught:
                recharge(bad)
            self.assertEqual(caught.exception.code, code)

    def test_on_account_money_leaves_only_when_allowed_and_after_the_withdrawable(self):
        balance = Balance(D("30"), D("50"), D("20"))
        self.assertEqual(wallet_math.cash_out(balance, D("70"), on_account=True),
                         Movement(withdrawable=D("-30"), on_account=D("-40")))
        with self.assertRaises(WalletError):
            wallet_math.cash_out(balance, D("80.01"), on_account=True)
        with self.assertRaises(WalletError):
            wallet_math.cash_out(Balance(D("30"), D("-10"), D("0")), D("30.01"), on_account=True)

    def test_adjustments(self):
        balance = Balance(withdrawable=D("10"), on_account=D("2"), gift=D("3"))
        self.assertEqual(adjustment(balance, D("-2")), Movement(D("0"), D("-2"), D("0")))
        self.assertEqual(adjustment(balance, D("-5")), Movement(D("-3"), D("-2"), D("0")))
        self.assertEqual(adjustment(balance, D("4")), Movement(on_account=D("4")))
        self.assertEqual(adjustment(balance, D("-3"), "gift"), Movement(gift=D("-3")))
        with self.assertRaises(WalletError) as caught:
            adjustment(balance, D("-12.01"))
        self.assertEqual(caught.exception.code, "cash_short")
        with self.assertRaises(WalletError) as caught:
            adjustment(balance, D("-4"), "gift")
        self.assertEqual(caught.exception.code, "gift_negative")

    def test_cash_debit_stays_within_the_buckets_floors(self):
        # withdrawable 8, on-account -5 (a debt), no credit: the cash can give 3, not 8
        indebted = Balance(withdrawable=D("8"), on_account=D("-5"))
        for amount in (D("-8"), D("-3.01")):
            with self.assertRaises(WalletError) as caught:
                adjustment(indebted, amount)
            self.assertEqual((caught.exception.code, caught.exception.params["cash"]), ("cash_short", "3"))
        self.assertEqual(adjustment(indebted, D("-3")), Movement(withdrawable=D("-3")))
        # with a credit limit of 10 the on-account bucket may go down to -10: 8 + (-5 + 10) = 13
        self.assertEqual(adjustment(indebted, D("-13"), credit_limit=D("10")),
                         Movement(withdrawable=D("-8"), on_account=D("-5")))
        with self.assertRaises(WalletError):
            adjustment(indebted, D("-13.01"), credit_limit=D("10"))
        # positive on-account money first, then withdrawable, then credit
        self.assertEqual(adjustment(Balance(withdrawable=D("4"), on_account=D("2")), D("-7"), credit_limit=D("1")),
                         Movement(withdrawable=D("-4"), on_account=D("-3")))
        # a debt beyond the credit limit (the limit was lowered): nothing can be taken
        with self.assertRaises(WalletError):
            adjustment(Balance(withdrawable=D("0"), on_account=D("-5")), D("-0.01"), credit_limit=D("2"))

    def test_fee_never_uses_gift_money(self):
        with self.assertRaises(WalletError):
            fee(Balance(gift=D("50")), D("10"))
        self.assertEqual(fee(Balance(withdrawable=D("10"), gift=D("5")), D("10")), Movement(withdrawable=D("-10")))

    def test_floors(self):
        with self.assertRaises(WalletError) as caught:
            Balance(withdrawable=D("1")).apply(Movement(withdrawable=D("-2")))
        self.assertEqual(caught.exception.code, "withdrawable_negative")

    def test_money_refuses_extra_decimals(self):
        self.assertEqual(money("12.5"), D("12.50"))
        with self.assertRaises(WalletError) as caught:
            money("0.001")
        self.assertEqual(caught.exception.code, "digits")

    @settings(max_examples=300, deadline=None)
    @given(withdrawable=amounts, on_account=st.decimals(min_value=D("-50"), max_value=D("100"), places=2),
           gift_money=amounts, credit=st.decimals(min_value=D("0"), max_value=D("100"), places=2),
           amount=st.decimals(min_value=D("0"), max_value=D("1500"), places=2),
           priority=st.sampled_from((CASH_FIRST, GIFT_FIRST)))
    def test_payment_properties(self, withdrawable, on_account, gift_money, credit, amount, priority):
        """A payment takes exactly the amount, never leaves a bucket below its
        floor, and its reversal restores the balance exactly."""
        balance = Balance(withdrawable, on_account, gift_money)
        if on_account < -credit:
            return
        try:
            paid = payment(balance, amount, credit, priority)
        except WalletError as error:
            self.assertEqual(error.code, "insufficient")
            self.assertGreater(amount, balance.available(credit))
            return
        self.assertEqual(-paid.total, amount)
        after = balance.apply(paid)
        self.assertGreaterEqual(after.on_account, min(-credit, balance.on_account))
        self.assertGreaterEqual(after.withdrawable, 0)
        self.assertGreaterEqual(after.gift, 0)
        self.assertTrue(all(part <= 0 for part in (paid.withdrawable, paid.on_account, paid.gift)))
        self.assertEqual(after.apply(reversal(paid)), balance)
        # credit is used only when the money is gone
        if after.on_account < 0 and after.on_account < balance.on_account:
            self.assertEqual((after.withdrawable, after.gift), (0, 0))


@tagged("at_install", "-post_install")
class TestCashOut(BaseCase):
    """Withdrawable cash leaving a wallet: never on-account nor gift money."""

    def test_only_withdrawable_cash_leaves(self):
        balance = Balance(D("30"), D("50"), D("20"))
        self.assertEqual(wallet_math.cash_out(balance, D("30")), Movement(withdrawable=D("-30")))
        for amount, code in ((D("30.01"), "not_withdrawable"), (D("0"), "zero"), (D("-1"), "negative")):
            with self.subTest(amount=amount), self.assertRaises(WalletError) as caught:
                wallet_math.cash_out(balance, amount)
            self.assertEqual(caught.exception.code, code)
