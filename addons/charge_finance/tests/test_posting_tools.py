from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..tools.posting import (COMPONENTS, SUMMARY_PARTNER_ROLES, Component, Fact, LineSpec, PostingError, TaxPart,
                             entry_lines, merge_tax_lines, role_totals, scale, summarize, summary_lines,
                             withdrawal_payout_lines)

D = Decimal
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None)
RATES = (0, 6, 9, 13)


def component(name, gross, rate=0):
    """A fee component of ``gross`` with a price-included tax of ``rate`` %."""
    gross = D(gross)
    if not rate:
        return Component(name, gross, gross)
    tax = (gross * rate / (100 + rate)).quantize(D("0.01"))
    return Component(name, gross, gross - tax, ("base", rate), (TaxPart(("tax", rate), tax, gross - tax),))


def as_dict(lines):
    return {(line.role, line.partner, line.key): (line.amount, line.tax_base) for line in lines}


@tagged("at_install", "-post_install")
class TestEntryLines(BaseCase):
    """The journal entry of each kind of ledger line."""

    def test_paid_recharge_debits_the_clearing_account(self):
        lines = entry_lines(Fact("recharge", withdrawable=D(100), partner=7))
        self.assertEqual(as_dict(lines), {("cash_liability", 7, None): (D(-100), 0),
                                          ("clearing", 7, None): (D(100), 0)})

    def test_recharge_on_account_debits_the_owners_receivable(self):
        lines = entry_lines(Fact("recharge", on_account=D(50), partner=7))
        self.assertEqual(as_dict(lines), {("cash_liability", 7, None): (D(-50), 0),
                                          ("receivable", 7, None): (D(50), 0)})

    def test_gift_is_a_marketing_expense_and_its_removal_reverses_it(self):
        self.assertEqual(as_dict(entry_lines(Fact("gift", gift=D(5)))),
                         {("gift_liability", None, None): (D(-5), 0), ("marketing_expense", None, None): (D(5), 0)})
        self.assertEqual(role_totals(entry_lines(Fact("gift", gift=D(-5)))),
                         {"gift_liability": D(5), "marketing_expense": D(-5)})
        with self.assertRaises(PostingError) as error:
            entry_lines(Fact("gift", withdrawable=D(5)))
        self.assertEqual(error.exception.code, "bucket")

    def test_payment_credits_revenue_and_tax_per_component(self):
        fact = Fact("payment", withdrawable=D("-8.50"), on_account=D(-1), gift=D(-5), partner=7, components=(
            component("electricity", "7.00", 13), component("service", "6.00", 6), component("reservation", "1.50")))
        totals = role_totals(entry_lines(fact))
        self.assertEqual(totals, {
            "cash_liability": D("9.50"), "gift_liability": D(5),
            "revenue_electricity": D("-6.19"), "tax_electricity": D("-0.81"),
            "revenue_service": D("-5.66"), "tax_service": D("-0.34"), "revenue_reservation": D("-1.50"),
        })
        tax_line = next(line for line in entry_lines(fact) if line.role == "tax_electricity")
        self.assertEqual((tax_line.key, tax_line.tax_base, tax_line.partner), (("tax", 13), D("-6.19"), 7))

    def test_reversal_is_the_mirror_of_the_payment(self):
        components = (component("electricity", "7.00", 13), component("occupancy", "3.00", 9))
        payment = entry_lines(Fact("payment", withdrawable=D(-6), gift=D(-4), components=components))
        reversal = entry_lines(Fact("reversal", withdrawable=D(6), gift=D(4), components=tuple(
            component(c.name, -c.gross, rate) for c, rate in zip(components, (13, 9)))))
        self.assertEqual(as_dict(reversal), {key: (-amount, -base) for key, (amount, base) in as_dict(payment).items()})

    def test_a_refund_reverses_its_share_of_revenue_and_tax(self):
        refund = entry_lines(Fact("refund", withdrawable=D("6.00"), gift=D("4.00"), partner=7, components=(
            component("electricity", "-7.00", 13), component("service", "-3.00", 6))))
        self.assertEqual(role_totals(refund), {
            "cash_liability": D(-6), "gift_liability": D(-4), "revenue_electricity": D("6.19"),
            "tax_electricity": D("0.81"), "revenue_service": D("2.83"), "tax_service": D("0.17")})
        with self.assertRaises(PostingError) as error:
            entry_lines(Fact("refund", withdrawable=D(-6), components=(component("service", "6.00"),)))
        self.assertEqual(error.exception.code, "sign", "a refund gives money back")

    def test_recharge_refunds_and_withdrawals(self):
        self.assertEqual(as_dict(entry_lines(Fact("recharge_refund", withdrawable=D(-40), partner=7, clearing=91))),
                         {("cash_liability", 7, None): (D(40), 0), ("clearing", 7, 91): (D(-40), 0)})
        with self.assertRaises(PostingError):
            entry_lines(Fact("recharge_refund", gift=D(-4)))
        self.assertEqual(role_totals(entry_lines(Fact("withdrawal", withdrawable=D(-60), on_account=D(-20)))),
                         {"cash_liability": D(80), "withdrawal_payable": D(-80)})
        self.assertEqual(role_totals(entry_lines(Fact("withdrawal", withdrawable=D(60)))),
                         {"cash_liability": D(-60), "withdrawal_payable": D(60)}, "a cancelled request")
        self.assertEqual(role_totals(withdrawal_payout_lines(D(60), D("0.60"), clearing=91)),
                         {"withdrawal_payable": D(60), "clearing": D("-59.40"), "withdrawal_fee": D("-0.60")})
        self.assertEqual(role_totals(withdrawal_payout_lines(D(60), D(0))),
                         {"withdrawal_payable": D(60), "clearing": D(-60)}, "no fee line without a fee")
        for amount, fee in ((D(0), D(0)), (D(10), D(10)), (D(10), D(-1))):
            with self.subTest(amount=amount, fee=fee), self.assertRaises(PostingError):
                withdrawal_payout_lines(amount, fee)

    def test_payment_not_matching_its_order_is_refused(self):
        with self.assertRaises(PostingError) as error:
            entry_lines(Fact("payment", withdrawable=D(-10), components=(component("electricity", "9.99"),)))
        self.assertEqual((error.exception.code, error.exception.params),
                         ("components", {"amount": "10", "components": "9.99"}))
        with self.assertRaises(PostingError) as error:
            entry_lines(Fact("payment", withdrawable=D(10), components=(component("electricity", "-10"),)))
        self.assertEqual(error.exception.code, "sign")
        with self.assertRaises(PostingError) as error:
            entry_lines(Fact("payment", withdrawable=D(-10), components=(
                Component("electricity", D(10), D(9), taxes=(TaxPart("t", D("0.5"), D(9)),)),)))
        self.assertEqual(error.exception.code, "component")
        with self.assertRaises(PostingError) as error:
            entry_lines(Fact("bonus", withdrawable=D(10)))
        self.assertEqual(error.exception.code, "kind")

    def test_tax_items_of_the_same_tax_are_merged(self):
        fact = Fact("payment", withdrawable=D("-9.00"), partner=7, components=(
            component("electricity", "4.00", 13), component("service", "3.00", 6),
            component("reservation", "2.00", 6)))
        lines = merge_tax_lines(entry_lines(fact))
        self.assertEqual([line.role for line in lines], [
            "cash_liability", "revenue_electricity", "tax_electricity", "revenue_service", "tax_service",
            "revenue_reservation"], "the reservation's 6 % joins the service's item, in its place")
        service_tax = lines[4]
        self.assertEqual((service_tax.key, service_tax.amount, service_tax.tax_base, service_tax.partner),
                         (("tax", 6), D("-0.17") + D("-0.11"), D("-2.83") + D("-1.89"), 7))
        self.assertEqual(sum(line.amount for line in lines), 0, "still balanced")
        other_partner = LineSpec("tax_occupancy", D("-0.10"), 8, ("tax", 6), D("-1.00"))
        self.assertEqual(merge_tax_lines([*lines, other_partner])[-1], other_partner, "per partner")
        cancelling = [LineSpec("tax_service", D("-0.17"), None, ("tax", 6), D("-2.83")),
                      LineSpec("tax_reservation", D("0.17"), None, ("tax", 6), D("2.83"))]
        self.assertEqual(merge_tax_lines(cancelling), [], "taxes that cancel out leave no item")

    def test_adjustments_and_card_fees(self):
        self.assertEqual(role_totals(entry_lines(Fact("adjustment", on_account=D(20)))),
                         {"cash_liability": D(-20), "adjustment": D(20)})
        self.assertEqual(role_totals(entry_lines(Fact("adjustment", withdrawable=D(-3), on_account=D(-2)))),
                         {"cash_liability": D(5), "adjustment": D(-5)})
        self.assertEqual(role_totals(entry_lines(Fact("adjustment", gift=D(-2)))),
                         {"gift_liability": D(2), "marketing_expense": D(-2)})
        self.assertEqual(role_totals(entry_lines(Fact("card_fee", on_account=D(-20)))),
                         {"cash_liability": D(20), "card_fee": D(-20)})

    def test_summary_sums_per_account_and_keeps_receivables_per_partner(self):
        facts = [Fact("recharge", withdrawable=D(100), partner=1), Fact("recharge", withdrawable=D(50), partner=2),
                 Fact("recharge", on_account=D(30), partner=1), Fact("recharge", on_account=D(20), partner=2),
                 Fact("payment", withdrawable=D(-7), partner=1, components=(component("electricity", 7, 13),)),
                 Fact("payment", withdrawable=D(-7), partner=2, components=(component("electricity", 7, 13),))]
        self.assertEqual(as_dict(summary_lines(facts)), {
            ("cash_liability", None, None): (D(-186), 0), ("clearing", None, None): (D(150), 0),
            ("receivable", 1, None): (D(30), 0), ("receivable", 2, None): (D(20), 0),
            ("revenue_electricity", None, ("base", 13)): (D("-12.38"), 0),
            ("tax_electricity", None, ("tax", 13)): (D("-1.62"), D("-12.38")),
        })

    def test_summary_leaves_out_what_cancels(self):
        payment = Fact("payment", withdrawable=D(-7), components=(component("service", 7),))
        reversal = Fact("reversal", withdrawable=D(7), components=(component("service", -7),))
        self.assertEqual(summary_lines([payment, reversal]), [])
        with self.assertRaises(PostingError):
            summarize([LineSpec("clearing", D(1))])


# -- properties ---------------------------------------------------------------------------

cents = st.integers(1, 100_000).map(lambda units: D(units).scaleb(-2))
partners = st.sampled_from([None, 1, 2, 3])


@st.composite
def sale_components(draw, total):
    """Fee components adding up to ``total`` (positive), each with a random tax rate."""
    names = draw(st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=4, unique=True))
    units = int(total * 100)
    cuts = sorted(draw(st.lists(st.integers(0, units), min_size=len(names) - 1, max_size=len(names) - 1)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, units])]
    return tuple(component(name, D(part).scaleb(-2), draw(st.sampled_from(RATES)))
                 for name, part in zip(names, parts) if part)


@st.composite
def facts(draw):
    """A ledger line of any kind, as the wallet would write it."""
    kind = draw(st.sampled_from(("recharge", "gift", "payment", "reversal", "adjustment", "card_fee")))
    partner = draw(partners)
    if kind == "recharge":
        bucket = draw(st.sampled_from(("withdrawable", "on_account")))
        return Fact(kind, partner=partner, **{bucket: draw(cents)})
    if kind == "gift":
        return Fact(kind, gift=draw(cents), partner=partner)
    if kind == "adjustment":
        sign = draw(st.sampled_from((1, -1)))
        bucket = draw(st.sampled_from(("on_account", "withdrawable", "gift")))
        return Fact(kind, partner=partner, **{bucket: sign * draw(cents)})
    if kind == "card_fee":
        return Fact(kind, on_account=-draw(cents), partner=partner)
    total = draw(cents)
    components = draw(sale_components(total))
    gift = min(draw(cents), total)
    withdrawable = min(draw(cents), total - gift)
    sign = -1 if kind == "payment" else 1
    if kind == "reversal":
        components = tuple(Component(c.name, -c.gross, -c.net, c.key,
                                     tuple(TaxPart(t.key, -t.amount, -t.base) for t in c.taxes)) for c in components)
    return Fact(kind, withdrawable=sign * withdrawable, on_account=sign * (total - gift - withdrawable),
                gift=sign * gift, partner=partner, components=components)


@tagged("at_install", "-post_install")
class TestPostingProperties(BaseCase):
    """Properties of the entries over random ledger lines: no database involved."""

    @PROPERTY_SETTINGS
    @given(fact=facts())
    def test_every_entry_balances_and_moves_the_liabilities_like_the_wallet(self, fact):
        lines = entry_lines(fact)
        self.assertEqual(sum(line.amount for line in lines), 0)
        self.assertTrue(all(line.amount for line in lines))
        totals = role_totals(lines)
        self.assertEqual(totals.get("cash_liability", 0), -fact.cash)
        self.assertEqual(totals.get("gift_liability", 0), -fact.gift)

    @PROPERTY_SETTINGS
    @given(batch=st.lists(facts(), max_size=30))
    def test_summary_is_the_sum_of_the_documents(self, batch):
        documents = [line for fact in batch for line in entry_lines(fact)]
        summary = summary_lines(batch)
        self.assertEqual(sum(line.amount for line in summary), 0)
        self.assertEqual(role_totals(summary), role_totals(documents))
        groups = [(line.role, line.partner, line.key) for line in summary]
        self.assertEqual(len(groups), len(set(groups)), "one line per role, partner and key")
        self.assertTrue(all(line.amount for line in summary))
        self.assertTrue(all(line.partner is None for line in summary if line.role not in SUMMARY_PARTNER_ROLES))
        bases = {}
        for line in documents:
            if line.role.startswith("tax_"):
                bases[line.role, line.key] = bases.get((line.role, line.key), 0) + line.tax_base
        for line in summary:
            if line.role.startswith("tax_"):
                self.assertEqual(line.tax_base, bases[line.role, line.key])

    @PROPERTY_SETTINGS
    @given(fact=facts())
    def test_merged_tax_items_keep_each_tax_and_the_balance(self, fact):
        lines = entry_lines(fact)
        merged = merge_tax_lines(lines)

        def per_tax(items):
            totals = {}
            for item in items:
                if item.role.startswith("tax_"):
                    amount, base = totals.get((item.key, item.partner), (0, 0))
                    totals[item.key, item.partner] = (amount + item.amount, base + item.tax_base)
            return totals

        self.assertEqual(per_tax(merged), per_tax(lines))
        self.assertEqual(len(per_tax(merged)), len([item for item in merged if item.role.startswith("tax_")]),
                         "one item per tax")
        self.assertEqual([item for item in merged if not item.role.startswith("tax_")],
                         [item for item in lines if not item.role.startswith("tax_")])
        self.assertEqual(sum(item.amount for item in merged), 0)

    @PROPERTY_SETTINGS
    @given(fact=facts(), count=st.integers(1, 50))
    def test_a_scaled_entry_sums_up_like_its_copies(self, fact, count):
        lines = entry_lines(fact)
        self.assertEqual(summarize(scale(lines, count)), summarize(lines * count))

    @PROPERTY_SETTINGS
    @given(fact=facts().filter(lambda fact: fact.kind == "payment"))
    def test_a_reversal_mirrors_its_payment(self, fact):
        reversal = Fact("reversal", -fact.withdrawable, -fact.on_account, -fact.gift, fact.partner, tuple(
            Component(c.name, -c.gross, -c.net, c.key, tuple(TaxPart(t.key, -t.amount, -t.base) for t in c.taxes))
            for c in fact.components))
        self.assertEqual(as_dict(entry_lines(reversal)),
                         {key: (-amount, -base) for key, (amount, base) in as_dict(entry_lines(fact)).items()})
        self.assertEqual(summary_lines([fact, reversal]), [])
