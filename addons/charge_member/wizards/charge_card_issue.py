from odoo import api, fields, models
from odoo.exceptions import UserError


class ChargeCardIssue(models.TransientModel):
    """Issue a card to a registered member (found by mobile) or a group, and take the card fee."""
    _name = "charge.card.issue"
    _description = "Issue a Charging Card"

    number = fields.Char(string="Card Number", required=True)
    new_card_type = fields.Selection([("auth", "Authentication"), ("stored_value", "Stored Value")],
                                     string="Type", default="auth", required=True)
    mobile = fields.Char(help="The member's mobile number.")
    partner_id = fields.Many2one("res.partner", string="Member", domain="[('charge_member', '=', True)]")
    group_id = fields.Many2one("charge.group", string="Group")
    member_status = fields.Selection(related="partner_id.charge_status")
    wallet_balance = fields.Monetary(related="partner_id.charge_wallet_balance")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    pin_required = fields.Boolean(string="PIN Check")
    pin = fields.Char(string="PIN")
    whitelisted = fields.Boolean(string="White List")
    waive_fee = fields.Boolean(string="No Card Fee")
    fee = fields.Monetary(string="Card Fee", readonly=True, default=lambda self: self.env.company.charge_card_fee,
                          help="The company's card fee (charging settings): the fee taken, unless waived.")

    @api.onchange("mobile")
    def _onchange_mobile(self):
        if self.mobile:
            mobile = self.env["res.partner"]._charge_normalize_mobile(self.mobile)
            self.partner_id = self.env["res.partner"].search([("charge_member", "=", True),
                                                              ("charge_mobile", "=", mobile),
                                                              ("company_id", "=", self.env.company.id)], limit=1)

    def action_confirm(self):
        self.ensure_one()
        if not (self.partner_id or self.group_id):
            raise UserError(self.env._("No member has this mobile number: open an account first."))
        if self.partner_id.charge_status in ("frozen", "blacklisted"):
            raise UserError(self.env._("Member %s cannot get a card while frozen or blacklisted.",
                                       self.partner_id.display_name))
        card = self.env["charge.card"].search([("name", "=", self.number.strip()),
                                               ("company_id", "=", self.env.company.id)], limit=1)
        if card and (card.partner_id or card.group_id or card.state != "active"):
            raise UserError(self.env._("Card %s is already bound or out of use.", card.name))
        if self.whitelisted:
            card._check_list_rights()
        values = {"partner_id": self.partner_id.id, "group_id": self.group_id.id,
                  "pin_required": self.pin_required}
        if card:
            card.write(values)
        else:
            card = self.env["charge.card"].create(dict(values, name=self.number, card_type=self.new_card_type))
        if self.whitelisted:
            card.action_add_whitelist()
        if self.pin:
            card._set_pin(self.pin)
        if not self.waive_fee:
            card._take_fee(note=self.env._("Card %s issued", card.name))
        return {"type": "ir.actions.act_window", "res_model": "charge.card", "res_id": card.id, "view_mode": "form"}
