from collections import Counter
from datetime import datetime

from odoo.tests import tagged

from .common import ChargeFinanceCase


@tagged("post_install", "-at_install")
class TestRepricedOrderPosting(ChargeFinanceCase):
    """A paid order handled again at a new price: the wallet lines that settle
    the difference post the fee components they move, per document and in
    the daily summary, and a later reversal posts what is still paid."""

    def reprice(self, order, **figures):
        order.action_mark_abnormal()
        self.env["charge.order.handle"].with_user(self.manager).with_context(default_order_id=order.id).create(
            {"method": "adjust", "note": "agreed with the driver", **figures}).action_confirm()
        self.assertEqual(order.state, "completed")

    def sum_entries(self, moves):
        totals = Counter()
        for move in moves:
            totals.update(self.by_account(move))
        return {code: round(amount, 2) for code, amount in totals.items() if round(amount, 2)}

    def test_per_document_the_difference_and_the_reversal_are_posted(self):
        self.li_wallet._recharge(50)
        order = self.pay(self.li_wallet, electricity=7.0, service=6.0)
        self.reprice(order, amount_electricity=1.5, amount_service=0.5)
        payment, refund = order.wallet_transaction_ids.sorted("id")
        self.assertEqual((refund.type, refund.amount), ("reversal", 11.0))
        # the refund's entry is the mirror of a payment of the components it gives back
        mirror = self.pay(self.li_wallet, electricity=5.5, service=5.5).wallet_transaction_ids
        self.assertEqual(self.by_account(self.entry(refund)),
                         {code: -amount for code, amount in self.by_account(self.entry(mirror)).items()})
        reversal = order._reverse_payment("customer complaint")
        self.assertEqual(reversal.amount, 2.0)
        totals = self.sum_entries(self.entry(line) for line in (payment, refund, reversal))
        # a paid, re-priced, then reversed order leaves nothing in the wallet liability, and its revenue and
        # output tax cancel out but for the rounding of each entry's VAT split
        self.assertNotIn(self.accounts["cash_liability"].code, totals)
        self.assertEqual(round(sum(totals.values()), 2), 0.0)
        self.assertLessEqual(max(map(abs, totals.values()), default=0), 0.01)

    def test_in_the_daily_summary_a_higher_price_is_posted(self):
        self.company.charge_posting_mode = "daily"
        self.li_wallet._recharge(50)
        order = self.pay(self.li_wallet, electricity=7.0, service=6.0)
        self.reprice(order, amount_electricity=12.0, amount_service=8.0)
        lines = order.wallet_transaction_ids
        self.assertEqual(sorted(lines.mapped("amount")), [-13.0, -7.0])
        self.env["charge.wallet.transaction"]._charge_post_pending(self.company, up_to=datetime(2100, 1, 1))
        move = lines.sudo().move_ids
        self.assertEqual((len(move), move.state), (1, "posted"))
        revenue = {name: self.accounts[f"revenue_{name}"].code for name in ("electricity", "service")}
        totals = self.by_account(move)
        # the recharge of 50 less the 20.00 of fees (13 % VAT on 7 + 5 of electricity, 6 % on 6 + 2 of service)
        self.assertEqual(totals[self.accounts["cash_liability"].code], -30.0)
        self.assertEqual((totals[revenue["electricity"]], totals[revenue["service"]]), (-10.61, -7.55))
