from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..tools.allocation import split_quantity

D = Decimal


@tagged("at_install", "-post_install")
class TestAllocation(BaseCase):

    def test_parts_add_up_exactly_on_the_step(self):
        parts = split_quantity(D("10.000"), [D(1), D(1), D(1)], D("0.001"))
        self.assertEqual(parts, [D("3.334"), D("3.333"), D("3.333")])
        self.assertEqual(sum(parts), D("10.000"))

    def test_proportions_and_zero_weights(self):
        self.assertEqual(split_quantity(D("60"), [D(0), D(15), D(0), D(45)], D("0.001")),
                         [D(0), D("15.000"), D(0), D("45.000")])
        self.assertEqual(split_quantity(D("5"), [D(0), D(0)], D("0.001")), [D(5), D(0)])
        self.assertEqual(split_quantity(D("5"), [], D("0.001")), [])
