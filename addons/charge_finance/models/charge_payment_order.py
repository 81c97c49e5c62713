import logging
from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.charge_member.tools import wallet_math

from .demo_once import first_time
from .payment_provider import ENABLED_PROVIDER_STATES

_logger = logging.getLogger(__name__)

# payment.transaction states, and what the order shows for them until its wallet is credited
ORDER_STATES = [
    ("draft", "Waiting for Payment"),
    ("pending", "Pending"),
    ("authorized", "Authorized"),
    ("done", "Paid"),
    ("cancel", "Cancelled"),
    ("error", "Error"),
]
PURPOSES = [("recharge", "Wallet Recharge")]


class ChargePaymentOrder(models.Model):
    """A member's online payment: what is paid for (a wallet recharge), the
    amount, and the payment transactions of Odoo's ``payment`` module that
    carry it through a provider. The provider's notifications move the
    transaction's state; the order follows it, and credits the wallet once,
    when a transaction of exactly its amount is done. Notifications come
    again (providers resend them until acknowledged): a second one changes
    nothing. A transaction whose amount or currency differs from the
    order's is refused: the order goes to error, with the reason in its
    chatter, and nothing is credited."""
    _name = "charge.payment.order"
    _description = "Online Payment"
    _inherit = ["charge.wallet.document"]
    _order = "id desc"
    _rec_names_search = ["name", "provider_reference", "partner_id.name"]

    purpose = fields.Selection(PURPOSES, required=True, readonly=True, default="recharge")
    amount = fields.Monetary(required=True, readonly=True)
    provider_id = fields.Many2one("payment.provider", string="Payment Provider", required=True, readonly=True,
                                  ondelete="restrict", check_company=True)
    transaction_ids = fields.One2many("payment.transaction", "charge_payment_order_id", string="Transactions",
                                      readonly=True)
    state = fields.Selection(ORDER_STATES, required=True, default="draft", readonly=True, index=True,
                             tracking=True)
    state_message = fields.Text(string="Message", readonly=True)
    provider_reference = fields.Char(readonly=True, index="btree_not_null",
                                     help="The provider's reference of the payment.")
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    date_paid = fields.Datetime(string="Paid On", readonly=True)
    wallet_transaction_id = fields.Many2one("charge.wallet.transaction", string="Wallet Line", readonly=True,
                                            ondelete="cascade")

    _amount_positive = models.Constraint("CHECK(amount > 0)", "An online payment is a positive amount.")

    # Creation ------------------------------------------------------------------------------

    @api.model
    def _charge_start_recharge(self, wallet, amount, provider):
        """The payment order of an online recharge of ``wallet`` by ``amount``
        (a Decimal, as the member typed or picked it) through ``provider``,
        and its first transaction, waiting for the member to pay: (order,
        transaction). Refused unless the company takes online recharges of
        that amount through that provider, and the member may be credited."""
        company = wallet.company_id
        if not company.charge_online_recharge:
            raise UserError(self.env._("%s does not take online recharges.", company.name))
        wallet._check_can_receive()
        amount = company._charge_check_recharge_amount(Decimal(amount))
        self._charge_check_provider(provider, company)
        order = self.sudo().create({
            "company_id": company.id, "wallet_id": wallet.id, "purpose": "recharge", "amount": float(amount),
            "partner_id": (wallet.partner_id or wallet.group_id.partner_id).id, "provider_id": provider.id,
        })
        return order.with_env(self.env), order._charge_new_transaction()

    def _charge_check_provider(self, provider, company):
        if provider.state not in ENABLED_PROVIDER_STATES:
            raise UserError(self.env._("The payment provider %s is not enabled.", provider.name))
        if provider.company_id != company:
            raise UserError(self.env._("The payment provider %(provider)s is not %(company)s's.",
                                       provider=provider.name, company=company.name))
        if company.currency_id not in provider.sudo()._get_supported_currencies():
            raise UserError(self.env._("The payment provider %(provider)s does not take payments in %(currency)s.",
                                       provider=provider.name, currency=company.currency_id.name))
        if not provider.payment_method_ids.filtered("active"):
            raise UserError(self.env._("The payment provider %s has no payment method.", provider.name))

    def _charge_new_transaction(self):
        """A payment transaction for the order (a new one for each attempt)."""
        self.ensure_one()
        Transaction = self.env["payment.transaction"].sudo()
        provider = self.provider_id
        return Transaction.create({
            "provider_id": provider.id,
            "payment_method_id": provider.payment_method_ids.filtered("active")[:1].id,
            "reference": Transaction._compute_reference(provider.code, prefix=self.name),
            "amount": self.amount,
            "currency_id": self.currency_id.id,
            "partner_id": self.partner_id.id,
            "operation": "online_redirect",
            "charge_payment_order_id": self.id,
        })

    # The transactions' states ---------------------------------------------------------------

    def _charge_follow(self, transaction):
        """``transaction`` of this order reached a new state: the order
        follows it, and a done transaction credits the wallet (once)."""
        self.ensure_one()
        order = self.sudo()
        order._charge_lock()  # two notifications of one payment credit it once
        if order.wallet_transaction_id:
            return  # credited already: a later state of another transaction changes nothing
        if transaction.state == "done":
            order._charge_credit(transaction)
            return
        order.write({"state": transaction.state, "state_message": transaction.state_message or False,
                     "provider_reference": transaction.provider_reference or order.provider_reference})
        if transaction.state == "error":
            order.message_post(body=self.env._("Transaction %(reference)s failed: %(reason)s", reference=transaction.reference,
                                               reason=transaction.state_message or "-"))

    def _charge_credit(self, transaction):
        currency = self.currency_id
        refused = None
        if transaction.currency_id != currency:
            refused = self.env._("the payment is in %(paid)s, the order in %(ordered)s",
                                 paid=transaction.currency_id.name, ordered=currency.name)
        elif currency.compare_amounts(transaction.amount, self.amount) != 0:
            refused = self.env._("%(paid)s was paid for an order of %(ordered)s",
                                 paid=currency.format(transaction.amount), ordered=currency.format(self.amount))
        if refused:
            _logger.warning("online payment %s refused: transaction %s does not match the order (%s)", self.name,
                            transaction.reference, refused)
            message = self.env._("Transaction %(reference)s refused, nothing credited: %(reason)s.",
                                 reference=transaction.reference, reason=refused)
            self.write({"state": "error", "state_message": message})
            self.message_post(body=message)
            return
        amount = Decimal(str(self.amount))
        # the money was received: it is credited even if the member was frozen meanwhile
        line = self.wallet_id._post(
            "recharge", lambda balance: wallet_math.recharge(amount, False),
            reference=transaction.provider_reference or transaction.reference, payment_order_id=self.id,
            clearing_account_id=self.provider_id._charge_clearing_account().id or False,
            note=self.env._("Online recharge %(order)s through %(provider)s", order=self.name,
                            provider=self.provider_id.name))
        self.write({"state": "done", "state_message": False, "date_paid": fields.Datetime.now(),
                    "provider_reference": transaction.provider_reference or False,
                    "wallet_transaction_id": line.id})

    # Demo ------------------------------------------------------------------------------------

    @api.model
    def _charge_demo_online_recharges(self, rows):
        """Demo data: online recharges through Odoo's demo payment provider
        (when payment_demo is installed), one in each state. ``rows``:
        [member, amount, state the demo provider reports, days ago]."""
        provider = self.env.ref("payment.payment_provider_demo", raise_if_not_found=False)
        if not provider or provider.code != "demo" or provider.state not in ENABLED_PROVIDER_STATES:
            _logger.info("no demo payment provider (payment_demo): the demo has no online recharge")
            return self.browse()
        if not first_time(self.env, "online_recharges"):
            return self.browse()
        created = self.browse()
        now = fields.Datetime.now()
        for partner_id, amount, state, days_ago in rows:
            wallet = self.env["res.partner"].browse(partner_id)._charge_wallet()
            order, transaction = self._charge_start_recharge(wallet, Decimal(str(amount)), provider)
            if state != "draft":
                transaction.sudo()._process("demo", {"reference": transaction.reference, "simulated_state": state})
            order.sudo().date = now - timedelta(days=days_ago)
            created |= order
        return created

    # Actions ---------------------------------------------------------------------------------

    def action_view_transactions(self):
        self.ensure_one()
        domain = [("charge_payment_order_id", "=", self.id)]
        return {"type": "ir.actions.act_window", "name": self.env._("Transactions"), "res_model": "payment.transaction",
                "view_mode": "list,form", "domain": domain, "context": {"create": False}}
