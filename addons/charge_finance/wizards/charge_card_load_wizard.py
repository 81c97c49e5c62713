from odoo import api, fields, models

from odoo.addons.charge_base.models.amount_messages import checked_field_amount


class ChargeCardLoadWizard(models.TransientModel):
    """A clerk sells a stored-value card or tops it up at the counter."""
    _name = "charge.card.load.wizard"
    _description = "Load a Stored-Value Card"

    card_id = fields.Many2one("charge.card", required=True, readonly=True,
                              domain=[("card_type", "=", "stored_value")])
    currency_id = fields.Many2one(related="card_id.company_id.currency_id")
    kind = fields.Selection([("sale", "Card Sale"), ("top_up", "Top-up")], required=True, default="top_up")
    # a Float, not a Monetary: the amount is checked as typed (checked_field_amount), never rounded
    amount = fields.Float(required=True)
    note = fields.Text()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if not values.get("card_id") and self.env.context.get("active_model") == "charge.card":
            values["card_id"] = self.env.context.get("active_id")
        return values

    def action_confirm(self):
        self.ensure_one()
        amount = checked_field_amount(self, "amount", company=self.card_id.company_id)
        self.env["charge.card.load"]._charge_load(self.card_id, amount, kind=self.kind, note=self.note)
        return {"type": "ir.actions.act_window_close"}
