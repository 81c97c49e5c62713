from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.charge_base.models.amount_messages import checked_amount, checked_field_amount
from odoo.addons.charge_base.tools.amounts import NOT_NEGATIVE

from ..models.charge_order_handling import METHODS


class ChargeOrderHandle(models.TransientModel):
    """The handling form of an abnormal order: settle directly, adjust the
    figures, or void it."""
    _name = "charge.order.handle"
    _description = "Handle an Abnormal Order"

    order_id = fields.Many2one("charge.order", required=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    kind = fields.Selection(related="order_id.kind")
    anomaly_ids = fields.One2many(related="order_id.anomaly_ids")
    method = fields.Selection(METHODS, required=True, default="settle")
    note = fields.Text()
    current_energy_kwh = fields.Float(related="order_id.energy_kwh", string="Current Energy (kWh)")
    current_amount_total = fields.Monetary(related="order_id.amount_total", string="Current Total")
    energy_kwh = fields.Float(string="Energy (kWh)", digits=(12, 3))
    # Floats, not Monetary fields (which round what is typed): the amounts are checked as typed, never rounded
    amount_electricity = fields.Float(string="Electricity")
    amount_service = fields.Float(string="Service")
    amount_occupancy = fields.Float(string="Occupancy")
    start_date = fields.Datetime(string="Started")
    stop_date = fields.Datetime(string="Ended")
    occupancy_minutes = fields.Float(string="Occupancy (min)")
    ebike_minutes = fields.Integer(string="Duration to Bill (min)",
                                   help="E-bike orders: bill this duration instead of the reported one.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        order = self.env["charge.order"].browse(values.get("order_id") or self.env.context.get("active_id"))
        if order:
            values.update(
                order_id=order.id, energy_kwh=order.energy_kwh, amount_electricity=order.amount_electricity,
                amount_service=order.amount_service, amount_occupancy=order.amount_occupancy,
                start_date=order.start_date, stop_date=order.stop_date, occupancy_minutes=order.occupancy_minutes,
            )
        return values

    def action_confirm(self):
        self.ensure_one()
        if self.method in ("adjust", "void") and not (self.note or "").strip():
            raise UserError(self.env._("Explain the adjustment or the voiding in the note."))
        if self.method == "adjust":
            if min(self.energy_kwh, self.amount_electricity, self.amount_service, self.amount_occupancy) < 0:
                raise UserError(self.env._("Adjusted figures cannot be negative."))
            if self.start_date and self.stop_date and self.stop_date < self.start_date:
                raise UserError(self.env._("The order cannot end before it starts."))
            company = self.order_id.company_id
            amounts = [checked_field_amount(self, name, NOT_NEGATIVE, company=company)
                       for name in ("amount_electricity", "amount_service", "amount_occupancy")]
            checked_amount(self.env, sum(amounts), self.env._("Adjusted total"), NOT_NEGATIVE, company=company)
        values = {"order_id": self.order_id.id, "method": self.method, "note": self.note,
                  "ebike_minutes": self.ebike_minutes if self.kind == "ebike" else 0}
        if self.method == "adjust":
            values.update(energy_kwh=self.energy_kwh, amount_electricity=self.amount_electricity,
                          amount_service=self.amount_service, amount_occupancy=self.amount_occupancy,
                          start_date=self.start_date, stop_date=self.stop_date,
                          occupancy_minutes=self.occupancy_minutes)
        self.env["charge.order.handling"].create(values)
        return {"type": "ir.actions.act_window_close"}
