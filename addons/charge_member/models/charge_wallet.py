from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.charge_billing.models.charge_order import OPEN_STATES

from ..tools import wallet_math
from ..tools.wallet_math import Balance, WalletError
from .member_messages import wallet_error


class ChargeWallet(models.Model):
    """A member's or a group's wallet. Its balances are never stored: they
    are the sums of its ledger (``charge.wallet.transaction``). Every
    movement goes through :meth:`_post`, which takes the wallet's row lock
    first, so concurrent debits of one wallet are serialised: the second
    waits for the first, and under Odoo's repeatable-read transactions it is
    retried on a fresh snapshot rather than spending money twice."""
    _name = "charge.wallet"
    _description = "Wallet"
    _inherit = ["mail.thread"]
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, index="trigram")
    partner_id = fields.Many2one("res.partner", string="Member", index=True, ondelete="restrict", readonly=True)
    group_id = fields.Many2one("charge.group", string="Group", index=True, ondelete="restrict", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True,
                                 default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    credit_limit = fields.Monetary(tracking=True, groups="charge_base.group_charge_manager",
                                   help="How far the balance may go below zero when charging.")
    ledger_version = fields.Integer(readonly=True, copy=False,
                                    help="Counts the ledger writes; updating it is the wallet's row lock.")
    transaction_ids = fields.One2many("charge.wallet.transaction", "wallet_id", string="Ledger")
    withdrawable_balance = fields.Monetary(string="Withdrawable Cash", compute="_compute_balances")
    on_account_balance = fields.Monetary(string="On-Account Cash", compute="_compute_balances")
    cash_balance = fields.Monetary(string="Cash Balance", compute="_compute_balances")
    gift_balance = fields.Monetary(string="Gift Balance", compute="_compute_balances")
    balance = fields.Monetary(compute="_compute_balances")
    available_amount = fields.Monetary(string="Available", compute="_compute_balances",
                                       help="Balance plus credit limit: what charging may still spend.")
    unpaid_order_count = fields.Integer(compute="_compute_unpaid_order_count")

    _partner_unique = models.Constraint("UNIQUE(partner_id, company_id)", "A member has one wallet per company.")
    _group_unique = models.Constraint("UNIQUE(group_id)", "A group has one wallet.")
    _one_owner = models.Constraint(
        "CHECK((partner_id IS NULL) != (group_id IS NULL))", "A wallet belongs to a member or to a group.")
    _credit_positive = models.Constraint("CHECK(credit_limit >= 0)", "A credit limit cannot be negative.")

    @api.depends("partner_id.name", "group_id.name")
    def _compute_name(self):
        for wallet in self:
            wallet.name = wallet.partner_id.name or wallet.group_id.name or ""

    @api.depends("transaction_ids.withdrawable_amount", "transaction_ids.on_account_amount",
                 "transaction_ids.gift_amount", "credit_limit")
    def _compute_balances(self):
        balances = self._balances() if self.ids else {}
        for wallet in self:
            balance = balances.get(wallet.id, Balance())
            wallet.withdrawable_balance = float(balance.withdrawable)
            wallet.on_account_balance = float(balance.on_account)
            wallet.cash_balance = float(balance.cash)
            wallet.gift_balance = float(balance.gift)
            wallet.balance = float(balance.total)
            wallet.available_amount = float(balance.available(wallet._credit_limit()))

    def _compute_unpaid_order_count(self):
        counts = dict(self.env["charge.order"]._read_group(
            [("wallet_id", "in", self.ids), ("payment_state", "=", "unpaid")], ["wallet_id"], ["__count"]))
        for wallet in self:
            wallet.unpaid_order_count = counts.get(wallet, 0)

    # Money -----------------------------------------------------------------------

    def _decimal(self, value):
        digits = (self.currency_id or self.env.company.currency_id).decimal_places
        return Decimal(str(value or 0)).quantize(Decimal(1).scaleb(-digits))

    def _credit_limit(self):
        return self._decimal(self.sudo().credit_limit)

    def _lock(self):
        """Take the wallets' row locks, in id order, for the rest of the
        transaction. It is an UPDATE, not a SELECT FOR UPDATE: a transaction
        whose snapshot predates a concurrent ledger write then fails with a
        serialization error (and is retried) instead of reading a stale balance."""
        if not self.ids:
            return
        self.env["charge.wallet.transaction"].flush_model()
        # one statement for the batch's wallets, their rows locked in id order by the subquery (as the other
        # writers take them: no deadlock between two batches)
        self.env.cr.execute("""
            UPDATE charge_wallet SET ledger_version = ledger_version + 1
             WHERE id IN (SELECT id FROM charge_wallet WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE)
        """, [sorted(self.ids)])
        self.invalidate_recordset(["ledger_version"])

    def _balances(self):
        """{wallet id: Balance}, summed from the ledger in SQL."""
        self.env["charge.wallet.transaction"].flush_model(["wallet_id", "withdrawable_amount",
                                                           "on_account_amount", "gift_amount"])
        self.env.cr.execute("""
            SELECT wallet_id, COALESCE(SUM(withdrawable_amount), 0), COALESCE(SUM(on_account_amount), 0),
                   COALESCE(SUM(gift_amount), 0)
              FROM charge_wallet_transaction
             WHERE wallet_id = ANY(%s)
          GROUP BY wallet_id
        """, [list(self.ids)])
        balances = {wallet_id: Balance() for wallet_id in self.ids}
        wallets = {wallet.id: wallet for wallet in self}  # their fields read together (prefetch)
        for wallet_id, withdrawable, on_account, gift in self.env.cr.fetchall():
            # Odoo reads numeric columns as floats: back to exact amounts in the currency's digits
            exact = wallets[wallet_id]._decimal
            balances[wallet_id] = Balance(exact(withdrawable), exact(on_account), exact(gift))
        return balances

    def _balance(self):
        self.ensure_one()
        return self._balances()[self.id]

    def _available(self):
        """Balance plus credit limit, read from the ledger now (not from the cache)."""
        self.ensure_one()
        return self._balance().available(self._credit_limit())

    def _spendable(self, exclude_orders=None):
        """Balance plus credit limit, less what the wallet's running orders
        (other than ``exclude_orders``) cost so far."""
        self.ensure_one()
        others = self.env["charge.order"].sudo().search([
            ("wallet_id", "=", self.id), ("state", "in", OPEN_STATES),
            ("id", "not in", exclude_orders.ids if exclude_orders else [])])
        return self._available() - sum((self._decimal(order.running_amount) for order in others), Decimal(0))

    def _post(self, kind, build, **values):
        """Lock the wallet, compute the movement of a line of ``kind`` from
        the balance with ``build(balance)`` and add the line (nothing when
        ``build`` returns None); ``values`` are its other fields (order, card,
        reference, note). A refusal is a UserError in the user's language. The
        operator is the current user, even though the line is written with
        superuser rights."""
        self.ensure_one()
        self._lock()
        balance = self._balance()
        try:
            movement = build(balance)
        except WalletError as error:
            raise wallet_error(self.env, error) from error
        if movement is None:
            return None
        # the ledger starts from the balance just read under the lock instead of locking and summing again
        line = self.env["charge.wallet.transaction"].sudo()._create_with_balances([{
            "wallet_id": self.id, "type": kind, "user_id": self.env.user.id,
            "withdrawable_amount": float(movement.withdrawable),
            "on_account_amount": float(movement.on_account), "gift_amount": float(movement.gift), **values,
        }], {self.id: balance})
        return line.with_env(self.env)

    def _check_can_receive(self):
        for member in self.partner_id:
            if member.charge_status == "frozen":
                raise UserError(self.env._("Member %s is frozen: unfreeze the member before recharging.",
                                           member.display_name))
            if member.charge_status == "blacklisted":
                raise UserError(self.env._("Member %s is blacklisted: the wallet cannot be recharged.",
                                           member.display_name))

    def _recharge(self, amount, on_account=False, reference=None, note=None):
        """Money received for the wallet (paid) or recorded on account."""
        self._check_can_receive()
        amount = self._checked(amount)
        return self._post("recharge", lambda balance: wallet_math.recharge(amount, on_account),
                          reference=reference, note=note)

    def _gift(self, amount, reference=None, note=None):
        amount = self._checked(amount)
        return self._post("gift", lambda balance: wallet_math.gift(amount), reference=reference, note=note)

    def _adjust(self, amount, bucket="cash", note=None):
        if not (note or "").strip():
            raise UserError(self.env._("An adjustment needs a note saying why."))
        amount = self._checked(amount)
        return self._post("adjustment", lambda balance: wallet_math.adjustment(balance, amount, bucket,
                                                                                self._credit_limit()), note=note)

    def _charge_card_fee(self, amount, card, note=None):
        amount = self._checked(amount)
        return self._post("card_fee", lambda balance: wallet_math.fee(balance, amount, self._credit_limit()),
                          card_id=card.id, note=note)

    def _try_pay(self, order, amount):
        """Pay ``amount`` for ``order`` (all it owes, or what a re-pricing
        added): the ledger line, recording the fee components it pays, or
        None when the balance and the credit limit together do not cover it."""
        amount = self._checked(amount)

        def payment(balance):
            try:
                return wallet_math.payment(balance, amount, self._credit_limit(),
                                           self.company_id.charge_wallet_priority)
            except WalletError as error:
                if error.code == "insufficient":
                    return None
                raise

        return self._post("payment", payment, order_id=order.id, **order._payment_component_values())

    @api.model
    def _pay_orders(self, orders):
        """Pay ``orders`` (completed, to pay or unpaid) from their wallets,
        each in full or not at all, in their order: the wallets are locked
        once (in id order), their balances read once, and the payment lines
        written by one ``_create_with_balances``. Returns ({amount: [ids of
        the orders paid that amount]}, {id of an order its wallet cannot
        pay: (amount, available)}); an order of amount zero is paid without
        a line."""
        wallets = orders.wallet_id
        wallets._lock()
        start = wallets._balances()
        balances = dict(start)
        lines = self.env["charge.wallet.transaction"].sudo().search([("order_id", "in", orders.ids)])
        lines_by_order = lines.grouped("order_id")
        paid, refused, vals_list = {}, {}, []
        empty = lines.browse()
        for order in orders:
            wallet = order.wallet_id
            amount = wallet._decimal(order.amount_total)
            if amount:
                amount = wallet._checked(amount)
                try:
                    movement = wallet_math.payment(balances[wallet.id], amount, wallet._credit_limit(),
                                                   wallet.company_id.charge_wallet_priority)
                except WalletError as error:
                    if error.code != "insufficient":
                        raise wallet_error(self.env, error) from error
                    refused[order.id] = (amount, balances[wallet.id].available(wallet._credit_limit()))
                    continue
                balances[wallet.id] = balances[wallet.id].apply(movement)
                vals_list.append({
                    "wallet_id": wallet.id, "type": "payment", "user_id": self.env.user.id, "order_id": order.id,
                    "withdrawable_amount": float(movement.withdrawable),
                    "on_account_amount": float(movement.on_account), "gift_amount": float(movement.gift),
                    **order._payment_component_values(lines=lines_by_order.get(order, empty)),
                })
            paid.setdefault(amount, []).append(order.id)
        if vals_list:
            # the ledger starts from the balances just read under the locks
            self.env["charge.wallet.transaction"].sudo()._create_with_balances(vals_list, start)
        return paid, refused

    def _checked(self, amount):
        try:
            return wallet_math.money(amount, self.currency_id.decimal_places)
        except WalletError as error:
            raise wallet_error(self.env, error) from error

    # Actions -------------------------------------------------------------------------

    def _action_open_wizard(self, model, name):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": model, "view_mode": "form", "target": "new",
                "name": name, "context": {"default_wallet_id": self.id}}

    def action_recharge(self):
        return self._action_open_wizard("charge.wallet.recharge", self.env._("Offline Recharge"))

    def action_adjust(self):
        return self._action_open_wizard("charge.wallet.adjust", self.env._("Balance Adjustment"))

    def action_view_ledger(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("charge_member.charge_wallet_transaction_action")
        action.update(domain=[("wallet_id", "=", self.id)], context={"default_wallet_id": self.id})
        return action

    def action_view_unpaid_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "res_model": "charge.order", "name": self.env._("Unpaid Orders"),
            "view_mode": "list,form", "domain": [("wallet_id", "=", self.id), ("payment_state", "=", "unpaid")],
        }

    def action_pay_unpaid_orders(self):
        """Pay the wallet's unpaid orders, oldest first, while the money lasts."""
        self.ensure_one()
        orders = self.env["charge.order"].search([("wallet_id", "=", self.id), ("payment_state", "=", "unpaid")],
                                                 order="stop_date, id")
        paid = orders._pay_from_wallet()
        if not paid:
            raise UserError(self.env._("The wallet cannot pay any of its unpaid orders yet."))
        return True

    @api.constrains("partner_id", "group_id", "company_id")
    def _check_owner_company(self):
        for wallet in self:
            owner_company = wallet.group_id.company_id or wallet.partner_id.company_id
            if owner_company and owner_company != wallet.company_id:
                raise ValidationError(self.env._("A wallet belongs to its owner's company."))
