from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

METHODS = [
    ("settle", "Settle Directly"),
    ("adjust", "Adjust (Technical Check, Customer Agreement)"),
    ("void", "Void"),
]


class ChargeOrderHandling(models.Model):
    """A clerk's decision on an abnormal order. With the company's second
    review on, it waits for another user's approval before it applies."""
    _name = "charge.order.handling"
    _description = "Abnormal Order Handling"
    _inherit = ["mail.thread", "charge.protected.fields"]
    _order = "id desc"
    _check_company_auto = True

    order_id = fields.Many2one("charge.order", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    method = fields.Selection(METHODS, required=True, readonly=True)
    note = fields.Text(readonly=True)
    state = fields.Selection([("to_review", "To Review"), ("done", "Applied"), ("refused", "Refused")],
                             required=True, default="done", readonly=True, tracking=True)
    user_id = fields.Many2one("res.users", string="Handled By", default=lambda self: self.env.user, readonly=True)
    reviewer_id = fields.Many2one("res.users", string="Reviewed By", readonly=True)
    review_date = fields.Datetime(readonly=True)
    review_note = fields.Text(readonly=True)
    # the adjusted figures (method "adjust")
    energy_kwh = fields.Float(string="Energy (kWh)", digits=(12, 3), readonly=True)
    amount_electricity = fields.Monetary(string="Electricity", readonly=True)
    amount_service = fields.Monetary(string="Service", readonly=True)
    amount_occupancy = fields.Monetary(string="Occupancy", readonly=True)
    start_date = fields.Datetime(string="Started", readonly=True)
    stop_date = fields.Datetime(string="Ended", readonly=True)
    occupancy_minutes = fields.Float(string="Occupancy (min)", readonly=True)
    ebike_minutes = fields.Integer(string="Duration to Bill (min)", readonly=True)

    @api.depends("order_id.name", "method")
    def _compute_display_name(self):
        methods = dict(self._fields["method"]._description_selection(self.env))
        for handling in self:
            handling.display_name = f"{handling.order_id.name} · {methods.get(handling.method, '')}"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            order = self.env["charge.order"].browse(vals["order_id"])
            if order.state != "abnormal":
                raise UserError(self.env._("Order %s is not abnormal.", order.name))
            if order.review_pending:
                raise UserError(self.env._("Order %s already has a handling awaiting review.", order.name))
            vals["state"] = "to_review" if order.company_id.charge_abnormal_review else "done"
        handlings = super().create(vals_list)
        for handling in handlings:
            if handling.state == "to_review":
                handling.order_id.message_post(body=self.env._("Handling submitted for review: %s",
                                                               handling.display_name))
            else:
                handling._apply()
        return handlings

    def _charge_protected_field_names(self):
        # a clerk proposes a handling by creating it; once submitted it changes only by its review
        return super()._charge_protected_field_names() | {
            name for name, field in self._fields.items()
            if field.store and field.readonly and not field.compute and not field.related
        } | {"state"}

    def _charge_check_protected(self, vals_list, creating=False):
        if not creating:
            super()._charge_check_protected(vals_list, creating=creating)

    def action_approve(self):
        for handling in self._to_review():
            handling._charge_action().write({"reviewer_id": self.env.user.id, "review_date": fields.Datetime.now()})
            handling._apply()
        return True

    def action_refuse(self):
        for handling in self._to_review():
            handling._charge_action().write({"state": "refused", "reviewer_id": self.env.user.id,
                            "review_date": fields.Datetime.now()})
            handling.order_id.message_post(body=self.env._("Handling refused by %s.", self.env.user.name))
        return True

    def _to_review(self):
        if not self.env.user.has_group("charge_base.group_charge_manager"):
            raise AccessError(self.env._("Only Charging Managers review handlings of abnormal orders."))
        for handling in self:
            if handling.state != "to_review":
                raise UserError(self.env._("Handling %s is not awaiting review.", handling.display_name))
            if handling.user_id == self.env.user:
                raise UserError(self.env._("The second review must be made by another user than %s.",
                                           handling.user_id.name))
        return self

    def _apply(self):
        """Carry the decision out on the order."""
        self.ensure_one()
        order = self.order_id._charge_action()
        self._charge_action().state = "done"
        reviewed = self.env._(" (reviewed by %s)", self.reviewer_id.name) if self.reviewer_id else ""
        old_total = order.amount_total
        if self.method == "void":
            if order.session_id.state != "finished":
                order._price_on_last_reading()
            order.write({"state": "voided"})
            order.message_post(body=self.env._("Voided%(reviewed)s: %(note)s", reviewed=reviewed, note=self.note or ""))
        elif self.method == "settle":
            if order.session_id.state != "finished" or order.kind == "ebike" and self.ebike_minutes:
                order._price_on_last_reading(minutes=self.ebike_minutes or None)
            order._on_order_repriced(old_total)
            order._complete(self.env._("Settled directly%(reviewed)s: %(note)s", reviewed=reviewed,
                                       note=self.note or ""))
        else:
            order._apply_adjustment(self)
            order._on_order_repriced(old_total)
            order._complete(self.env._("Adjusted by hand%(reviewed)s: %(note)s", reviewed=reviewed, note=self.note))
