import logging
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.charge_billing.models.charge_order import OPEN_STATES
from odoo.addons.charge_billing.tools import pricing
from odoo.addons.charge_billing.tools.tou_grid import TariffError

from ..tools import refund_math, wallet_math
from ..tools.wallet_math import Movement
from .charge_wallet_transaction import FEE_COMPONENTS

_logger = logging.getLogger(__name__)

PAYMENT_STATES = [
    ("none", "No Wallet"),
    ("to_pay", "To Pay"),
    ("paid", "Paid"),
    ("unpaid", "Unpaid"),
    ("reversed", "Reversed"),
    ("on_card", "Paid on Card"),
]


class ChargeOrder(models.Model):
    """Orders of members: the paying wallet is fixed at the start, the
    running cost is watched while charging, and the order is paid from the
    wallet when it is final."""
    _inherit = "charge.order"

    card_id = fields.Many2one("charge.card", string="Card", readonly=True, index=True)
    group_id = fields.Many2one("charge.group", string="Group", readonly=True, index=True)
    wallet_id = fields.Many2one("charge.wallet", string="Paying Wallet", readonly=True, index=True)
    payment_state = fields.Selection(PAYMENT_STATES, string="Payment", default="none", required=True,
                                     readonly=True, index=True, tracking=True, copy=False)
    paid_date = fields.Datetime(string="Paid On", readonly=True, copy=False)
    wallet_transaction_ids = fields.One2many("charge.wallet.transaction", "order_id", string="Wallet Lines",
                                             readonly=True)
    paid_cash = fields.Monetary(compute="_compute_paid", string="Paid in Cash")
    paid_gift = fields.Monetary(compute="_compute_paid", string="Paid with Gift")
    running_amount = fields.Monetary(string="Running Cost", readonly=True,
                                     help="The cost so far, from the live meter values and the tariff.")
    funds_stop_sent = fields.Boolean(readonly=True, copy=False,
                                     help="The platform stopped the charge: the wallet could not pay more.")
    reversal_reason = fields.Text(readonly=True, copy=False)

    @api.depends("wallet_transaction_ids")
    def _compute_paid(self):
        for order in self:
            lines = order.wallet_transaction_ids
            order.paid_cash = -sum(lines.mapped("cash_amount"))
            order.paid_gift = -sum(lines.mapped("gift_amount"))

    # Who pays ------------------------------------------------------------------------------

    @api.model
    def _new_order_values(self, session):
        """The card, VIN or app tag of the session names the member, the
        start method and the wallet that pays."""
        values = super()._new_order_values(session)
        owner = self.env["charge.card"]._resolve_tag(session.company_id, session.id_tag, session.pile_id)
        if owner:
            values.update(start_method=owner["method"], **self._payer_values(owner))
        return values

    @api.model
    def _payer_values(self, owner):
        """The order's values for the payer ``owner`` (see ``charge.card._resolve_tag``)."""
        card = owner["card"]
        state = "on_card" if card and card.card_type == "stored_value" else (
            "to_pay" if owner["wallet"] else "none")
        return {"card_id": card.id, "group_id": owner["group"].id, "wallet_id": owner["wallet"].id,
                "partner_id": owner["partner"].id, "payment_state": state}

    def write(self, vals):
        if vals.get("state") == "voided" and "payment_state" not in vals:
            # a voided order is not paid; one already paid must be reversed first
            if self.filtered(lambda o: o.payment_state == "paid"):
                raise UserError(self.env._("Reverse the payment of a paid order before voiding it."))
            unpaid = self.filtered(lambda o: o.payment_state in ("to_pay", "unpaid"))
            if unpaid:
                super(ChargeOrder, unpaid).write({"payment_state": "none"})
        return super().write(vals)

    # Running cost ------------------------------------------------------------------------

    def _charge_spent(self):
        """What the order costs its wallet: the total once final, the running cost before."""
        self.ensure_one()
        return self.amount_total if self.state not in OPEN_STATES else self.running_amount

    def _available_for(self):
        """What the order may spend: what its wallet can spend besides the
        wallet's other running orders, capped by the group member's amount limits."""
        self.ensure_one()
        available = self.wallet_id.sudo()._spendable(exclude_orders=self)
        if self.group_id and self.partner_id:
            line = self.group_id.member_ids.filtered(lambda m: m.partner_id == self.partner_id)[:1]
            left = line._usage(exclude_orders=self).amount_left() if line else None
            if left is not None:
                available = min(available, left)
        return available

    def _running_cost(self):
        """The order's cost on its latest reading: the bill the final pricing
        would write if the session ended there (an e-bike's ends now, its cost
        grows with time). 0 without a tariff snapshot or a session; raises
        TariffError when the engine cannot price it (the cost is unknown)."""
        self.ensure_one()
        if not self.session_id:
            return Decimal(0)
        # charge_billing's live bill: the one the order's live figures show
        bill = self._live_bill()
        return bill.total if bill is not None else Decimal(0)

    def _running_cost_bound(self):
        """A cheap upper bound of the car running cost (energy at the dearest
        band price plus the reservation fee), or None when there is none."""
        try:
            tariff = self._snapshot()
        except TariffError:
            return None
        if not isinstance(tariff, pricing.CarTariff):
            return None
        try:
            dearest = max(price.electricity + price.service for price in pricing.effective_prices(tariff).values())
        except (TariffError, ValueError):
            return None
        session = self.session_id
        energy = Decimal(max(session.meter_last - session.meter_start, 0)) / 1000
        return energy * dearest + tariff.reservation_fee

    def _watch_running_cost(self):
        """Stop the charges whose cost reached what their wallet may spend.
        A charge the tariff cannot price is watched on the cheap upper bound
        of its cost, and stopped when there is none (see ``_running_cost_unknown``)."""
        for order in self.filtered(lambda o: o.wallet_id and o.state == "charging" and not o.funds_stop_sent
                                   and o.payment_state == "to_pay"):
            available = order._available_for()
            bound = order._running_cost_bound()
            if bound is not None and bound < available:
                continue
            try:
                cost = order._running_cost()
            except TariffError as error:
                order._running_cost_unknown(error, bound, available)
                continue
            order.sudo().running_amount = float(cost)
            if cost >= available:
                order._stop_for_funds(cost, available)

    def _running_cost_unknown(self, error, bound, available):
        """The tariff cannot price the running charge: what the wallet pays
        for cannot be known, so the charge is not left running unchecked. It
        is only watched once its upper bound (when there is one) reached what
        the wallet may spend: the platform stops it then, with a chatter
        message saying why; its running cost stays as it was."""
        self.ensure_one()
        _logger.warning("Order %s: the tariff cannot price the running charge (%s); the charge is stopped.",
                        self.name, error)
        if bound is not None:
            note = self.env._("Stopped by the platform: the tariff cannot price the charge (%(error)s) and its "
                              "upper estimate %(bound)s reached the %(available)s the wallet can pay.",
                              error=error, bound=bound, available=available)
        else:
            note = self.env._("Stopped by the platform: the tariff cannot price the charge (%(error)s), so what "
                              "the wallet can pay (%(available)s) cannot be watched.", error=error,
                              available=available)
        self._stop_for_funds(bound, available, note=note)

    def _stop_for_funds(self, cost, available, note=None):
        self.ensure_one()
        note = note or self.env._("Stopped by the platform: the running cost %(cost)s reached the %(available)s "
                                  "the wallet can pay.", cost=cost, available=available)
        if self.pile_id.online:
            command = self.env["charge.device.command"]._send(
                self.pile_id, "RemoteStopTransaction", {"transactionId": self.session_id.id},
                connector=self.connector_id)
            self.write({"state": "stopping", "stop_command_id": command.id, "funds_stop_sent": True})
        else:
            self.write({"funds_stop_sent": True})
        self.message_post(body=note)

    # Payment ---------------------------------------------------------------------------------

    def _on_order_completed(self):
        """The final orders are paid from their wallets (together, in their
        order), and their members' last charge dates move forward."""
        super()._on_order_completed()
        to_pay = self.filtered(lambda o: o.payment_state == "to_pay")
        to_pay._pay_from_wallet()
        self._note_last_charge()

    def _note_last_charge(self):
        """Each member's last charge date: the latest stop of these orders,
        when later. A statistic, written by one UPDATE for the whole batch: a
        partner's ORM write costs over a millisecond (commercial fields,
        users...) and a settled batch may have 200 members."""
        now, latest = fields.Datetime.now(), {}
        for order in self.filtered(lambda o: o.partner_id.charge_member):
            when = order.stop_date or now
            latest[order.partner_id.id] = max(latest.get(order.partner_id.id, when), when)
        if not latest:
            return
        partners = self.env["res.partner"].browse(latest)
        partners.flush_recordset(["charge_last_charge_date"])
        self.env.cr.execute(SQL("""
            UPDATE res_partner AS partner SET charge_last_charge_date = latest.stop
              FROM (VALUES %s) AS latest (id, stop)
             WHERE partner.id = latest.id
               AND (partner.charge_last_charge_date IS NULL OR partner.charge_last_charge_date < latest.stop)
        """, SQL(", ").join(SQL("(%s, %s::timestamp)", id_, when) for id_, when in latest.items())))
        partners.invalidate_recordset(["charge_last_charge_date"])

    def _pay_from_wallet(self):
        """Pay the orders from their wallets, in full or not at all; returns
        the paid ones. The orders are paid together (``charge.wallet.
        _pay_orders``: each wallet locked once, one ledger line per order
        written by one create, the orders written together), in their
        order: an order the wallet cannot pay after the ones before it is
        left unpaid."""
        due = self.filtered(lambda o: o.state == "completed" and o.payment_state in ("to_pay", "unpaid"))
        if not due:
            return self.browse()
        paid, refused = self.env["charge.wallet"].sudo()._pay_orders(due.sudo())
        paid_ids = {id_ for ids in paid.values() for id_ in ids}
        # the amounts paid (by one UPDATE), then one write of the payments (charge_finance then looks once for
        # entries to redo)
        self._note_running_amounts(paid)
        self.browse(paid_ids).sudo().write({"payment_state": "paid", "paid_date": fields.Datetime.now()})
        for order_id, (amount, available) in refused.items():
            order = self.browse(order_id)
            if order.payment_state != "unpaid":
                order.sudo().payment_state = "unpaid"
                order.message_post(body=order.env._(
                    "Unpaid: the wallet cannot pay %(amount)s (%(available)s available).",
                    amount=amount, available=available))
        return self.browse([order.id for order in due if order.id in paid_ids])

    def _note_running_amounts(self, amounts):
        """Write ``amounts`` ({amount: [order ids]}) as the orders' running
        cost: a figure nothing tracks, checks or computes from, which an ORM
        write per distinct amount (nearly one per order in a settled batch)
        made cost a millisecond an order. The values go to the cache as
        pending writes, so that the flush writes them in the same UPDATE as
        the payment's state and date (one statement for the batch: a second
        UPDATE of the same rows cost as much again in PostgreSQL)."""
        field = self._fields["running_amount"]
        orders = self.browse([id_ for ids in amounts.values() for id_ in ids])
        orders.mapped("currency_id")  # read together: the amounts are rounded in each order's currency
        for amount, ids in amounts.items():
            field.write(self.browse(ids).with_prefetch(orders._ids), float(amount))
        orders.modified(["running_amount"])

    def action_pay(self):
        """A clerk settles unpaid orders once their wallets can pay."""
        orders = self.filtered(lambda o: o.payment_state == "unpaid")
        if not orders:
            raise UserError(self.env._("None of these orders is waiting for payment."))
        paid = orders._pay_from_wallet()
        if orders - paid:
            raise UserError(self.env._("The wallet still cannot pay order(s) %s.",
                                       ", ".join((orders - paid).mapped("name"))))
        return True

    def _payment_movement(self):
        """What the order's payment lines took, net of earlier reversals."""
        total = Movement()
        for line in self.wallet_transaction_ids:
            total = total + line._movement()
        return total

    def _reverse_payment(self, reason):
        """Give back exactly the cash and gift the order took."""
        self.ensure_one()
        if not (reason or "").strip():
            raise UserError(self.env._("A reversal needs a reason."))
        if self.state != "completed" or self.payment_state != "paid":
            raise UserError(self.env._("Only a completed, paid order can be reversed; %s is not.", self.name))
        taken = self._payment_movement()
        line = self.env["charge.wallet.transaction"]
        if not taken.is_zero:
            payment = self.wallet_transaction_ids.filtered(lambda l: l.type == "payment")[:1]
            line = self.wallet_id.sudo()._post("reversal", lambda balance: -taken, order_id=self.id, note=reason,
                                               reversal_of_id=payment.id,
                                               **self._payment_component_values(reverse=True))
        self.sudo().write({"payment_state": "reversed", "reversal_reason": reason})
        self.message_post(body=self.env._("Payment reversed: %s", reason))
        return line

    def _wallet_paid(self):
        """What the order's wallet lines took, net of reversals and refunds (a Decimal)."""
        self.ensure_one()
        return -self._payment_movement().total

    def _refund_to_wallet(self, amount, note, **values):
        """Give ``amount`` (a Decimal) of what the order's wallet paid back to
        the wallet: a refund line, from the buckets the payment took last (as
        a re-pricing does: gift money never comes back as withdrawable cash),
        recording the share of each fee component it gives back
        (tools/refund_math.py) so that its posting reverses revenue and tax
        in proportion. ``values``: more fields of the line."""
        self.ensure_one()
        if self.state != "completed" or self.payment_state != "paid" or not self.wallet_id:
            raise UserError(self.env._("Only a completed order paid from a wallet is refunded to it; %s is not.",
                                       self.name))
        wallet = self.wallet_id.sudo()
        taken = self._payment_movement()
        paid = -taken.total
        amount = Decimal(amount)
        if amount <= 0 or amount > paid:
            raise UserError(self.env._("Order %(order)s can give back at most %(paid)s to its wallet, not %(amount)s.",
                                       order=self.name, paid=paid, amount=amount))
        priority = self.company_id.charge_wallet_priority
        components = self._refund_component_values(amount)

        def movement(balance):
            return -taken if amount == paid else wallet_math.repricing_refund(taken, paid - amount, priority)

        line = wallet._post("refund", movement, order_id=self.id, note=note, **components, **values)
        self.message_post(body=self.env._("Refunded %(amount)s to the wallet: %(note)s", amount=amount, note=note))
        return line.with_env(self.env)

    def _wallet_component_amounts(self):
        """{component: Decimal} what the order's wallet lines still pay of
        each fee component, refunds deducted (the order's amounts less the
        refunds when a line recorded none)."""
        self.ensure_one()
        lines = self.env["charge.wallet.transaction"].sudo().search([("order_id", "=", self.id)])
        wallet = self.wallet_id
        if all(line._charge_paid_components() is not None for line in lines):
            return {name: sum((wallet._decimal(line[f"paid_{name}"]) for line in lines), Decimal(0))
                    for name in FEE_COMPONENTS}
        given_back = lines.filtered(lambda line: line.type == "refund")
        return {name: wallet._decimal(self[f"amount_{name}"]) + sum(
            (wallet._decimal(line[f"paid_{name}"]) for line in given_back), Decimal(0)) for name in FEE_COMPONENTS}

    def _refund_component_values(self, amount):
        """The paid_<component> values of a refund line of ``amount``: minus
        the share of each component, in proportion to what its wallet lines
        still pay of it."""
        held = self._wallet_component_amounts()
        try:
            shares = refund_math.split(amount, held, self.currency_id.decimal_places)
        except refund_math.RefundError as error:
            raise UserError(self.env._("Order %(order)s cannot give back %(amount)s: its fee components come to "
                                       "%(paid)s.", order=self.name, amount=amount,
                                       paid=error.params.get("paid", "0"))) from error
        return {f"paid_{name}": -float(shares.get(name, 0)) for name in FEE_COMPONENTS}

    def _payment_component_values(self, reverse=False, lines=None):
        """The paid_<component> values of the order's next payment or reversal
        line: what the order's fee components come to (nothing for a full
        reversal) less what its wallet lines (``lines``, read when not given)
        paid of them so far. Nothing is recorded (the posting then falls back
        on the order's components, and refuses what does not add up) when the
        order's components miss its total or an earlier line of the order
        recorded none."""
        self.ensure_one()
        wallet = self.wallet_id
        if lines is None:
            lines = self.env["charge.wallet.transaction"].sudo().search([("order_id", "=", self.id)])
        if any(line._charge_paid_components() is None for line in lines):
            return {}
        due = {name: Decimal(0) if reverse else wallet._decimal(self[f"amount_{name}"]) for name in FEE_COMPONENTS}
        if not reverse and sum(due.values()) != wallet._decimal(self.amount_total):
            return {}
        return {f"paid_{name}": float(due[name] - sum((wallet._decimal(line[f"paid_{name}"]) for line in lines),
                                                      Decimal(0)))
                for name in FEE_COMPONENTS}

    def _on_order_repriced(self, old_total):
        """A paid order's new price is settled with its wallet in the same
        step: a lower price gives the difference back (a reversal line, see
        ``wallet_math.repricing_refund`` for the buckets), a higher one takes
        it from the wallet (a payment line) or is refused when the wallet
        cannot pay it. An order not paid yet is paid at its new price: when it
        completes (to pay), or when its wallet can pay it (unpaid)."""
        super()._on_order_repriced(old_total)
        for order in self.filtered(lambda o: o.payment_state == "paid" and o.wallet_id):
            order._settle_repriced_payment()

    def _settle_repriced_payment(self):
        self.ensure_one()
        wallet = self.wallet_id.sudo()
        taken = self._payment_movement()
        paid = -taken.total
        total = wallet._decimal(self.amount_total)
        refunded = sum((wallet._decimal(line.amount) for line in self.wallet_transaction_ids if line.type == "refund"),
                       Decimal(0))
        if refunded:
            if total == paid + refunded:
                return self.env["charge.wallet.transaction"]
            # a new price would be settled against what the refunds already gave back
            raise UserError(self.env._("Order %s was refunded after-sales: its price can no longer change (refund "
                                       "the difference instead).", self.name))
        if total == paid:
            return self.env["charge.wallet.transaction"]
        if not self.env.user.has_group("charge_base.group_charge_manager"):
            # money moves back or out of a wallet, like a reversal: a manager's decision
            raise AccessError(self.env._(
                "Order %s is already paid from its wallet: only a Charging Manager changes its price (or approves "
                "the handling in the second review).", self.name))
        if total < paid:
            payment = self.wallet_transaction_ids.filtered(lambda l: l.type == "payment")[:1]
            priority = self.company_id.charge_wallet_priority
            line = wallet._post(
                "reversal", lambda balance: wallet_math.repricing_refund(taken, total, priority), order_id=self.id,
                reversal_of_id=payment.id, note=self.env._("Re-priced from %(old)s to %(new)s", old=paid, new=total),
                **self._payment_component_values())
            self.message_post(body=self.env._("Re-priced: %(amount)s given back to the wallet.", amount=paid - total))
        else:
            line = wallet._try_pay(self, total - paid)
            if not line:
                raise UserError(self.env._(
                    "Order %(order)s was paid %(paid)s from its wallet and now costs %(total)s: the wallet cannot "
                    "pay the %(more)s more (%(available)s available). Recharge the wallet first, or adjust the "
                    "figures again.", order=self.name, paid=paid, total=total, more=total - paid,
                    available=wallet._available()))
            self.message_post(body=self.env._("Re-priced: %(amount)s more taken from the wallet.",
                                              amount=total - paid))
        self.sudo().running_amount = float(total)
        return line.with_env(self.env)

    def action_open_reverse(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "charge.order.reverse", "view_mode": "form",
                "target": "new", "name": self.env._("Reverse Order"), "context": {"default_order_id": self.id}}

    @api.model
    def _cron_watch(self):
        super()._cron_watch()
        # e-bike costs grow with time, not only with meter values
        orders = self.env.company._charge_in_operator_lang(self).search([("kind", "=", "ebike"), ("state", "=", "charging"),
                                                ("wallet_id", "!=", False), ("payment_state", "=", "to_pay"),
                                                ("funds_stop_sent", "=", False)])
        orders._watch_running_cost()
