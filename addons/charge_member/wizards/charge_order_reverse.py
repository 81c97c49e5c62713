from odoo import fields, models


class ChargeOrderReverse(models.TransientModel):
    """Reverse a paid order: its wallet gets back exactly the cash and gift it paid."""
    _name = "charge.order.reverse"
    _description = "Reverse a Charging Order"

    order_id = fields.Many2one("charge.order", required=True, readonly=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    paid_cash = fields.Monetary(related="order_id.paid_cash")
    paid_gift = fields.Monetary(related="order_id.paid_gift")
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.order_id._reverse_payment(self.reason)
        return {"type": "ir.actions.act_window_close"}
