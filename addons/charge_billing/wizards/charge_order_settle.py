from odoo import fields, models
from odoo.exceptions import UserError


class ChargeOrderSettle(models.TransientModel):
    """Settle a suspended, stopping or abnormal order on the last reading the
    pile sent; an e-bike order may be billed on a duration the clerk enters."""
    _name = "charge.order.settle"
    _description = "Settle an Order on its Last Reading"

    order_id = fields.Many2one("charge.order", required=True)
    kind = fields.Selection(related="order_id.kind")
    state = fields.Selection(related="order_id.state")
    last_energy_kwh = fields.Float(related="order_id.session_id.energy_kwh", string="Last Reading (kWh)")
    use_minutes = fields.Boolean(string="Bill a Duration I Enter")
    minutes = fields.Integer(string="Minutes")
    note = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        order = self.order_id
        if order.state not in ("starting", "charging", "stopping", "suspended", "abnormal"):
            raise UserError(self.env._("Order %s is already settled.", order.name))
        if not order.session_id:
            raise UserError(self.env._("Order %s never started on the pile: there is no reading to settle on.",
                                       order.name))
        if order.state == "abnormal":
            # an abnormal order is settled through its handling, and its review when the company asks for one
            self.env["charge.order.handling"].create({
                "order_id": order.id, "method": "settle", "note": self.note,
                "ebike_minutes": self.minutes if self.use_minutes and order.kind == "ebike" else 0})
            return {"type": "ir.actions.act_window_close"}
        if self.use_minutes and self.minutes <= 0:
            raise UserError(self.env._("Enter a positive number of minutes."))
        minutes = self.minutes if self.use_minutes and order.kind == "ebike" else None
        order._charge_action()._settle_on_last_reading(minutes=minutes, note=self.note or None)
        return {"type": "ir.actions.act_window_close"}
