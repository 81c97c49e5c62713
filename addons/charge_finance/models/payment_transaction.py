from odoo import fields, models


class PaymentTransaction(models.Model):
    """The transactions of online payments (charge.payment.order) and of
    online refunds (charge.refund): each change of state is passed on to the
    order, which credits the wallet, or to the refund.
    Their accounting is the wallet ledger's (the provider's clearing account
    against the wallet liability), so no account.payment is made for them."""
    _inherit = "payment.transaction"

    charge_payment_order_id = fields.Many2one(
        "charge.payment.order", string="Online Payment", readonly=True, index="btree_not_null",
        ondelete="set null")
    charge_refund_id = fields.Many2one("charge.refund", string="Refund", readonly=True, index="btree_not_null",
                                       ondelete="set null")
    charge_settlement_id = fields.Many2one("charge.payment.settlement", string="Settlement", readonly=True,
                                           index="btree_not_null", ondelete="set null", copy=False)

    def _update_state(self, allowed_states, target_state, state_message):
        updated = super()._update_state(allowed_states, target_state, state_message)
        for transaction in updated.filtered("charge_payment_order_id"):
            transaction.charge_payment_order_id._charge_follow(transaction)
        for transaction in updated.filtered("charge_refund_id"):
            transaction.charge_refund_id._charge_follow(transaction)
        return updated

    def _create_payment(self, **extra_create_values):
        if self.charge_payment_order_id or self.charge_refund_id:
            return self.env["account.payment"]  # posted through the wallet ledger
        return super()._create_payment(**extra_create_values)
