from datetime import datetime
from decimal import Decimal
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from ..models.account_move_batch import CHECK_ONCE, representatives
from ..tools import posting
from .common import ChargeFinanceCase

FAR_FUTURE = datetime(2100, 1, 1)
# what Odoo computes for a journal item and the wallet entries give with their values
GIVEN = ("currency_id", "amount_currency", "display_type", "sequence", "quantity", "price_unit", "product_uom_id",
         "is_storno")


@tagged("post_install", "-at_install")
class TestBatchPosting(ChargeFinanceCase):
    """What makes a batch of wallet entries cheaper leaves them as Odoo makes
    them: the values of the items given instead of computed, the company
    check run once per distinct set of values, the summary of a day made
    once per group of alike lines."""

    def test_items_carry_the_values_odoo_computes(self):
        self.li_wallet._recharge(50)
        order = self.pay(self.li_wallet, electricity=7.0, service=3.0, reservation=2.0, occupancy=1.5)
        move = self.entry(order.wallet_transaction_ids)
        company = self.company
        labels = self.env["account.move"]._charge_labels(company)
        spec = posting.LineSpec("revenue_service", Decimal("-2.83"), self.li.id)
        self.assertLessEqual(set(GIVEN) - {"is_storno"}, set(self.env["account.move"]._charge_line_values(
            company, spec, labels)), "given, not computed item by item")
        # the same items made the plain way: Odoo computes what the wallet entry gave
        plain = self.env["account.move"].create({
            "move_type": "entry", "journal_id": move.journal_id.id, "date": move.date,
            "line_ids": [Command.create({
                "name": item.name, "account_id": item.account_id.id, "partner_id": item.partner_id.id,
                "balance": item.balance, "tax_ids": [Command.set(item.tax_ids.ids)],
                "tax_tag_ids": [Command.set(item.tax_tag_ids.ids)],
                **({"display_type": "tax", "tax_repartition_line_id": item.tax_repartition_line_id.id,
                    "tax_base_amount": item.tax_base_amount} if item.tax_repartition_line_id else {}),
            }) for item in move.line_ids],
        })
        plain.action_post()
        fields = [*GIVEN, "debit", "credit", "price_subtotal", "price_total", "tax_line_id", "tax_group_id"]

        def values(entry):
            return sorted((item.account_id.id, item.balance, *(str(item[name]) for name in fields))
                          for item in entry.line_ids)

        self.assertEqual(values(move), values(plain))

    def test_company_check_runs_once_per_distinct_items(self):
        self.li_wallet._recharge(20)
        self.wang_wallet._recharge(20)
        orders = [self.pay(wallet, electricity=7.0, service=3.0)
                  for wallet in (self.li_wallet, self.wang_wallet, self.li_wallet)]
        moves = self.env["account.move"].browse([self.entry(order.wallet_transaction_ids).id for order in orders])
        items = moves.line_ids
        self.assertEqual(len(items), 3 * len(moves[0].line_ids))
        # the partner is not checked per company: the items of the three entries are alike
        self.assertEqual(len(representatives(items)), len(moves[0].line_ids))
        self.assertEqual(len(representatives(moves)), 1)
        self.assertEqual(representatives(items, ["name"]), items, "no checked field: every record")

    def test_company_check_once_still_refuses_another_companys_account(self):
        other = self.env["res.company"].create({"name": "Other Operator"})
        foreign = self.env["account.account"].create({"name": "Foreign", "code": "999001",
                                                       "account_type": "income", "company_ids": [other.id]})
        own = self.accounts["revenue_service"]
        journal = self.company.charge_wallet_journal_id

        def entry(account):
            return {"move_type": "entry", "journal_id": journal.id, "company_id": self.company.id,
                    "line_ids": [Command.create({"name": "a", "account_id": own.id, "balance": 5.0}),
                                 Command.create({"name": "b", "account_id": account.id, "balance": -5.0})]}

        Move = self.env["account.move"].with_company(self.company).with_context(**{CHECK_ONCE: True})
        Move.create([entry(own), entry(own)])
        with self.assertRaisesRegex(UserError, "company inconsistencies"):
            Move.create([entry(own), entry(own), entry(foreign)])

    def test_summary_makes_the_entry_of_alike_lines_once(self):
        self.company.charge_posting_mode = "daily"
        Line = self.env["charge.wallet.transaction"]
        with freeze_time("2026-11-18 02:00:00"):
            recharges = (self.li_wallet._recharge(100) | self.wang_wallet._recharge(100)
                         | self.li_wallet._recharge(30, on_account=True)
                         | self.wang_wallet._recharge(30, on_account=True))
            alike = [self.pay(wallet, electricity=7.0, service=3.0, reservation=2.0)
                     for wallet in (self.li_wallet, self.wang_wallet, self.li_wallet, self.wang_wallet)]
            other = self.pay(self.li_wallet, electricity=5.0, service=2.0)
        lines = recharges | other.wallet_transaction_ids
        for order in alike:
            lines |= order.wallet_transaction_ids
        groups = lines._charge_alike()
        self.assertIn(sorted(line.id for order in alike for line in order.wallet_transaction_ids),
                      [sorted(group.ids) for group in groups], "the four payments alike, whoever paid")
        self.assertEqual(sum(len(group) for group in groups), len(lines))
        company = self.company
        per_line = posting.summarize(spec for line in lines.sorted("id")
                                     for spec in line._charge_entry_lines(company, {}))

        made = []
        Model = type(Line)
        entry_lines = Model._charge_entry_lines

        def counted(line, company, cache):
            made.append(line.id)
            return entry_lines(line, company, cache)

        with patch.object(Model, "_charge_entry_lines", counted):
            summary = posting.summarize(lines._charge_summary_specs(company, {}))
        # the two recharges of 100 alike, the four payments alike, the other payment, and the two recharges on
        # account (alike, but their receivable is kept per customer: one by one)
        self.assertEqual(len(made), 5, "one entry for the four alike payments, one for the two recharges")
        self.assertEqual({(s.role, s.partner, s.key): (s.amount, s.tax_base) for s in summary},
                         {(s.role, s.partner, s.key): (s.amount, s.tax_base) for s in per_line},
                         "the same summary as line by line")

        moves = Line._charge_post_pending(company, up_to=FAR_FUTURE)
        self.assertEqual(len(moves), 1)
        receivable = self.li.with_company(company).property_account_receivable_id
        self.assertEqual({item.partner_id: item.balance for item in moves.line_ids if item.account_id == receivable},
                         {self.li: 30.0, self.wang: 30.0}, "receivables stay per customer")
        self.assertEqual(self.by_account(moves)[self.accounts["revenue_service"].code],
                         -round(4 * 2.83 + 1.89, 2))
