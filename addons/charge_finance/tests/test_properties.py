from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChargeFinanceCase

# payments and reversals drawn more often: they are what the posting splits most
KINDS = ("recharge", "gift", "payment", "payment", "payment", "reversal", "reversal", "adjustment", "card_fee")
# (kind, wallet index, amount in fen, a flag: on account / gift bucket, a split of the order / sign)
operations = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 2), st.integers(1, 10_000), st.booleans(),
              st.lists(st.integers(0, 100), min_size=4, max_size=4)),
    min_size=1, max_size=12)
# what each wallet holds first, in fen: paid cash, cash on account, gift money
fundings = st.lists(st.tuples(st.integers(0, 20_000), st.integers(0, 20_000), st.integers(0, 5_000)),
                    min_size=3, max_size=3)


@tagged("post_install", "-at_install")
class TestPostingInvariants(ChargeFinanceCase):
    """Random money movements on two members' and a group's wallets, posted
    per document or by the daily summary: the wallets are the sums of their
    ledgers, and the liability accounts hold what the wallets hold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.charge_card_fee = 15.0
        cls.cards = [cls.env["charge.card"].create({"name": f"PROP{index}", "partner_id": partner.id,
                                                    "company_id": cls.company.id})
                     for index, partner in enumerate((cls.li, cls.wang))]
        cls.cards.append(cls.env["charge.card"].create({"name": "PROPFLEET", "group_id": cls.fleet.id,
                                                        "company_id": cls.company.id}))

    def apply(self, operation, wallets, paid):
        """Run one operation; what the wallet refuses (not enough money...) is skipped."""
        kind, index, fen, flag, split = operation
        wallet, amount = wallets[index], fen / 100
        if kind == "recharge":
            wallet._recharge(amount, on_account=flag)
        elif kind == "gift":
            wallet._gift(amount)
        elif kind == "adjustment":
            wallet._adjust(-amount if split[0] % 2 else amount, bucket="gift" if flag else "cash", note="property")
        elif kind == "card_fee":
            self.cards[index]._take_fee()
        elif kind == "payment":
            weights = [weight or 0 for weight in split]
            parts = [fen * weight // (sum(weights) or 1) for weight in weights]
            parts[0] += fen - sum(parts)
            names = ("electricity", "service", "reservation", "occupancy")
            order = self.make_order(wallet, **{name: part / 100 for name, part in zip(names, parts)})
            if order._pay_from_wallet():
                paid.append(order)
        elif paid:
            paid.pop(index % len(paid))._reverse_payment("property")

    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mode=st.sampled_from(("document", "daily")), funding=fundings, steps=operations)
    def test_liability_accounts_hold_what_the_wallets_hold(self, mode, funding, steps):
        with self.env.cr.savepoint() as example:
            self.company.charge_posting_mode = mode
            wallets, paid = [self.li_wallet, self.wang_wallet, self.fleet_wallet], []
            for wallet, (paid_in, on_account, gift) in zip(wallets, funding):
                for amount, method in ((paid_in, wallet._recharge), (gift, wallet._gift)):
                    if amount:
                        method(amount / 100)
                if on_account:
                    wallet._recharge(on_account / 100, on_account=True)
            for step in steps:
                try:
                    with self.env.cr.savepoint():
                        self.apply(step, wallets, paid)
                except UserError:
                    paid = [order for order in paid if order.exists() and order.payment_state == "paid"]
            lines = self.env["charge.wallet.transaction"].search([("company_id", "=", self.company.id)])
            if mode == "daily":
                self.assertFalse(lines.filtered("posted"), "the daily mode posts nothing by itself")
                self.env["charge.wallet.transaction"]._cron_post_daily_summary(up_to=datetime(2100, 1, 1))
            self.assertTrue(all(lines.mapped("posted")))
            for wallet in wallets:
                ledger = wallet.transaction_ids
                self.assertAlmostEqual(wallet.cash_balance, sum(ledger.mapped("cash_amount")), places=2)
                self.assertAlmostEqual(wallet.gift_balance, sum(ledger.mapped("gift_amount")), places=2)
            cash, gift = self.wallet_totals()
            self.assertEqual(self.gl_balance(self.accounts["cash_liability"]), cash)
            self.assertEqual(self.gl_balance(self.accounts["gift_liability"]), gift)
            self.assertEqual({bucket: row[3] for bucket, row in self.reconciliation().items()},
                             {"cash": 0.0, "gift": 0.0})
            example.rollback()
