import logging
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytz

from odoo import api, fields, models
from odoo.addons.base.models.res_users import check_identity
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.charge_base.tools.local_time import local_date
from odoo.addons.charge_member.tools import wallet_math

from ..tools import posting, withdrawal_rules
from ..tools.posting import PostingError
from ..tools.withdrawal_rules import WithdrawalRuleError
from .one_by_one import each_in_savepoint

_logger = logging.getLogger(__name__)

WITHDRAWAL_STATES = [("pending", "Waiting"), ("done", "Paid"), ("cancel", "Cancelled")]
PAYOUT_METHODS = [("offline", "Paid Offline"), ("online", "Paid Online")]


class ChargeWithdrawal(models.Model):
    """A member's withdrawal (提现): cash leaving the wallet for the member's
    account. The amount leaves the wallet when it is asked for (a
    *Withdrawal* ledger line: the operator owes it, on the withdrawals
    payable); it is paid out, less the company's fee, by finance (offline,
    by hand, or online through the payment provider's transfer) or by a
    scheduled job within the company's limits for automatic processing; a
    cancelled request puts the amount back. The payout is an entry of its
    own: withdrawals payable against the clearing account the money leaves
    from and the fee revenue."""
    _name = "charge.withdrawal"
    _description = "Withdrawal"
    _inherit = ["charge.wallet.document"]
    _order = "id desc"

    amount = fields.Monetary(required=True, readonly=True, help="What leaves the wallet.")
    fee = fields.Monetary(readonly=True, help="What the operator keeps of it.")
    net_amount = fields.Monetary(string="Paid to the Member", compute="_compute_net_amount", store=True)
    provider_id = fields.Many2one("payment.provider", string="Payment Provider", readonly=True, ondelete="restrict",
                                  check_company=True, help="The channel that pays it online.")
    payee_name = fields.Char(string="Real Name", readonly=True)
    payee_account = fields.Char(string="Account", readonly=True, help="The member's account at the provider "
                                "(WeChat openid) or bank account.")
    state = fields.Selection(WITHDRAWAL_STATES, required=True, default="pending", readonly=True, index=True,
                             tracking=True)
    automatic = fields.Boolean(readonly=True, help="Within the company's limits: paid by the scheduled job.")
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    wallet_transaction_id = fields.Many2one("charge.wallet.transaction", string="Wallet Line", readonly=True,
                                            ondelete="cascade")
    release_transaction_id = fields.Many2one("charge.wallet.transaction", string="Release Line", readonly=True,
                                             ondelete="cascade")
    payout_method = fields.Selection(PAYOUT_METHODS, readonly=True)
    payout_reference = fields.Char(readonly=True)
    processed_by_id = fields.Many2one("res.users", string="Processed By", readonly=True)
    date_processed = fields.Datetime(string="Processed On", readonly=True)
    move_id = fields.Many2one("account.move", string="Payout Entry", readonly=True, copy=False,
                              groups="account.group_account_readonly")
    charge_posting_error = fields.Text(string="Posting Error", readonly=True, copy=False,
                                       groups="account.group_account_readonly")
    note = fields.Text()

    _amount_positive = models.Constraint("CHECK(amount > 0 AND fee >= 0 AND fee < amount)",
                                         "A withdrawal is a positive amount, and its fee less than it.")

    @api.depends("amount", "fee")
    def _compute_net_amount(self):
        for withdrawal in self:
            withdrawal.net_amount = withdrawal.amount - withdrawal.fee

    # Requests -----------------------------------------------------------------------------

    @api.model
    def _charge_request(self, wallet, amount, provider=None, payee_name=None, payee_account=None):
        """A member asks to withdraw ``amount`` (a Decimal) from ``wallet``,
        to be paid through ``provider`` (or offline): the amount leaves the
        wallet now."""
        company = wallet.company_id
        digits = company.currency_id.decimal_places
        for member in wallet.partner_id:
            if member.charge_status != "normal":
                raise UserError(self.env._("Member %s is frozen or blacklisted: no withdrawal.", member.display_name))
        try:
            amount = withdrawal_rules.check_request(Decimal(amount), company._charge_decimal(
                company.charge_withdrawal_min_amount), company.charge_withdrawal_enabled, digits)
            fee = withdrawal_rules.fee(amount, company.charge_withdrawal_fee_rate, digits)
        except WithdrawalRuleError as error:
            raise ValidationError(self._charge_rule_message(company, error)) from error
        if fee >= amount:
            raise ValidationError(self.env._("The fee of %s would take all of it.", amount))
        if provider:
            self.env["charge.payment.order"]._charge_check_provider(provider, company)
        wallet._lock()
        automatic = bool(provider) and provider._charge_can_transfer() and withdrawal_rules.automatic(
            amount, company.charge_withdrawal_auto, company._charge_decimal(company.charge_withdrawal_auto_max),
            self._charge_automatic_today(wallet), company.charge_withdrawal_daily_count)
        withdrawal = self.sudo().create({
            "company_id": company.id, "wallet_id": wallet.id,
            "partner_id": (wallet.partner_id or wallet.group_id.partner_id).id, "amount": float(amount),
            "fee": float(fee), "provider_id": provider.id if provider else False, "payee_name": payee_name,
            "payee_account": payee_account, "automatic": automatic,
        })
        on_account = company.charge_withdrawal_on_account
        line = wallet.sudo()._post("withdrawal", lambda balance: wallet_math.cash_out(balance, amount, on_account),
                                   withdrawal_id=withdrawal.id,
                                   note=self.env._("Withdrawal %s asked for", withdrawal.name))
        withdrawal.wallet_transaction_id = line
        if automatic:
            self.env.ref("charge_finance.ir_cron_withdrawal_auto")._trigger()
        return withdrawal.with_env(self.env)

    @api.model
    def _charge_automatic_today(self, wallet):
        """The wallet's automatic withdrawals asked for today (the company's day), not cancelled."""
        tz = pytz.timezone(wallet.company_id._charge_tz() or "UTC")
        today = datetime.now(tz).date()
        start = tz.localize(datetime.combine(today, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        return self.sudo().search_count([("wallet_id", "=", wallet.id), ("automatic", "=", True),
                                         ("state", "!=", "cancel"), ("date", ">=", start),
                                         ("date", "<", start + timedelta(days=1))])

    def _charge_rule_message(self, company, error):
        params, _ = error.params, self.env._
        messages = {
            "disabled": lambda: _("%s does not take withdrawals.", company.name),
            "minimum": lambda: _("The least that can be withdrawn is %(minimum)s.",
                                 minimum=company.currency_id.format(float(params.get("minimum", 0)))),
            "precision": lambda: _("%(amount)s has more decimals than the currency has.", amount=params.get("amount")),
            "rate": lambda: _("The withdrawal fee rate %(rate)s is not a percentage below 100.",
                              rate=params.get("rate")),
        }
        return messages[error.code]()

    # Payout ---------------------------------------------------------------------------------

    @check_identity
    def action_done_offline(self):
        """Finance paid the member by hand (bank transfer, cash): after the password again."""
        self._charge_pay("offline")
        return True

    @check_identity
    def action_pay_online(self):
        """Finance pays the member through the provider's transfer: after the password again."""
        self._charge_pay("online")
        return True

    def _charge_pay(self, method):
        if not (self.env.su or self.env.user.has_group("account.group_account_user")):
            raise AccessError(self.env._("Only accountants pay withdrawals out."))
        for withdrawal in self.sudo():
            withdrawal._charge_lock()
            if withdrawal.state != "pending":
                raise UserError(self.env._("Withdrawal %s is not waiting to be paid.", withdrawal.name))
            reference = False
            if method == "online":
                provider = withdrawal.provider_id
                if not provider or not provider._charge_can_transfer():
                    raise UserError(self.env._("Withdrawal %s has no payment provider that transfers money: pay it "
                                               "offline.", withdrawal.name))
                reference = provider._charge_transfer(withdrawal)
            withdrawal.write({"state": "done", "payout_method": method, "payout_reference": reference,
                              "processed_by_id": self.env.uid, "date_processed": fields.Datetime.now()})
            withdrawal._charge_post_payouts()
        return True

    def action_cancel(self):
        """A waiting request is cancelled: its amount goes back to the wallet."""
        user = self.env.user
        if not (self.env.su or user.has_group("account.group_account_user")
                or user.has_group("charge_base.group_charge_manager")):
            raise AccessError(self.env._("Only accountants and charging managers cancel withdrawals."))
        for withdrawal in self.sudo():
            withdrawal._charge_lock()
            if withdrawal.state != "pending":
                raise UserError(self.env._("Only a waiting withdrawal can be cancelled; %s is not.", withdrawal.name))
            held = withdrawal.wallet_transaction_id._movement()
            line = withdrawal.wallet_id._post("withdrawal", lambda balance: -held, withdrawal_id=withdrawal.id,
                                              note=self.env._("Withdrawal %s cancelled", withdrawal.name))
            withdrawal.write({"state": "cancel", "release_transaction_id": line.id})
        return True

    @api.model
    def _cron_pay_automatic(self):
        """The scheduled job pays the automatic requests through their
        provider; one that fails goes to finance, with the reason."""
        def failed(withdrawal, message):
            _logger.warning("automatic withdrawal %s failed: %s", withdrawal.name, message)
            withdrawal.write({"automatic": False})
            withdrawal.message_post(body=self.env._("Automatic payment failed, finance pays it: %s", message))

        waiting = self.sudo().search([("state", "=", "pending"), ("automatic", "=", True)], limit=200)
        each_in_savepoint(waiting, lambda withdrawal: withdrawal._charge_pay("online"), failed)

    # Posting ----------------------------------------------------------------------------------

    def _charge_post_payouts(self):
        """Post the payout of each withdrawal paid, in a savepoint: an error waits with the withdrawal."""
        def failed(withdrawal, message):
            _logger.warning("payout of withdrawal %s could not be posted: %s", withdrawal.name, message)
            withdrawal.charge_posting_error = message

        paid = self.sudo().filtered(lambda w: w.state == "done" and not w.move_id)
        not_ready = paid.filtered(lambda w: not w.company_id._charge_finance_ready())
        not_ready.charge_posting_error = self.env._("The company's wallet journal and accounts are not set.")
        each_in_savepoint(paid - not_ready, lambda withdrawal: withdrawal._charge_post_payout(), failed)

    def _charge_post_payout(self):
        company = self.company_id
        clearing = (self.provider_id._charge_clearing_account() if self.payout_method == "online"
                    else company.charge_recharge_clearing_account_id)
        try:
            specs = posting.withdrawal_payout_lines(company._charge_decimal(self.amount),
                                                    company._charge_decimal(self.fee), self.partner_id.id or None,
                                                    clearing.id or None)
        except PostingError as error:
            raise UserError(self.env._("Withdrawal %(withdrawal)s cannot be posted (%(reason)s).",
                                       withdrawal=self.name, reason=f"{error.code}: {error.params}")) from error
        env = company._charge_in_operator_lang(self).env
        move = self.env["account.move"]._charge_post_own_entry(
            company, local_date(self.date_processed or fields.Datetime.now(), company._charge_tz()),
            env._("Withdrawal %s paid out", self.name), specs)
        self.write({"move_id": move.id, "charge_posting_error": False})
        return move

    @api.model
    def _charge_post_pending_payouts(self, companies):
        self.sudo().search([("company_id", "in", companies.ids), ("state", "=", "done"),
                            ("move_id", "=", False)])._charge_post_payouts()
