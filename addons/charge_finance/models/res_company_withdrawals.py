from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """The company's withdrawals (提现): on or off, the fee, the minimum, what
    is processed automatically, whether on-account money may leave, and
    their two accounts (brought by the chart template with the wallet
    accounts, models/account_chart_template.py)."""
    _inherit = "res.company"

    charge_withdrawal_enabled = fields.Boolean(
        string="Withdrawals", default=True,
        help="Members may ask to withdraw the cash of their wallet.")
    charge_withdrawal_fee_rate = fields.Float(
        string="Withdrawal Fee (%)", digits=(5, 2), default=0.0,
        help="Kept by the operator out of each withdrawal, rounded to the cent.")
    charge_withdrawal_min_amount = fields.Monetary(
        string="Minimum Withdrawal", currency_field="currency_id", default=1.0)
    charge_withdrawal_auto = fields.Boolean(
        string="Automatic Processing", default=False,
        help="Requests within the limits below are paid through their payment provider by a scheduled job; the "
             "others wait for finance.")
    charge_withdrawal_auto_max = fields.Monetary(
        string="Automatic Processing up to", currency_field="currency_id", default=500.0,
        help="A larger request is processed by hand.")
    charge_withdrawal_daily_count = fields.Integer(
        string="Automatic Withdrawals per Member and Day", default=1,
        help="A member's requests beyond this number in a day are processed by hand.")
    charge_withdrawal_on_account = fields.Boolean(
        string="On-Account Money Withdrawable", default=False,
        help="Members may also withdraw money recharged on account. Gift money is never withdrawable.")
    charge_withdrawal_note = fields.Text(string="Withdrawal Notes", translate=True,
                                         help="Shown to members on the withdrawal page.")
    charge_withdrawal_payable_account_id = fields.Many2one(
        "account.account", string="Withdrawals Payable", check_company=True,
        domain=[("account_type", "in", ("liability_current", "liability_non_current"))],
        help="What the operator owes the members who asked to withdraw, until it pays them.")
    charge_withdrawal_fee_account_id = fields.Many2one(
        "account.account", string="Withdrawal Fee Revenue", check_company=True,
        domain=[("account_type", "in", ("income", "income_other"))])

    @api.constrains("charge_withdrawal_fee_rate", "charge_withdrawal_min_amount", "charge_withdrawal_auto_max",
                    "charge_withdrawal_daily_count")
    def _check_charge_withdrawal_settings(self):
        for company in self:
            if not 0 <= company.charge_withdrawal_fee_rate < 100:
                raise ValidationError(self.env._("The withdrawal fee is a percentage from 0 to below 100."))
            if company.charge_withdrawal_min_amount < 0 or company.charge_withdrawal_auto_max < 0 \
                    or company.charge_withdrawal_daily_count < 0:
                raise ValidationError(self.env._("The withdrawal limits cannot be negative."))

    def _charge_role_accounts(self):
        accounts = super()._charge_role_accounts()
        accounts["withdrawal_payable"] = self.charge_withdrawal_payable_account_id
        accounts["withdrawal_fee"] = self.charge_withdrawal_fee_account_id
        return accounts


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    charge_withdrawal_enabled = fields.Boolean(related="company_id.charge_withdrawal_enabled", readonly=False)
    charge_withdrawal_fee_rate = fields.Float(related="company_id.charge_withdrawal_fee_rate", readonly=False)
    charge_withdrawal_min_amount = fields.Monetary(related="company_id.charge_withdrawal_min_amount",
                                                   readonly=False)
    charge_withdrawal_auto = fields.Boolean(related="company_id.charge_withdrawal_auto", readonly=False)
    charge_withdrawal_auto_max = fields.Monetary(related="company_id.charge_withdrawal_auto_max", readonly=False)
    charge_withdrawal_daily_count = fields.Integer(related="company_id.charge_withdrawal_daily_count",
                                                   readonly=False)
    charge_withdrawal_on_account = fields.Boolean(related="company_id.charge_withdrawal_on_account", readonly=False)
    charge_withdrawal_note = fields.Text(related="company_id.charge_withdrawal_note", readonly=False)
    charge_withdrawal_payable_account_id = fields.Many2one(
        related="company_id.charge_withdrawal_payable_account_id", readonly=False)
    charge_withdrawal_fee_account_id = fields.Many2one(related="company_id.charge_withdrawal_fee_account_id",
                                                       readonly=False)
