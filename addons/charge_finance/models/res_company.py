from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.posting import COMPONENTS

POSTING_MODES = [("document", "One Entry per Document"), ("daily", "Daily Summary Entry")]


def _account_field(string, help_text, account_types):
    return fields.Many2one("account.account", string=string, help=help_text, check_company=True,
                           domain=[("account_type", "in", account_types)])


def _tax_field(string):
    return fields.Many2one("account.tax", string=string, check_company=True, domain=[("type_tax_use", "=", "sale")],
                           help="Output VAT of this fee component. Consumer prices include VAT: the tax is always "
                                "computed as included in the amount, even when the tax itself is price-excluded.")


LIABILITY_TYPES = ("liability_current", "liability_non_current")
INCOME_TYPES = ("income", "income_other")
EXPENSE_TYPES = ("expense", "expense_other", "expense_direct_cost")


class ResCompany(models.Model):
    _inherit = "res.company"

    charge_wallet_journal_id = fields.Many2one(
        "account.journal", string="Wallet Journal", check_company=True, domain=[("type", "=", "general")],
        help="The journal of the entries posting the wallet ledger.")
    charge_cash_liability_account_id = _account_field(
        "Wallet Cash Liability", "What the wallets hold in cash: withdrawable and on-account money.", LIABILITY_TYPES)
    charge_gift_liability_account_id = _account_field(
        "Wallet Gift Liability", "What the wallets hold in gift money.", LIABILITY_TYPES)
    charge_revenue_electricity_account_id = _account_field(
        "Electricity Revenue", "Revenue of the electricity fee of charging orders.", INCOME_TYPES)
    charge_revenue_service_account_id = _account_field(
        "Service Fee Revenue", "Revenue of the service fee of charging orders.", INCOME_TYPES)
    charge_revenue_reservation_account_id = _account_field(
        "Reservation Fee Revenue", "Revenue of the reservation fee of charging orders.", INCOME_TYPES)
    charge_revenue_occupancy_account_id = _account_field(
        "Occupancy Fee Revenue", "Revenue of the occupancy fee of charging orders.", INCOME_TYPES)
    charge_card_fee_account_id = _account_field(
        "Card Fee Revenue", "Revenue of the card fees taken from wallets.", INCOME_TYPES)
    charge_marketing_expense_account_id = _account_field(
        "Marketing Expenses", "The cost of the gift money credited to wallets.", EXPENSE_TYPES)
    charge_recharge_clearing_account_id = fields.Many2one(
        "account.account", string="Recharge Clearing", check_company=True,
        domain=[("account_type", "in", ("asset_current", "asset_cash"))],
        help="Paid recharges: money received for the wallets and not yet matched with the bank.")
    charge_adjustment_account_id = fields.Many2one(
        "account.account", string="Adjustment Account", check_company=True,
        help="The other side of cash adjustments of wallets; empty: the marketing expenses account.")
    charge_tax_electricity_id = _tax_field("Electricity VAT")
    charge_tax_service_id = _tax_field("Service Fee VAT")
    charge_tax_reservation_id = _tax_field("Reservation Fee VAT")
    charge_tax_occupancy_id = _tax_field("Occupancy Fee VAT")
    charge_posting_mode = fields.Selection(
        POSTING_MODES, string="Wallet Posting", default="document", required=True,
        help="One journal entry per wallet ledger line, posted at once; or one summary entry per day, "
             "posted by a daily job for the days before today.")

    @api.constrains("charge_cash_liability_account_id", "charge_gift_liability_account_id")
    def _check_charge_liability_accounts(self):
        for company in self:
            cash, gift = company.charge_cash_liability_account_id, company.charge_gift_liability_account_id
            if cash and cash == gift:
                raise ValidationError(self.env._(
                    "The cash and the gift liabilities of the wallets need two different accounts: the "
                    "reconciliation compares each with the wallets."))

    @api.constrains("charge_tax_electricity_id", "charge_tax_service_id", "charge_tax_reservation_id",
                    "charge_tax_occupancy_id")
    def _check_charge_taxes(self):
        for company in self:
            for component in COMPONENTS:
                tax = company[f"charge_tax_{component}_id"]
                if tax and (tax.type_tax_use != "sale" or tax.amount_type not in ("percent", "division", "group")):
                    raise ValidationError(self.env._(
                        "Tax %s cannot tax a charging fee: use a sale tax computed as a percentage.",
                        tax.display_name))

    def write(self, vals):
        """Leaving the daily summary for one entry per document posts the
        lines still waiting for their summary first, up to now."""
        leaving = self.browse()
        if vals.get("charge_posting_mode") == "document":
            leaving = self.filtered(lambda company: company.charge_posting_mode == "daily")
        if leaving:
            transactions = self.env["charge.wallet.transaction"]
            transactions._charge_post_pending(leaving, up_to=transactions._charge_now_cutoff())
        return super().write(vals)

    # Accounts ---------------------------------------------------------------------

    def _charge_finance_ready(self):
        """True when the company has the wallet journal and every wallet account."""
        self.ensure_one()
        accounts = self.env["account.chart.template"]._charge_finance_accounts()
        return bool(self.charge_wallet_journal_id) and all(self[field] for field in accounts)

    def _charge_role_accounts(self):
        """{posting role: account} of the roles whose account is the company's
        (not the receivable, which is the partner's, nor the tax lines, whose
        account comes from the tax)."""
        self.ensure_one()
        accounts = {
            "cash_liability": self.charge_cash_liability_account_id,
            "gift_liability": self.charge_gift_liability_account_id,
            "clearing": self.charge_recharge_clearing_account_id,
            "marketing_expense": self.charge_marketing_expense_account_id,
            "adjustment": self.charge_adjustment_account_id or self.charge_marketing_expense_account_id,
            "card_fee": self.charge_card_fee_account_id,
        }
        accounts.update({f"revenue_{name}": self[f"charge_revenue_{name}_account_id"] for name in COMPONENTS})
        return accounts

    # Setup ------------------------------------------------------------------------

    def _charge_finance_setup(self):
        """Give the companies that have a chart of accounts what charge_finance
        adds to every chart (models/account_chart_template.py): the wallet
        journal, the wallet accounts and, with the Chinese charts, the VAT of
        the fee components, wherever the company has none. What is configured
        is kept; a company without a chart is left alone."""
        ChartTemplate = self.env["account.chart.template"]
        for company in self.filtered("chart_template").sorted("parent_path"):
            ChartTemplate._charge_finance_load(company)
