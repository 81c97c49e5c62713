from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ChargeMemberCase


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestBatchPayment(ChargeMemberCase):
    """Orders paid together (a batch of StopTransactions): each wallet is
    locked and read once, the payment lines are written by one call, numbered
    in a row, each with the balance after the ones before it, and an order
    its wallet cannot pay after the ones before it stays unpaid."""

    def order(self, wallet, amount):
        order = self.env["charge.order"].create({
            "pile_id": self.pile.id, "connector_id": self.connector1.id,
            "partner_id": (wallet.partner_id or self.wang).id})
        order.sudo().write({"amount_electricity": amount, "amount_total": amount, "state": "completed",
                            "wallet_id": wallet.id, "payment_state": "to_pay"})
        return order

    def test_orders_are_paid_together_in_their_order(self):
        orders = (self.order(self.li_wallet, 40) | self.order(self.fleet_wallet, 30)
                  | self.order(self.li_wallet, 50) | self.order(self.li_wallet, 20))
        Line = type(self.env["charge.wallet.transaction"])
        create = Line._create_with_balances
        calls = []

        def counting(records, vals_list, balances):
            calls.append(len(vals_list))
            return create(records, vals_list, balances)

        with patch.object(Line, "_create_with_balances", counting):
            paid = orders._pay_from_wallet()
        self.assertEqual(calls, [3], "one call writes the three payment lines")
        self.assertEqual(paid, orders[:3])
        self.assertEqual(orders.mapped("payment_state"), ["paid", "paid", "paid", "unpaid"],
                         "Li's 100 pay 40 and 50; the 10 left do not pay 20")
        lines = orders[:3].wallet_transaction_ids.sorted("id")
        self.assertEqual(lines.mapped("order_id"), orders[:3])
        self.assertEqual(lines.mapped("balance_after"), [60.0, 470.0, 10.0])
        numbers = [int(name[-6:]) for name in lines.mapped("name")]
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 3)), "numbered in a row")
        self.assertEqual((self.li_wallet.balance, self.fleet_wallet.balance), (10.0, 470.0))
        self.assertFalse(orders[3].wallet_transaction_ids)
        self.assertIn("Unpaid", orders[3].message_ids[0].body)
