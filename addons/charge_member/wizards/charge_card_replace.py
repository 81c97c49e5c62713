from odoo import fields, models


class ChargeCardReplace(models.TransientModel):
    """Retire a card and bind a new one to the same owner; free when the
    operator is at fault, else the company's card fee is taken."""
    _name = "charge.card.replace"
    _description = "Replace a Charging Card"

    old_card_id = fields.Many2one("charge.card", required=True, readonly=True)
    new_number = fields.Char(string="New Card Number", required=True)
    operator_fault = fields.Boolean(string="Operator at Fault", help="Faulty card: no fee.")
    pin = fields.Char(string="New PIN", help="Left empty: the old card's PIN.")
    currency_id = fields.Many2one(related="old_card_id.currency_id")
    fee = fields.Monetary(related="old_card_id.company_id.charge_card_fee", string="Card Fee")

    def action_confirm(self):
        self.ensure_one()
        new = self.old_card_id._replace(self.new_number, operator_fault=self.operator_fault, pin=self.pin or None)
        return {"type": "ir.actions.act_window", "res_model": "charge.card", "res_id": new.id, "view_mode": "form"}
