from odoo import api, fields, models


class ChargeOrder(models.Model):
    """The refunds of an order (charge.refund) and its after-sales requests."""
    _inherit = "charge.order"

    charge_refund_ids = fields.One2many("charge.refund", "order_id", string="Refunds", readonly=True)
    charge_refund_request_ids = fields.One2many("charge.refund.request", "order_id", string="After-Sales Requests",
                                                readonly=True)
    amount_refunded = fields.Monetary(compute="_compute_amount_refunded", string="Refunded",
                                      help="What the refunds done gave back to the wallet.")
    charge_refund_count = fields.Integer(compute="_compute_amount_refunded")

    @api.depends("charge_refund_ids.state", "charge_refund_ids.amount", "charge_refund_request_ids")
    def _compute_amount_refunded(self):
        for order in self:
            refunds = order.sudo().charge_refund_ids
            order.amount_refunded = sum(refunds.filtered(lambda refund: refund.state == "done").mapped("amount"))
            order.charge_refund_count = len(refunds) + len(order.sudo().charge_refund_request_ids)

    def action_new_refund_request(self):
        """Customer service records a member's after-sales request about the order."""
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "charge.refund.request", "view_mode": "form",
                "name": self.env._("After-Sales Request"), "context": {"default_order_id": self.id}}

    def action_view_refunds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("charge_finance.charge_refund_request_action")
        action.update(domain=[("order_id", "=", self.id)], context={"default_order_id": self.id})
        return action
