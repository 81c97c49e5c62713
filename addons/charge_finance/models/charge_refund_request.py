from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

REQUEST_STATES = [
    ("pending", "To Handle"),
    ("negotiating", "Negotiating"),
    ("finance", "With Finance"),
    ("done", "Done"),
    ("refused", "Refused"),
]
DECISIONS = [("full", "Full Refund"), ("partial", "Partial Refund"), ("refused", "Refused")]
# what the request's clerk may still change (its amount asked and reason), in these states
EDITABLE_STATES = ("pending", "negotiating")
CLERK_FIELDS = frozenset({"amount_requested", "reason", "approved_amount", "refusal_reason", "note"})


class ChargeRefundRequest(models.Model):
    """A member's after-sales request (售后) about a charging order: pending,
    negotiating with customer service, then refused (the request ends) or
    approved, fully or partly, which makes a refund order for finance
    (charge.refund): the request is with finance until the refund is done
    (back to negotiating if finance cancels it)."""
    _name = "charge.refund.request"
    _description = "After-Sales Request"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Number", required=True, readonly=True, copy=False, default="/", index="trigram")
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    order_id = fields.Many2one("charge.order", string="Charging Order", required=True, index=True,
                               ondelete="restrict", domain=[("state", "=", "completed"), ("payment_state", "=", "paid")])
    partner_id = fields.Many2one(related="order_id.partner_id", store=True, string="Member", index=True)
    order_amount = fields.Monetary(related="order_id.amount_total", string="Order Amount")
    refundable_amount = fields.Monetary(compute="_compute_refundable_amount", string="Refundable",
                                        help="What the order can still give back: what its wallet paid, less "
                                             "the refunds done and those waiting.")
    amount_requested = fields.Monetary(string="Amount Asked", tracking=True)
    reason = fields.Text(string="Member's Reason", required=True, tracking=True)
    state = fields.Selection(REQUEST_STATES, required=True, default="pending", readonly=True, index=True,
                             tracking=True)
    decision = fields.Selection(DECISIONS, readonly=True, tracking=True)
    approved_amount = fields.Monetary(string="Amount to Refund", tracking=True,
                                      help="For a partial refund: what the member gets back.")
    refusal_reason = fields.Text(tracking=True)
    note = fields.Text(string="Handling Notes")
    refund_ids = fields.One2many("charge.refund", "request_id", string="Refunds", readonly=True)
    user_id = fields.Many2one("res.users", string="Handled By", readonly=True, default=lambda self: self.env.user)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)

    @api.depends("order_id", "refund_ids.state", "refund_ids.amount", "order_id.wallet_transaction_ids")
    def _compute_refundable_amount(self):
        Refund = self.env["charge.refund"]
        for request in self:
            order = request.order_id.sudo()
            paid_from_wallet = order and order.state == "completed" and order.payment_state == "paid" and order.wallet_id
            request.refundable_amount = float(Refund._charge_order_refundable(order)) if paid_from_wallet else 0.0

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("charge.refund.request") or "/"
            for name in ("state", "decision", "refund_ids"):
                vals.pop(name, None)
        requests = super().create(vals_list)
        for request in requests:
            order = request.order_id.sudo()
            if order.state != "completed" or order.payment_state != "paid" or not order.wallet_id:
                raise ValidationError(self.env._("An after-sales refund is asked about a completed order paid from "
                                                 "a wallet; %s is not.", order.name))
        return requests

    def write(self, vals):
        if not self.env.su:
            if set(vals) - CLERK_FIELDS:
                raise AccessError(self.env._("An after-sales request changes state only through its buttons."))
            if any(request.state not in EDITABLE_STATES for request in self):
                raise UserError(self.env._("A request with finance, done or refused cannot be changed."))
        return super().write(vals)

    # Actions -------------------------------------------------------------------------------

    def _check_state(self, *states):
        for request in self:
            if request.state not in states:
                raise UserError(self.env._("Request %(request)s is %(state)s: this cannot be done now.",
                                           request=request.name,
                                           state=dict(self._fields["state"]._description_selection(self.env))[
                                               request.state]))

    def action_negotiate(self):
        self._check_state("pending")
        self.sudo().write({"state": "negotiating", "user_id": self.env.uid})
        return True

    def action_refuse(self):
        """Refused: the request ends, with the reason the member is told."""
        self._check_state(*EDITABLE_STATES)
        if any(not (request.refusal_reason or "").strip() for request in self):
            raise UserError(self.env._("Write the reason of the refusal first: the member is told it."))
        self.sudo().write({"state": "refused", "decision": "refused", "user_id": self.env.uid})
        return True

    def action_approve_full(self):
        return self._charge_approve("full")

    def action_approve_partial(self):
        return self._charge_approve("partial")

    def _charge_approve(self, decision):
        """Approved: a refund order for finance, of what the order can still
        give back (full) or of the amount to refund (partial)."""
        self._check_state(*EDITABLE_STATES)
        Refund = self.env["charge.refund"]
        for request in self:
            order = request.order_id
            if decision == "partial":
                if request.approved_amount <= 0:
                    raise UserError(self.env._("Enter the amount to refund first."))
                amount = Decimal(str(request.approved_amount))
            else:
                amount = Refund._charge_order_refundable(order.sudo())
                if amount <= 0:
                    raise UserError(self.env._("Order %s has nothing left to refund.", order.name))
            Refund._charge_refund_order(order, amount, request.reason, request=request)
            request.sudo().write({"state": "finance", "decision": decision, "user_id": self.env.uid,
                                  "approved_amount": float(amount)})
        return True

    def _charge_on_refund_done(self, refund):
        self.sudo().write({"state": "done"})

    def _charge_on_refund_cancelled(self, refund):
        if self.state == "finance":
            self.sudo().write({"state": "negotiating", "decision": False})
            self.message_post(body=self.env._("Finance cancelled refund %s: the request is negotiated again.",
                                              refund.name))
