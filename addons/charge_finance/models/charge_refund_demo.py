from decimal import Decimal

from odoo import api, models

from .demo_once import as_user, first_time


class ChargeRefundRequest(models.Model):
    _inherit = "charge.refund.request"

    @api.model
    def _charge_demo_requests(self, rows, accountant):
        """Demo data: after-sales requests about the demo members' paid
        orders, one in each state, and the refunds they made. ``rows``:
        [member, state, amount asked, partial amount or 0 (full), reason,
        refusal reason]; ``accountant`` processes the refunds done."""
        if not first_time(self.env, "refund_requests"):
            return self.browse()
        accountant = self.env["res.users"].browse(accountant)
        created = self.browse()
        for member, state, asked, partial, reason, refusal in rows:
            order = self.env["charge.order"].search([("partner_id", "=", member), ("state", "=", "completed"),
                                                     ("payment_state", "=", "paid")], limit=1)
            if not order:
                continue
            request = self.create({"order_id": order.id, "amount_requested": asked, "reason": reason})
            created |= request
            if state == "pending":
                continue
            request.action_negotiate()
            if state == "negotiating":
                continue
            if state == "refused":
                request.refusal_reason = refusal
                request.action_refuse()
                continue
            if partial:
                request.approved_amount = partial
                request.action_approve_partial()
            else:
                request.action_approve_full()
            if state == "done":
                as_user(request.refund_ids, accountant)._charge_process()
        return created


class ChargeRefund(models.Model):
    _inherit = "charge.refund"

    @api.model
    def _charge_demo_recharge_refunds(self, rows, accountant):
        """Demo data: paid recharges refunded offline. ``rows``: [member, amount, reason, processed]."""
        if not first_time(self.env, "recharge_refunds"):
            return self.browse()
        accountant = self.env["res.users"].browse(accountant)
        created = self.browse()
        for member, amount, reason, processed in rows:
            line = self.env["charge.wallet.transaction"].search([
                ("partner_id", "=", member), ("type", "=", "recharge"), ("withdrawable_amount", ">=", amount)],
                limit=1)
            if not line or line.wallet_id.withdrawable_balance < amount:
                continue
            refund = self._charge_refund_recharge(line, Decimal(str(amount)), reason, "offline")
            if processed:
                as_user(refund, accountant)._charge_process()
            created |= refund
        return created
