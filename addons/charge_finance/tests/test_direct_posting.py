from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from .common import ChargeFinanceCase

# columns whose value is the run's own (ids of the rows, of a reconciliation made with them, timestamps)
OWN = {"id", "move_id", "create_date", "write_date"}
RUN_IDS = {"full_reconcile_id", "matching_number"}


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestDirectPosting(ChargeFinanceCase):
    """The posting queue writes the plain wallet entries by SQL
    (models/account_move_direct.py): every column of every entry and item,
    their taxes and tags, their numbers, the partners' ranks and what follows
    (the reconciliation of an order's receivable) are those the ORM makes for
    the same ledger lines; what is not plain goes through the ORM."""

    post_queue_at_once = False  # the ledger lines wait, unposted, for the posting compared here

    @property
    def Move(self):
        return type(self.env["account.move"])

    def orm_only(self):
        return patch.object(self.Move, "_charge_direct_ok", lambda *args, **kwargs: False)

    def spy_direct(self):
        calls = []
        insert = self.Move._charge_insert_entries

        def spy(model, company, values):
            calls.append(len(values))
            return insert(model, company, values)

        return calls, patch.object(self.Move, "_charge_insert_entries", spy)

    def waiting(self):
        """The company's ledger lines not posted yet, oldest first."""
        return self.env["charge.wallet.transaction"].sudo()._charge_pending(self.company, datetime(2100, 1, 1))

    def snapshot(self, moves):
        """Every column of the entries and items (in their order), their taxes and tags, the mail
        messages and followers of the entries, the customer rank of the partners."""
        cr = self.env.cr
        self.env.flush_all()

        def rows(query):
            cr.execute(query)
            names = [column[0] for column in cr.description]
            return [{name: (bool(value) if name in RUN_IDS else value)
                     for name, value in zip(names, row) if name not in OWN} for row in cr.fetchall()]

        items = SQL("SELECT id FROM account_move_line WHERE move_id = ANY(%s)", moves.ids)
        return {
            "moves": rows(SQL("SELECT * FROM account_move WHERE id = ANY(%s) ORDER BY id", moves.ids)),
            "items": rows(SQL("SELECT * FROM account_move_line WHERE move_id = ANY(%s) ORDER BY move_id, id",
                              moves.ids)),
            "taxes": rows(SQL("SELECT array_agg(account_tax_id ORDER BY account_tax_id) AS taxes "
                              "FROM account_move_line_account_tax_rel WHERE account_move_line_id IN (%s) "
                              "GROUP BY account_move_line_id ORDER BY account_move_line_id", items)),
            "tags": rows(SQL("SELECT array_agg(account_account_tag_id ORDER BY account_account_tag_id) AS tags "
                             "FROM account_account_tag_account_move_line_rel WHERE account_move_line_id IN (%s) "
                             "GROUP BY account_move_line_id ORDER BY account_move_line_id", items)),
            "mail": rows(SQL("SELECT (SELECT count(*) FROM mail_message WHERE model = 'account.move' "
                             "AND res_id = ANY(%(ids)s)) AS messages, (SELECT count(*) FROM mail_followers "
                             "WHERE res_model = 'account.move' AND res_id = ANY(%(ids)s)) AS followers",
                             ids=moves.ids)),
            "ranks": rows(SQL("SELECT customer_rank, supplier_rank FROM res_partner WHERE id = ANY(%s) ORDER BY id",
                              (self.li | self.wang | self.fleet_contact).ids)),
        }

    def assert_same_as_orm(self, lines, summaries=False):
        """Post ``lines`` by the queue's batch (``summaries``: by the daily summary entries) through
        the ORM (rolled back), then as the queue does; both make the same entries, and the second
        wrote them by SQL. Returns the entries."""
        company = self.company

        def post():
            return lines._charge_post_summaries(company) if summaries else lines._charge_post_each(company)

        with self.env.cr.savepoint() as savepoint, self.orm_only():
            orm = self.snapshot(post())
            savepoint.rollback()
        self.env.invalidate_all()
        calls, spy = self.spy_direct()
        with spy:
            moves = post()
        entries = len(moves) if summaries else len(lines)
        self.assertEqual(calls, [entries], "the queue wrote the entries by SQL")
        direct = self.snapshot(moves)
        self.assertEqual(len(direct["moves"]), entries)
        for part in orm:
            self.assertEqual(direct[part], orm[part], part)
        return moves

    def test_wallet_entries_written_by_sql_are_those_of_the_orm(self):
        self.company.write({"charge_min_start_amount": 0.0})
        self.li_wallet._recharge(80)
        self.wang_wallet._recharge(30, on_account=True)
        self.fleet_wallet._recharge(60)
        self.li_wallet._gift(5)
        self.wang_wallet._adjust(-2.5, note="counted twice")
        orders = [
            self.pay(self.li_wallet, electricity=7.37, service=3.11, reservation=2.0, occupancy=1.5),
            self.pay(self.wang_wallet, electricity=10.81, service=0.99),
            self.pay(self.fleet_wallet, electricity=0.07, occupancy=3.0),
            self.pay(self.li_wallet, service=6.0, reservation=2.0),
        ]
        orders[1]._reverse_payment("charged twice")
        lines = self.waiting()
        self.assertEqual(set(lines.mapped("type")), {"recharge", "gift", "adjustment", "payment", "reversal"})
        moves = self.assert_same_as_orm(lines)
        self.assertTrue(all(lines.mapped("posted")))
        self.assertEqual(moves.mapped("state"), ["posted"] * len(lines))
        self.assertTrue(all(move.currency_id.is_zero(sum(move.line_ids.mapped("balance"))) for move in moves))
        numbers = moves.mapped("sequence_number")
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + len(moves))), "numbered in order, no gap")
        self.assertEqual(self.reconciliation()["cash"][1], 0.0, "nothing waits")

    def test_daily_summary_entries_written_by_sql_are_those_of_the_orm(self):
        self.company.write({"charge_min_start_amount": 0.0})
        self.li_wallet._recharge(80)
        self.wang_wallet._recharge(30, on_account=True)
        self.fleet_wallet._recharge(60)
        self.li_wallet._gift(5)
        orders = [
            self.pay(self.li_wallet, electricity=7.37, service=3.11, reservation=2.0, occupancy=1.5),
            self.pay(self.wang_wallet, electricity=10.81, service=0.99),
            self.pay(self.fleet_wallet, electricity=0.07, occupancy=3.0),
            self.pay(self.li_wallet, electricity=7.37, service=3.11, reservation=2.0, occupancy=1.5),
        ]
        orders[1]._reverse_payment("charged twice")
        lines = self.waiting()
        with freeze_time("2026-11-22 04:00:00"):  # the next local day's lines: a second summary
            self.wang_wallet._adjust(-2.5, note="counted twice")
            self.pay(self.fleet_wallet, service=6.0)
        lines = self.waiting()
        moves = self.assert_same_as_orm(lines, summaries=True)
        self.assertEqual(len(moves), 2, "one summary entry per local day")
        self.assertTrue(all(lines.mapped("posted")))
        self.assertTrue(all(move.currency_id.is_zero(sum(move.line_ids.mapped("balance"))) for move in moves))
        self.assertEqual(self.reconciliation()["cash"][1], 0.0, "nothing waits")

    def test_a_payment_settling_an_order_receivable_is_reconciled_as_by_the_orm(self):
        self.company.write({"charge_min_start_amount": 0.0})
        order = self.make_order(self.li_wallet, electricity=7.0, service=3.0)
        order._complete()  # the empty wallet cannot pay: the order's own entry books its receivable
        self.assertEqual(order.payment_state, "unpaid")
        self.post_queue()
        self.li_wallet._recharge(20)
        order.action_pay()
        lines = self.waiting()
        self.assertEqual(lines.mapped("type"), ["recharge", "payment"])
        self.assert_same_as_orm(lines)
        items = self.env["account.move.line"].search([("charge_order_id", "=", order.id)])
        self.assertEqual(len(items), 2)
        self.assertTrue(all(items.mapped("reconciled")), "the receivable is settled")

    def test_a_batch_across_two_months_starts_the_second_months_numbers_as_the_orm(self):
        for moment in ("2026-10-31 02:00:00", "2026-11-20 02:00:00", "2026-11-30 15:00:00", "2026-12-01 02:00:00"):
            with freeze_time(moment):
                self.li_wallet._recharge(10)
        lines = self.waiting()
        moves = self.assert_same_as_orm(lines)
        self.assertEqual(len(set(moves.mapped("sequence_prefix"))), 3, "three months, three numberings")

    def test_numbers_continue_across_the_orm_and_sql(self):
        for amount in (10, 20, 30, 40):
            self.li_wallet._recharge(amount)
        first, *middle, last = self.waiting()
        with self.orm_only():
            moves = first._charge_post_each(self.company)
        moves |= self.env["charge.wallet.transaction"].browse([line.id for line in middle])._charge_post_each(
            self.company)
        with self.orm_only():
            moves |= last._charge_post_each(self.company)
        self.env.invalidate_all()
        numbers = moves.mapped("sequence_number")
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 4)))
        self.assertEqual(len(set(moves.mapped("sequence_prefix"))), 1)
        self.assertEqual(moves.mapped("name"), [f"{moves[0].sequence_prefix}{number:04d}" for number in numbers])

    def test_a_locked_date_or_a_hashed_journal_goes_through_the_orm(self):
        self.li_wallet._recharge(10)
        self.company.fiscalyear_lock_date = "2026-11-30"
        calls, spy = self.spy_direct()
        with spy:
            move = self.waiting()._charge_post_each(self.company)
        self.assertEqual(calls, [])
        self.assertEqual(str(move.date), "2026-12-01", "posted on the first open day, as the ORM posts")
        self.company.fiscalyear_lock_date = False
        self.li_wallet._recharge(10)
        self.company.charge_wallet_journal_id.restrict_mode_hash_table = True
        with spy:
            move = self.waiting()._charge_post_each(self.company)
        self.assertEqual((calls, move.state), ([], "posted"))
