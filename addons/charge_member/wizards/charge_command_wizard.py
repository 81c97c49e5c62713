from odoo import api, fields, models

from .charge_order_start import USABLE_CARDS


class ChargeCommandWizard(models.TransientModel):
    """A remote start from the pile or the connector is made with a member's card
    picked from the list (or a typed id tag), checked before the command goes."""
    _inherit = "charge.command.wizard"

    company_id = fields.Many2one(related="pile_id.company_id")
    partner_id = fields.Many2one("res.partner", string="Member", domain="[('charge_member', '=', True)]",
                                 help="Narrows the cards to this member's.")
    card_id = fields.Many2one("charge.card", string="Card", domain=USABLE_CARDS,
                              context={"charge_card_show_holder": True},
                              help="The card the session is started for.")

    @api.onchange("partner_id")
    def _onchange_partner_card(self):
        if self.card_id and self.card_id.partner_id != self.partner_id:
            self.card_id = False

    @api.onchange("card_id")
    def _onchange_card(self):
        if self.card_id:
            self.id_tag = self.card_id.name
            self.partner_id = self.card_id.partner_id

    def action_send(self):
        self.ensure_one()
        if self.command == "remote_start":
            if self.card_id:
                self.id_tag = self.card_id.name
            if self.connector_id and self.id_tag and self.id_tag.strip():
                self.env["charge.device.bus"]._charge_check_operable(self.pile_id, self.connector_id)
                self.env["charge.start.check"]._check_start_tag(self.pile_id, self.id_tag.strip(), card=self.card_id)
        return super().action_send()
