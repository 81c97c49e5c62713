from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import online_recharge
from ..tools.online_recharge import RechargeRuleError

RECHARGE_FIELDS = ("charge_recharge_presets", "charge_recharge_default_amount", "charge_recharge_min_amount",
                   "charge_recharge_max_amount")


class ResCompany(models.Model):
    """The company's online recharges: on or off, the amounts offered on the
    recharge page, the bounds of any amount (tools/online_recharge.py)."""
    _inherit = "res.company"

    charge_online_recharge = fields.Boolean(
        string="Online Recharge", default=True,
        help="Members recharge their wallets online, through the enabled payment providers.")
    charge_recharge_presets = fields.Char(
        string="Preset Amounts", default="50, 100, 200, 500",
        help="The amounts offered as buttons on the recharge page, separated by commas; members may also type "
             "another amount between the minimum and the maximum.")
    charge_recharge_default_amount = fields.Monetary(
        string="Default Amount", currency_field="currency_id", default=100.0,
        help="The amount selected when the recharge page opens.")
    charge_recharge_min_amount = fields.Monetary(
        string="Minimum Recharge", currency_field="currency_id", default=1.0)
    charge_recharge_max_amount = fields.Monetary(
        string="Maximum Recharge", currency_field="currency_id", default=5000.0)
    charge_recharge_note = fields.Text(
        string="Recharge Notes", translate=True, help="Shown to members on the recharge page.")
    charge_provider_fee_account_id = fields.Many2one(
        "account.account", string="Payment Provider Fees", check_company=True,
        domain=[("account_type", "in", ("expense", "expense_other", "expense_direct_cost"))],
        help="The expense account of the fees the payment providers keep, booked with their settlements.")

    @api.constrains(*RECHARGE_FIELDS)
    def _check_charge_recharge_settings(self):
        for company in self:
            try:
                presets, minimum, maximum, default = company._charge_recharge_rules()
                online_recharge.check_settings(presets, default, minimum, maximum,
                                               company.currency_id.decimal_places)
            except RechargeRuleError as error:
                raise ValidationError(company._charge_recharge_message(error)) from error

    def _charge_recharge_rules(self):
        """(preset amounts, minimum, maximum, default amount) as Decimals."""
        self.ensure_one()
        return (online_recharge.parse_presets(self.charge_recharge_presets),
                self._charge_decimal(self.charge_recharge_min_amount),
                self._charge_decimal(self.charge_recharge_max_amount),
                self._charge_decimal(self.charge_recharge_default_amount))

    def _charge_decimal(self, value):
        """A company amount (a float of its currency) as a Decimal."""
        self.ensure_one()
        return Decimal(str(round(value or 0.0, self.currency_id.decimal_places)))

    def _charge_check_recharge_amount(self, amount):
        """``amount`` (a Decimal) if this company takes it as an online recharge, else a ValidationError."""
        self.ensure_one()
        _presets, minimum, maximum, _default = self._charge_recharge_rules()
        try:
            return online_recharge.check_amount(amount, minimum, maximum, self.currency_id.decimal_places)
        except RechargeRuleError as error:
            raise ValidationError(self._charge_recharge_message(error)) from error

    def _charge_recharge_message(self, error):
        params, code, _ = error.params, error.code, self.env._
        currency = self.currency_id
        money = {name: currency.format(float(value)) if currency else str(value)
                 for name, value in params.items() if name not in ("value", "digits")}
        messages = {
            "presets": lambda: _("%(value)s is not an amount: write the preset amounts as numbers separated by "
                                 "commas, e.g. 50, 100, 200.", value=params["value"]),
            "minimum": lambda: _("The minimum recharge must be above zero."),
            "bounds": lambda: _("The maximum recharge (%(maximum)s) is below the minimum (%(minimum)s).", **money),
            "default": lambda: _("The default amount %(default)s is not between the minimum %(minimum)s and the "
                                 "maximum %(maximum)s.", **money),
            "below": lambda: _("%(amount)s is below the minimum recharge of %(minimum)s.", **money),
            "above": lambda: _("%(amount)s is above the maximum recharge of %(maximum)s.", **money),
            "precision": lambda: _("%(amount)s has more decimals than the currency has (%(digits)s).",
                                   amount=params["amount"], digits=params["digits"]),
        }
        return messages[code]()


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    charge_online_recharge = fields.Boolean(related="company_id.charge_online_recharge", readonly=False)
    charge_recharge_presets = fields.Char(related="company_id.charge_recharge_presets", readonly=False)
    charge_recharge_default_amount = fields.Monetary(related="company_id.charge_recharge_default_amount",
                                                     readonly=False)
    charge_recharge_min_amount = fields.Monetary(related="company_id.charge_recharge_min_amount", readonly=False)
    charge_recharge_max_amount = fields.Monetary(related="company_id.charge_recharge_max_amount", readonly=False)
    charge_recharge_note = fields.Text(related="company_id.charge_recharge_note", readonly=False)
    charge_provider_fee_account_id = fields.Many2one(related="company_id.charge_provider_fee_account_id",
                                                     readonly=False)
