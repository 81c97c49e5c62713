from odoo import fields, models, tools
from odoo.tools import SQL

from odoo.addons.charge_base.tools.local_time import FALLBACK_TZ, local_midnight_utc

from ..tools.posting import COMPONENTS
from .report_actions import window_action

# the local month of a timestamp of the company ``company`` (its contact's time zone)
LOCAL_MONTH = "date_trunc('month', ({ts} AT TIME ZONE 'UTC') AT TIME ZONE COALESCE(cp.tz, '{tz}'))::date"


class ChargeOrderReconciliation(models.Model):
    """The charging orders against the general ledger, per company and month.

    Revenue: the price-included amount of the completed orders (not those
    whose payment was reversed) ended in the month, less the after-sales
    refunds given in the month, against the revenue and
    output tax the entries of the wallet journal booked in the month (wallet
    payments and the orders' own entries). Receivables: what the unpaid
    member and group orders of the month come to, against the open balance of
    their receivables. Orders waiting for their posting show as differences."""
    _name = "charge.order.reconciliation"
    _description = "Order Reconciliation"
    _auto = False
    _order = "company_id, month desc"
    _rec_name = "month"
    _depends = {
        "account.move": ["state", "charge_order_id", "journal_id", "date"],
        "account.move.line": ["account_id", "balance", "amount_residual", "parent_state", "charge_order_id",
                              "tax_repartition_line_id", "date", "journal_id"],
        "charge.order": ["state", "payment_state", "amount_total", "stop_date", "occupancy_open", "wallet_id",
                         "company_id"],
        "charge.wallet.transaction": ["type", "amount", "date", "company_id"],
        "res.company": ["currency_id", "charge_wallet_journal_id",
                        *(f"charge_revenue_{name}_account_id" for name in COMPONENTS)],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    month = fields.Date(readonly=True, help="The first day of the month, in the operator's time zone.")
    order_revenue = fields.Monetary(string="Orders", readonly=True,
                                    help="Price-included amount of the completed orders ended in the month, less "
                                         "what after-sales refunds gave back in the month.")
    gl_revenue = fields.Monetary(string="Revenue and Tax Booked", readonly=True,
                                 help="Revenue and output tax booked in the month by the wallet journal's entries.")
    revenue_difference = fields.Monetary(readonly=True, help="Booked minus orders: zero when every order is booked.")
    unpaid_amount = fields.Monetary(string="Unpaid Orders", readonly=True,
                                    help="What the unpaid member and group orders ended in the month come to.")
    open_receivable = fields.Monetary(string="Open Receivables", readonly=True,
                                      help="The open balance of the receivables of the member and group orders "
                                           "ended in the month.")
    receivable_difference = fields.Monetary(readonly=True,
                                            help="Open receivables minus unpaid orders: zero when they agree.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        order_month = SQL(LOCAL_MONTH.format(ts="o.stop_date", tz=FALLBACK_TZ))
        revenue_accounts = SQL(", ".join(f"company.charge_revenue_{name}_account_id" for name in COMPONENTS))
        self.env.cr.execute(SQL("""
            CREATE VIEW %(table)s AS (
                WITH figures AS (
                    SELECT o.company_id, %(order_month)s AS month,
                           o.amount_total AS order_revenue, 0 AS gl_revenue,
                           CASE WHEN o.payment_state = 'unpaid' THEN o.amount_total ELSE 0 END AS unpaid_amount,
                           0 AS open_receivable
                      FROM charge_order o
                      JOIN res_company company ON company.id = o.company_id
                      JOIN res_partner cp ON cp.id = company.partner_id
                     WHERE o.state = 'completed' AND o.payment_state != 'reversed'
                       AND NOT COALESCE(o.occupancy_open, FALSE) AND o.stop_date IS NOT NULL
                 UNION ALL
                    SELECT line.company_id, %(refund_month)s, -line.amount, 0, 0, 0
                      FROM charge_wallet_transaction line
                      JOIN res_company company ON company.id = line.company_id
                      JOIN res_partner cp ON cp.id = company.partner_id
                     WHERE line.type = 'refund'
                 UNION ALL
                    SELECT aml.company_id, date_trunc('month', aml.date)::date, 0, -aml.balance, 0, 0
                      FROM account_move_line aml
                      JOIN res_company company ON company.id = aml.company_id
                     WHERE aml.parent_state = 'posted' AND aml.journal_id = company.charge_wallet_journal_id
                       AND (aml.account_id IN (%(revenue_accounts)s) OR aml.tax_repartition_line_id IS NOT NULL)
                 UNION ALL
                    SELECT o.company_id, %(order_month)s, 0, 0, 0, aml.amount_residual
                      FROM account_move_line aml
                      JOIN charge_order o ON o.id = aml.charge_order_id
                      JOIN res_company company ON company.id = o.company_id
                      JOIN res_partner cp ON cp.id = company.partner_id
                     WHERE aml.parent_state = 'posted' AND o.wallet_id IS NOT NULL AND o.stop_date IS NOT NULL
                )
                SELECT (figures.company_id * 100000 + (EXTRACT(YEAR FROM figures.month) - 2000) * 12
                        + EXTRACT(MONTH FROM figures.month))::integer AS id,
                       figures.company_id, company.currency_id, figures.month,
                       SUM(figures.order_revenue) AS order_revenue, SUM(figures.gl_revenue) AS gl_revenue,
                       SUM(figures.gl_revenue) - SUM(figures.order_revenue) AS revenue_difference,
                       SUM(figures.unpaid_amount) AS unpaid_amount, SUM(figures.open_receivable) AS open_receivable,
                       SUM(figures.open_receivable) - SUM(figures.unpaid_amount) AS receivable_difference
                  FROM figures
                  JOIN res_company company ON company.id = figures.company_id
              GROUP BY figures.company_id, company.currency_id, figures.month
            )
        """, table=SQL.identifier(self._table), order_month=order_month, revenue_accounts=revenue_accounts,
            refund_month=SQL(LOCAL_MONTH.format(ts="line.date", tz=FALLBACK_TZ))))

    def _month_bounds(self):
        self.ensure_one()
        return self.month, fields.Date.add(self.month, months=1)

    def _order_domain(self):
        """The orders of the row's month (their stop, in the operator's time zone)."""
        start, end = self._month_bounds()
        tz = self.company_id._charge_tz()
        return [("company_id", "=", self.company_id.id), ("stop_date", ">=", local_midnight_utc(start, tz)),
                ("stop_date", "<", local_midnight_utc(end, tz))]

    def action_view_orders(self):
        """The completed orders the row counts."""
        self.ensure_one()
        return window_action(self.env, "charge_billing.charge_order_action", self.env._("Completed Orders"),
                             context={"create": False},
                             domain=[*self._order_domain(), ("state", "=", "completed"),
                                     ("payment_state", "!=", "reversed"), ("occupancy_open", "=", False)])

    def action_view_unpaid_orders(self):
        self.ensure_one()
        action = self.action_view_orders()
        name = self.env._("Unpaid Orders")
        action.update(name=name, display_name=name, domain=action["domain"] + [("payment_state", "=", "unpaid")])
        return action

    def action_view_revenue_items(self):
        """The revenue and output tax items of the wallet journal in the month."""
        self.ensure_one()
        start, end = self._month_bounds()
        company = self.company_id
        accounts = [company[f"charge_revenue_{name}_account_id"].id for name in COMPONENTS]
        return window_action(
            self.env, "account.action_account_moves_all", self.env._("Revenue and Tax Items"),
            context={"search_default_group_by_move": 0},
            domain=[("company_id", "=", company.id), ("journal_id", "=", company.charge_wallet_journal_id.id),
                    ("parent_state", "=", "posted"), ("date", ">=", start), ("date", "<", end),
                    "|", ("account_id", "in", accounts), ("tax_repartition_line_id", "!=", False)])

    def action_view_receivable_items(self):
        """The receivable items of the member and group orders of the month."""
        self.ensure_one()
        orders = self.env["charge.order"].search([*self._order_domain(), ("wallet_id", "!=", False)])
        return window_action(self.env, "account.action_account_moves_all", self.env._("Order Receivables"),
                             context={"search_default_group_by_move": 0},
                             domain=[("charge_order_id", "in", orders.ids), ("parent_state", "=", "posted")])
