import random
from datetime import datetime

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChargeFinanceCase

COMPONENTS = ("electricity", "service", "reservation", "occupancy")
CARD_FEE = 1500  # fen
# kinds the workload means to go through (each may still be refused, when the model says so) ...
MEANT = ("recharge", "gift", "adjustment", "card_fee", "payment", "settlement", "reversal")
# ... and the double payments and double reversals, which must always be refused
DOUBLES = ("double_payment", "double_reversal")
WEIGHTS = {"recharge": 3, "gift": 1, "adjustment": 3, "card_fee": 1, "payment": 6, "settlement": 1,
           "reversal": 2, "double_payment": 1, "double_reversal": 1}
# (posting mode, which balance pays first, seed, steps): both posting modes, both priorities; fewer steps per
# document, where each ledger line creates its journal entry at once
RUNS = (("document", "cash", 11, 120), ("document", "gift", 13, 80), ("daily", "gift", 12, 300),
        ("daily", "cash", 14, 200))


class ExpectedWallet:
    """What the test expects one wallet to hold, in fen, computed here from
    the operations that went through with the rules charge_member documents
    (readme/DESCRIPTION.md), not with the code under test.

    A recharge fills the withdrawable bucket (paid) or the on-account one; a
    gift the gift bucket; a cash credit adjustment is on-account money. A
    debit takes the positive on-account money first, then the withdrawable
    cash, then (for an order, unless the gift pays first) the gift, and puts
    the rest on credit in the on-account bucket; a debit larger than the
    cash (and gift, for an order) plus the credit limit is refused whole.
    A reversal gives back exactly what the payment took."""

    def __init__(self, credit=0):
        self.withdrawable = self.on_account = self.gift = 0
        self.credit = credit

    def buckets(self):
        return (self.withdrawable, self.on_account, self.gift)

    def add(self, movement):
        self.withdrawable += movement[0]
        self.on_account += movement[1]
        self.gift += movement[2]

    def debit(self, amount, with_gift=True, gift_first=False):
        """The movement taking ``amount``, or None when the wallet must refuse it."""
        gift_held = self.gift if with_gift else 0
        if amount > self.withdrawable + self.on_account + gift_held + self.credit:
            return None
        gift = min(amount, gift_held) if gift_first else 0
        from_account = min(amount - gift, max(self.on_account, 0))
        withdrawable = min(amount - gift - from_account, self.withdrawable)
        if not gift_first:
            gift = min(amount - from_account - withdrawable, gift_held)
        on_credit = amount - gift - from_account - withdrawable
        return (-withdrawable, -(from_account + on_credit), -gift)


@tagged("post_install", "-at_install")
class TestRandomWorkload(ChargeFinanceCase):
    """A seeded random workload on two members' wallets and a group's (with
    credit limits 0, 20 and 50): recharges (paid and on account), gifts,
    cash and gift adjustments both ways, card fees, order payments,
    settlements of unpaid orders, reversals, and double payments and double
    reversals. The test keeps its own account of what each wallet must hold
    and of what each operation must do; the wallets, the orders and the
    general ledger's liability accounts must agree with it, per document and
    in daily summaries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.charge_card_fee = CARD_FEE / 100
        cls.wang_wallet.sudo().credit_limit = 20
        cls.fleet_wallet.sudo().credit_limit = 50
        cls.cards = [cls.env["charge.card"].create({"name": f"PROP{index}", "partner_id": partner.id,
                                                    "company_id": cls.company.id})
                     for index, partner in enumerate((cls.li, cls.wang))]
        cls.cards.append(cls.env["charge.card"].create({"name": "PROPFLEET", "group_id": cls.fleet.id,
                                                        "company_id": cls.company.id}))

    def test_wallets_and_general_ledger_follow_the_workload(self):
        for mode, priority, seed, steps in RUNS:
            with self.subTest(mode=mode, priority=priority, seed=seed), self.env.cr.savepoint() as run:
                self.run_workload(mode, priority, random.Random(seed), steps)
                run.rollback()

    # the workload -----------------------------------------------------------------------------------

    def run_workload(self, mode, priority, rng, steps):
        self.company.write({"charge_posting_mode": mode, "charge_wallet_priority": priority})
        wallets = [self.li_wallet, self.wang_wallet, self.fleet_wallet]
        self.assertFalse(wallets[0].transaction_ids | wallets[1].transaction_ids | wallets[2].transaction_ids)
        expected = [ExpectedWallet(0), ExpectedWallet(2000), ExpectedWallet(5000)]
        cash_account = self.company.charge_cash_liability_account_id
        gift_account = self.company.charge_gift_liability_account_id
        gl_before = (self.gl_balance(cash_account), self.gl_balance(gift_account))
        # per order: [wallet index, expected payment state, what its payment took]
        orders = {}
        counts = {kind: [0, 0] for kind in (*MEANT, *DOUBLES)}  # kind: [tried, went through]
        for step in range(steps):
            # the first steps fund each wallet, then anything goes
            kind = "recharge" if step < len(wallets) else self.pick_kind(rng, orders)
            index = step if step < len(wallets) else rng.randrange(len(wallets))
            label, went_through, predicted, target = self.apply(kind, index, rng, wallets, expected, orders,
                                                                gift_first=priority == "gift")
            index = orders[target][0] if target else index
            self.assertEqual(went_through, predicted is not None,
                             f"step {step}: {label} {'went through' if went_through else 'was refused'}, "
                             f"the wallet held {expected[index].buckets()} fen")
            counts[kind][0] += 1
            if went_through:
                counts[kind][1] += 1
                movement, order_state = predicted
                expected[index].add(movement)
                if target:
                    orders[target][1] = order_state
                    orders[target][2] = movement if order_state == "paid" else (0, 0, 0)
            wallet = wallets[index]
            wallet.invalidate_recordset()
            self.assertEqual(self.fen(wallet, "withdrawable_balance", "on_account_balance", "gift_balance"),
                             expected[index].buckets(), f"step {step}: {label}")

        # most of what was meant went through, every double was refused, and every kind was exercised
        tried = sum(counts[kind][0] for kind in MEANT)
        went = sum(counts[kind][1] for kind in MEANT)
        self.assertGreaterEqual(went, 0.6 * tried, f"only {went} of {tried} operations went through: {counts}")
        for kind in MEANT:
            self.assertTrue(counts[kind][1], f"no {kind} went through: {counts}")
        for kind in DOUBLES:
            self.assertTrue(counts[kind][0], f"no {kind} was tried: {counts}")
            self.assertEqual(counts[kind][1], 0, f"a {kind} went through")

        for order, (index, state, taken) in orders.items():
            self.assertEqual((order.payment_state, order.wallet_id), (state, wallets[index]), order.name)
            self.assertEqual(self.fen(order, "paid_cash", "paid_gift"), (-taken[0] - taken[1], -taken[2]),
                             f"{order.name} ({state})")

        lines = self.env["charge.wallet.transaction"].search([("wallet_id", "in", [w.id for w in wallets])])
        if mode == "daily":
            self.assertEqual((self.gl_balance(cash_account), self.gl_balance(gift_account)), gl_before,
                             "the daily summary waits for its job")
            self.env["charge.wallet.transaction"]._cron_post_daily_summary(up_to=datetime(2100, 1, 1))
        self.assertFalse(lines.filtered(lambda line: not line.posted), "every ledger line is posted")
        cash = sum(wallet.withdrawable + wallet.on_account for wallet in expected)
        gift = sum(wallet.gift for wallet in expected)
        self.assertEqual((round((self.gl_balance(cash_account) - gl_before[0]) * 100),
                          round((self.gl_balance(gift_account) - gl_before[1]) * 100)), (cash, gift),
                         "the liability accounts hold what the wallets must hold")

    @staticmethod
    def pick_kind(rng, orders):
        states = {state for _index, state, _taken in orders.values()}
        possible = {
            "settlement": "unpaid" in states, "reversal": "paid" in states,
            "double_payment": bool(states & {"paid", "reversed"}),
            "double_reversal": bool(states & {"unpaid", "reversed"}),
        }
        kinds = [kind for kind in WEIGHTS if possible.get(kind, True)]
        return rng.choices(kinds, [WEIGHTS[kind] for kind in kinds])[0]

    def apply(self, kind, index, rng, wallets, expected, orders, gift_first):
        """Run one operation in its own savepoint, as a request would.
        Returns (a label, whether it went through, the model's prediction:
        None for a refusal, else (the movement, the order's new payment
        state), the order it was about)."""
        wallet, model = wallets[index], expected[index]
        target = None
        if kind == "recharge":
            fen, on_account = rng.randint(100, 12_000), rng.random() < 0.3
            label = f"recharge of {fen} {'on account' if on_account else 'paid'} on {wallet.name}"
            predicted = ((0, fen, 0) if on_account else (fen, 0, 0), None)

            def run():
                self.env["charge.wallet.recharge"].with_user(self.user).create({
                    "wallet_id": wallet.id, "amount": fen / 100,
                    "mode": "on_account" if on_account else "paid"}).action_confirm()
                return True
        elif kind == "gift":
            fen = rng.randint(1, 3_000)
            label, predicted = f"gift of {fen} to {wallet.name}", ((0, 0, fen), None)

            def run():
                return bool(wallet._gift(fen / 100, note="property"))
        elif kind == "adjustment":
            fen, bucket = rng.choice((-1, 1)) * rng.randint(1, 5_000), rng.choice(("cash", "cash", "gift"))
            label = f"{bucket} adjustment of {fen} on {wallet.name}"
            if bucket == "gift":
                predicted = ((0, 0, fen), None) if model.gift + fen >= 0 else None
            elif fen > 0:
                predicted = ((0, fen, 0), None)
            else:
                movement = model.debit(-fen, with_gift=False)
                predicted = movement and (movement, None)

            def run():
                self.env["charge.wallet.adjust"].with_user(self.manager).create({
                    "wallet_id": wallet.id, "bucket": bucket, "amount": fen / 100,
                    "note": "property"}).action_confirm()
                return True
        elif kind == "card_fee":
            label = f"card fee of {CARD_FEE} from {wallet.name}"
            movement = model.debit(CARD_FEE, with_gift=False)
            predicted = movement and (movement, None)

            def run():
                return bool(self.cards[index]._take_fee())
        elif kind == "payment":
            fen = rng.randint(1, 8_000)
            weights = [rng.choice((0, rng.randint(1, 100))) for _name in COMPONENTS]
            parts = [fen * weight // (sum(weights) or 1) for weight in weights]
            parts[0] += fen - sum(parts)
            order = self.make_order(wallet, **{name: part / 100 for name, part in zip(COMPONENTS, parts)})
            orders[order] = [index, "to_pay", (0, 0, 0)]
            target, label = order, f"payment of {fen} ({parts}) from {wallet.name}"
            movement = model.debit(fen, gift_first=gift_first)
            predicted = (movement, "paid") if movement else None

            def run():
                paid = bool(order._pay_from_wallet())
                if not paid:  # a refused payment leaves the order unpaid, to be settled later
                    orders[order][1] = "unpaid"
                return paid
        else:
            wanted = {"settlement": ("unpaid",), "reversal": ("paid",), "double_payment": ("paid", "reversed"),
                      "double_reversal": ("unpaid", "reversed")}[kind]
            target = rng.choice(sorted((order for order, (_i, state, _t) in orders.items() if state in wanted),
                                       key=lambda order: order.id))
            index, state, taken = orders[target]
            wallet, model = wallets[index], expected[index]
            fen = round(target.amount_total * 100)
            label = f"{kind} of {target.name} ({state}, {fen}) on {wallet.name}"
            if kind == "settlement":
                movement = model.debit(fen, gift_first=gift_first)
                predicted = (movement, "paid") if movement else None

                def run():
                    return target.with_user(self.user).action_pay()
            elif kind == "reversal":
                predicted = ((-taken[0], -taken[1], -taken[2]), "reversed")

                def run():
                    self.env["charge.order.reverse"].with_user(self.manager).create({
                        "order_id": target.id, "reason": "property"}).action_confirm()
                    return True
            elif kind == "double_payment":
                predicted = None
                # the clerk's button, or the automatic payment again (a resent StopTransaction)
                by_button = rng.random() < 0.5

                def run():
                    if by_button:
                        return target.with_user(self.user).action_pay()
                    return bool(target._pay_from_wallet())
            else:
                predicted = None

                def run():
                    self.env["charge.order.reverse"].with_user(self.manager).create({
                        "order_id": target.id, "reason": "again"}).action_confirm()
                    return True
        try:
            with self.env.cr.savepoint():
                went_through = bool(run())
        except UserError:
            went_through = False
        if kind == "payment" and not went_through:
            self.assertEqual(target.payment_state, "unpaid", label)
        return label, went_through, predicted, target

    @staticmethod
    def fen(record, *field_names):
        record.invalidate_recordset()
        return tuple(round(record[name] * 100) for name in field_names)
