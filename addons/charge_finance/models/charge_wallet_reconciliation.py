from odoo import fields, models, tools
from odoo.tools import SQL

from . import posting_link
from .report_actions import window_action

BUCKETS = [("cash", "Cash"), ("gift", "Gift")]


class ChargeWalletReconciliation(models.Model):
    """The wallet subledger against the general ledger, per company and
    liability account: the account's balance plus what the ledger has not
    posted yet must equal what the wallets hold."""
    _name = "charge.wallet.reconciliation"
    _description = "Wallet Reconciliation"
    _auto = False
    _order = "company_id, bucket"
    _rec_name = "account_id"
    _depends = {
        "account.move": ["state"],
        "account.move.line": ["account_id", "company_id", "credit", "debit", "parent_state"],
        "charge.wallet.transaction": ["company_id", "withdrawable_amount", "on_account_amount", "gift_amount"],
        "res.company": ["currency_id", "charge_cash_liability_account_id", "charge_gift_liability_account_id"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    bucket = fields.Selection(BUCKETS, string="Balance", readonly=True)
    account_id = fields.Many2one("account.account", string="Liability Account", readonly=True)
    gl_balance = fields.Monetary(string="General Ledger", readonly=True,
                                 help="Credit minus debit of the posted journal items of the account.")
    unposted_amount = fields.Monetary(string="Not Posted", readonly=True,
                                      help="What the wallet ledger lines without a posted entry moved.")
    wallet_balance = fields.Monetary(string="Wallets", readonly=True,
                                     help="What the wallets hold in this balance: the sum of their ledger.")
    difference = fields.Monetary(readonly=True, help="General ledger plus not posted minus wallets: zero when "
                                                     "the accounting agrees with the wallets.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        posting_link.ensure_table(self.env.cr)  # whichever model's init runs first
        self.env.cr.execute(SQL("""
            CREATE VIEW %s AS (
                WITH posted AS (
                    -- a line is linked once (a unique index): no DISTINCT, which made each parallel
                    -- worker sort every link again (readme/BENCHMARK.md, "A million orders")
                    SELECT rel.transaction_id
                      FROM charge_wallet_transaction_move_rel rel
                      JOIN account_move move ON move.id = rel.move_id AND move.state = 'posted'
                ),
                ledger AS (
                    SELECT line.company_id,
                           SUM(line.withdrawable_amount + line.on_account_amount) AS cash,
                           SUM(line.gift_amount) AS gift,
                           SUM(line.withdrawable_amount + line.on_account_amount)
                               FILTER (WHERE posted.transaction_id IS NULL) AS cash_unposted,
                           SUM(line.gift_amount) FILTER (WHERE posted.transaction_id IS NULL) AS gift_unposted
                      FROM charge_wallet_transaction line
                 LEFT JOIN posted ON posted.transaction_id = line.id
                  GROUP BY line.company_id
                ),
                buckets AS (
                    SELECT company.id AS company_id, 1 AS number, 'cash' AS bucket,
                           company.charge_cash_liability_account_id AS account_id,
                           ledger.cash AS wallet, ledger.cash_unposted AS unposted
                      FROM res_company company
                 LEFT JOIN ledger ON ledger.company_id = company.id
                 UNION ALL
                    SELECT company.id, 2, 'gift', company.charge_gift_liability_account_id,
                           ledger.gift, ledger.gift_unposted
                      FROM res_company company
                 LEFT JOIN ledger ON ledger.company_id = company.id
                )
                SELECT (buckets.company_id - 1) * 2 + buckets.number AS id,
                       buckets.company_id, company.currency_id, buckets.bucket, buckets.account_id,
                       COALESCE(gl.balance, 0) AS gl_balance,
                       COALESCE(buckets.unposted, 0) AS unposted_amount,
                       COALESCE(buckets.wallet, 0) AS wallet_balance,
                       COALESCE(gl.balance, 0) + COALESCE(buckets.unposted, 0) - COALESCE(buckets.wallet, 0)
                           AS difference
                  FROM buckets
                  JOIN res_company company ON company.id = buckets.company_id
             LEFT JOIN LATERAL (
                    SELECT SUM(aml.credit - aml.debit) AS balance
                      FROM account_move_line aml
                     WHERE aml.account_id = buckets.account_id AND aml.company_id = buckets.company_id
                       AND aml.parent_state = 'posted'
                   ) gl ON TRUE
                 WHERE buckets.account_id IS NOT NULL OR buckets.wallet IS NOT NULL
            )
        """, SQL.identifier(self._table)))

    def action_view_move_lines(self):
        """The posted journal items of the liability account."""
        self.ensure_one()
        return window_action(
            self.env, "account.action_account_moves_all",
            self.env._("Journal Items of %s", self.account_id.display_name),
            domain=[("account_id", "=", self.account_id.id), ("company_id", "=", self.company_id.id),
                    ("parent_state", "=", "posted")],
            context={"search_default_group_by_move": 0},
        )

    def action_view_unposted(self):
        """The wallet ledger lines of the company that have no posted entry and move this balance."""
        self.ensure_one()
        moved = ["|", ("withdrawable_amount", "!=", 0), ("on_account_amount", "!=", 0)] if self.bucket == "cash" \
            else [("gift_amount", "!=", 0)]
        return window_action(
            self.env, "charge_member.charge_wallet_transaction_action", self.env._("Wallet Lines Not Posted"),
            domain=[("company_id", "=", self.company_id.id), ("posted", "=", False), *moved],
            context={"create": False},
        )
