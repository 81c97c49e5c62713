from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..tools.posting import (Fact, LineSpec, PostingError, card_load_lines, component_difference, entry_lines,
                             order_lines, summarize)
from .test_posting_tools import as_dict, component

D = Decimal


@tagged("at_install", "-post_install")
class TestOrderLines(BaseCase):
    """The entries of orders no wallet paid, of card loads, and of wallet
    payments that settle an order's receivable."""

    def test_order_debits_the_receivable_with_the_gross_amount(self):
        lines = order_lines("order_receivable", (component("electricity", "7.00", 13), component("service", "3.00", 6)),
                            partner=7, key=42)
        self.assertEqual(as_dict(lines), {
            ("order_receivable", 7, 42): (D("10.00"), 0),
            ("revenue_electricity", 7, ("base", 13)): (D("-6.19"), 0),
            ("tax_electricity", 7, ("tax", 13)): (D("-0.81"), D("-6.19")),
            ("revenue_service", 7, ("base", 6)): (D("-2.83"), 0),
            ("tax_service", 7, ("tax", 6)): (D("-0.17"), D("-2.83")),
        })

    def test_card_order_debits_the_card_liability(self):
        lines = order_lines("card_liability", (component("occupancy", "4.40"),), partner=7)
        self.assertEqual(as_dict(lines), {("card_liability", 7, None): (D("4.40"), 0),
                                          ("revenue_occupancy", 7, None): (D("-4.40"), 0)})

    def test_a_lower_price_makes_the_opposite_entry(self):
        lines = order_lines("order_receivable", (component("electricity", "-2.00"), component("occupancy", "1.00")),
                            partner=7, key=42)
        self.assertEqual(as_dict(lines), {("order_receivable", 7, 42): (D("-1.00"), 0),
                                          ("revenue_electricity", 7, None): (D("2.00"), 0),
                                          ("revenue_occupancy", 7, None): (D("-1.00"), 0)})

    def test_order_lines_refuse_other_debit_roles(self):
        with self.assertRaises(PostingError) as caught:
            order_lines("cash_liability", (component("service", "1.00"),))
        self.assertEqual(caught.exception.code, "kind")

    def test_card_load_credits_the_card_liability(self):
        self.assertEqual(card_load_lines(D("100.00"), 7), [LineSpec("clearing", D("100.00"), 7),
                                                           LineSpec("card_liability", D("-100.00"), 7)])
        for amount in (D(0), D("-5")):
            with self.assertRaises(PostingError):
                card_load_lines(amount)

    def test_payment_of_a_booked_order_settles_its_receivable(self):
        fact = Fact("payment", withdrawable=D("-7.00"), gift=D("-3.00"), partner=7, settles=42)
        self.assertEqual(as_dict(entry_lines(fact)), {("cash_liability", 7, None): (D("7.00"), 0),
                                                      ("gift_liability", 7, None): (D("3.00"), 0),
                                                      ("order_receivable", 7, 42): (D("-10.00"), 0)})
        refund = Fact("reversal", withdrawable=D("7.00"), gift=D("3.00"), partner=7, settles=42)
        self.assertEqual(as_dict(entry_lines(refund)), {("cash_liability", 7, None): (D("-7.00"), 0),
                                                        ("gift_liability", 7, None): (D("-3.00"), 0),
                                                        ("order_receivable", 7, 42): (D("10.00"), 0)})

    def test_summary_keeps_each_orders_receivable(self):
        lines = [*entry_lines(Fact("payment", withdrawable=D("-4.00"), partner=7, settles=1)),
                 *entry_lines(Fact("payment", withdrawable=D("-6.00"), partner=7, settles=2))]
        self.assertEqual(as_dict(summarize(lines)), {("cash_liability", None, None): (D("10.00"), 0),
                                                     ("order_receivable", 7, 1): (D("-4.00"), 0),
                                                     ("order_receivable", 7, 2): (D("-6.00"), 0)})

    def test_component_difference(self):
        booked = {"electricity": D("7.00"), "service": D("3.00")}
        self.assertEqual(component_difference(booked, {"electricity": D("5.00"), "service": D("3.00"),
                                                       "occupancy": D("1.00")}),
                         {"electricity": D("-2.00"), "occupancy": D("1.00")})
        self.assertEqual(component_difference(booked, {}), {"electricity": D("-7.00"), "service": D("-3.00")})
        self.assertEqual(component_difference(booked, dict(booked)), {})
