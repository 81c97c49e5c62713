from decimal import Decimal

from odoo import api, fields, models
from odoo.addons.base.models.res_users import check_identity
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.charge_member.tools import wallet_math
from odoo.addons.charge_member.tools.wallet_math import Movement


REFUND_STATES = [
    ("pending", "With Finance"),
    ("processing", "Waiting for the Provider"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
    ("error", "Failed"),
]
KINDS = [("order", "Charging Order"), ("recharge", "Recharge")]
METHODS = [("wallet", "Back to the Wallet"), ("offline", "Paid Offline"), ("online", "Through the Payment Provider")]
# refunds that hold part of what their source may still give back
OPEN_STATES = ("pending", "processing")


class ChargeRefund(models.Model):
    """A refund order (退款订单): money given back to a member, which
    finance processes after a second factor (the user's password again,
    Odoo's identity check).

    - of a charging order paid from a wallet: back to the wallet, the
      revenue and tax of each fee component reversed in proportion;
    - of a recharge (a paid one, not on account): the withdrawable cash
      leaves the wallet, paid back by hand (offline) or through the payment
      provider the recharge came from (online: the refund waits for the
      provider's confirmation, and a refused one puts the money back).

    Several refunds may take from one source, never more together than it
    can give back: what was paid, less what was refunded and what refunds
    still open hold. The source's row is locked while a refund is created or
    processed, so two refunds at the same moment cannot both take the
    last yuan."""
    _name = "charge.refund"
    _description = "Refund"
    _inherit = ["charge.wallet.document"]
    _order = "id desc"

    kind = fields.Selection(KINDS, required=True, readonly=True)
    order_id = fields.Many2one("charge.order", string="Charging Order", readonly=True, index="btree_not_null",
                               ondelete="restrict", check_company=True)
    recharge_line_id = fields.Many2one("charge.wallet.transaction", string="Recharge", readonly=True,
                                       index="btree_not_null", ondelete="cascade")
    payment_order_id = fields.Many2one(related="recharge_line_id.payment_order_id", string="Online Payment")
    amount = fields.Monetary(required=True, readonly=True)
    method = fields.Selection(METHODS, required=True, readonly=True)
    state = fields.Selection(REFUND_STATES, required=True, default="pending", readonly=True, index=True,
                             tracking=True)
    state_message = fields.Text(string="Message", readonly=True)
    reason = fields.Text(readonly=True)
    request_id = fields.Many2one("charge.refund.request", string="After-Sales Request", readonly=True,
                                 index="btree_not_null", ondelete="restrict")
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    processed_by_id = fields.Many2one("res.users", string="Processed By", readonly=True)
    date_processed = fields.Datetime(string="Processed On", readonly=True)
    wallet_transaction_id = fields.Many2one("charge.wallet.transaction", string="Wallet Line", readonly=True,
                                            ondelete="cascade")
    transaction_id = fields.Many2one("payment.transaction", string="Refund Transaction", readonly=True,
                                     ondelete="restrict")

    _amount_positive = models.Constraint("CHECK(amount > 0)", "A refund is a positive amount.")
    _one_source = models.Constraint(
        "CHECK((kind = 'order' AND order_id IS NOT NULL AND recharge_line_id IS NULL) OR "
        "(kind = 'recharge' AND recharge_line_id IS NOT NULL AND order_id IS NULL))",
        "A refund gives back a charging order or a recharge.")

    # What a source can give back --------------------------------------------------------

    def _charge_open_amount(self, domain):
        """What the open refunds of ``domain`` hold (a Decimal)."""
        groups = self.sudo()._read_group([*domain, ("state", "in", OPEN_STATES)], [], ["amount:sum"])
        return Decimal(str(groups[0][0] or 0))

    @api.model
    def _charge_order_refundable(self, order, excluding=None):
        """What ``order`` can still give back to its wallet: what its wallet
        lines paid, net of reversals and refunds done, less the open refunds
        (other than ``excluding``)."""
        domain = [("order_id", "=", order.id)] + ([("id", "!=", excluding.id)] if excluding else [])
        return order._wallet_paid() - self._charge_open_amount(domain)

    @api.model
    def _charge_recharge_refundable(self, line, excluding=None):
        """What a paid recharge line can still give back: its withdrawable
        amount less the refunds done and open (other than ``excluding``)."""
        domain = [("recharge_line_id", "=", line.id), ("state", "in", (*OPEN_STATES, "done"))]
        if excluding:
            domain.append(("id", "!=", excluding.id))
        groups = self.sudo()._read_group(domain, [], ["amount:sum"])
        return line.wallet_id._decimal(line.withdrawable_amount) - Decimal(str(groups[0][0] or 0))

    def _charge_lock_rows(self, table, ids):
        """Lock the rows of the source (an order, a wallet) a refund takes from,
        and touch them: a transaction that waited for this lock then fails to
        lock them itself (a concurrent update under REPEATABLE READ) and is
        retried with a snapshot that sees this refund, instead of computing
        what is refundable from its old one."""
        self.env.cr.execute(SQL("""
            UPDATE %(table)s t SET write_date = t.write_date
              FROM (SELECT id FROM %(table)s WHERE id = ANY(%(ids)s) ORDER BY id FOR UPDATE) locked
             WHERE t.id = locked.id
        """, table=SQL.identifier(table), ids=list(ids)))

    # Creation -----------------------------------------------------------------------------

    @api.model
    def _charge_refund_order(self, order, amount, reason, request=None):
        """A refund of ``amount`` (a Decimal) of the charging order ``order``
        back to its wallet, waiting for finance."""
        order = order.sudo()
        self._charge_lock_rows("charge_order", order.ids)
        order.invalidate_recordset()
        if order.state != "completed" or order.payment_state != "paid" or not order.wallet_id:
            raise UserError(self.env._("Only a completed order paid from a wallet can be refunded; %s is not.",
                                       order.name))
        amount = self._charge_checked_amount(amount, self._charge_order_refundable(order), order.name,
                                             order.currency_id)
        return self.sudo().create({
            "company_id": order.company_id.id, "partner_id": order.partner_id.id, "wallet_id": order.wallet_id.id,
            "kind": "order", "order_id": order.id, "amount": float(amount), "method": "wallet", "reason": reason,
            "request_id": request.id if request else False,
        }).with_env(self.env)

    @api.model
    def _charge_refund_recharge(self, line, amount, reason, method):
        """A refund of ``amount`` of the paid recharge ``line``: ``offline``
        (paid back by hand) or ``online`` (through the provider of its online
        payment), waiting for finance."""
        line = line.sudo()
        if line.type != "recharge" or line.withdrawable_amount <= 0:
            raise UserError(self.env._("Only a paid recharge can be refunded (not one on account); %s is not.",
                                       line.name))
        if method == "online":
            self._charge_check_online(line, amount)
        elif method != "offline":
            raise UserError(self.env._("A recharge is refunded offline or through its payment provider."))
        self._charge_lock_rows("charge_wallet", line.wallet_id.ids)
        amount = self._charge_checked_amount(amount, self._charge_recharge_refundable(line), line.name,
                                             line.wallet_id.currency_id)
        wallet = line.wallet_id
        return self.sudo().create({
            "company_id": wallet.company_id.id, "partner_id": (wallet.partner_id or wallet.group_id.partner_id).id,
            "wallet_id": wallet.id, "kind": "recharge", "recharge_line_id": line.id, "amount": float(amount),
            "method": method, "reason": reason,
        }).with_env(self.env)

    def _charge_check_online(self, line, amount):
        order = line.payment_order_id
        if not order:
            raise UserError(self.env._("Recharge %s was not paid online: refund it offline.", line.name))
        provider = order.provider_id
        support = provider.support_refund
        if support not in ("partial", "full_only"):
            raise UserError(self.env._("The payment provider %s cannot refund: refund the recharge offline.",
                                       provider.name))
        if support == "full_only" and Decimal(str(amount)) != Decimal(str(order.amount)):
            raise UserError(self.env._("The payment provider %s refunds whole payments only.", provider.name))

    def _charge_checked_amount(self, amount, refundable, document, currency):
        try:
            amount = wallet_math.money(amount, currency.decimal_places)
        except wallet_math.WalletError as error:
            raise ValidationError(self.env._("%s is not an amount of the currency.", amount)) from error
        if amount <= 0:
            raise ValidationError(self.env._("A refund is a positive amount."))
        if amount > refundable:
            raise ValidationError(self.env._(
                "%(document)s can give back at most %(refundable)s (what was paid, less what was refunded and what "
                "refunds waiting hold); %(amount)s is too much.", document=document, refundable=refundable,
                amount=amount))
        return amount

    # Processing -----------------------------------------------------------------------------

    @check_identity
    def action_process(self):
        """Finance processes the refund, after entering the password again."""
        self._charge_process()
        return True

    def _charge_process(self):
        if not self.env.user.has_group("account.group_account_user"):
            raise AccessError(self.env._("Only accountants process refunds."))
        for refund in self.sudo():
            refund._charge_lock()
            if refund.state != "pending":
                raise UserError(self.env._("Refund %s is not waiting for finance.", refund.name))
            refund.write({"processed_by_id": self.env.uid, "date_processed": fields.Datetime.now()})
            if refund.kind == "order":
                refund._charge_process_order()
            else:
                refund._charge_process_recharge()
        return True

    def _charge_process_order(self):
        order = self.order_id
        self._charge_lock_rows("charge_order", order.ids)
        self._charge_checked_amount(self.amount, self._charge_order_refundable(order, excluding=self), order.name,
                                    self.currency_id)
        line = order._refund_to_wallet(Decimal(str(self.amount)), self._charge_note(), refund_id=self.id)
        self.write({"state": "done", "wallet_transaction_id": line.id})
        self._charge_on_done()

    def _charge_process_recharge(self):
        line = self.recharge_line_id
        wallet = self.wallet_id
        self._charge_checked_amount(self.amount, self._charge_recharge_refundable(line, excluding=self), line.name,
                                    self.currency_id)
        amount = Decimal(str(self.amount))
        online = self.method == "online"
        clearing = (line.payment_order_id.provider_id._charge_clearing_account() if online
                    else line.clearing_account_id)
        debit = wallet._post("recharge_refund", lambda balance: wallet_math.cash_out(balance, amount),
                             refund_id=self.id, note=self._charge_note(), clearing_account_id=clearing.id or False,
                             payment_order_id=line.payment_order_id.id or False)
        self.write({"wallet_transaction_id": debit.id, "state": "processing" if online else "done"})
        if not online:
            self._charge_on_done()
            return
        source = line.payment_order_id.transaction_ids.filtered(lambda tx: tx.state == "done")[:1]
        refund_tx = source._create_child_transaction(float(amount), is_refund=True, charge_refund_id=self.id)
        self.transaction_id = refund_tx
        refund_tx._log_sent_message()
        try:
            refund_tx._send_refund_request()
        except ValidationError as error:
            refund_tx._set_error(str(error))

    def _charge_note(self):
        return self.env._("Refund %(refund)s: %(reason)s", refund=self.name, reason=self.reason or "-")

    def _charge_follow(self, transaction):
        """The provider's answer about an online refund's transaction."""
        self.ensure_one()
        refund = self.sudo()
        refund._charge_lock()
        if refund.state != "processing":
            return
        if transaction.state == "done":
            refund.write({"state": "done", "state_message": False})
            refund._charge_on_done()
        elif transaction.state in ("cancel", "error"):
            amount = Decimal(str(refund.amount))
            back = refund.wallet_id._post(
                "recharge_refund", lambda balance: Movement(withdrawable=amount), refund_id=refund.id,
                note=self.env._("Refund %s refused by the payment provider: the money is back", refund.name),
                clearing_account_id=refund.wallet_transaction_id.clearing_account_id.id or False,
                payment_order_id=refund.payment_order_id.id or False)
            message = transaction.state_message or self.env._("the payment provider refused the refund")
            refund.write({"state": "error", "state_message": message})
            refund.message_post(body=self.env._("The payment provider refused the refund (%(reason)s): %(amount)s "
                                                "put back in the wallet (%(line)s).", reason=message,
                                                amount=amount, line=back.name))

    def _charge_on_done(self):
        if self.request_id:
            self.request_id._charge_on_refund_done(self)

    def action_cancel(self):
        """A refund waiting for finance is cancelled (by finance or a charging
        manager): what it held is free again."""
        user = self.env.user
        if not (user.has_group("account.group_account_user") or user.has_group("charge_base.group_charge_manager")):
            raise AccessError(self.env._("Only accountants and charging managers cancel refunds."))
        for refund in self:
            if refund.state != "pending":
                raise UserError(self.env._("Only a refund waiting for finance can be cancelled; %s is not.",
                                           refund.name))
        self.sudo().write({"state": "cancel"})
        for refund in self.filtered("request_id"):
            refund.request_id._charge_on_refund_cancelled(refund)
        return True
