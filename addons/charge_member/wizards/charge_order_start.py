from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.member_messages import reason_text

# the cards a clerk may pick to start with (of the customer, once chosen); the check
# before sending tells the rest (funds, limits, the member's state)
USABLE_CARDS = ("[('company_id', '=', company_id), ('state', '=', 'active'), ('blacklisted', '=', False), "
                "('partner_id', '=?', partner_id)]")


class ChargeStartCheck(models.AbstractModel):
    """The check of a back-office start for a member's card or app tag, made before
    the command goes: the same decision the pile's Authorize gets
    (:func:`..tools.authorization.decide`), refused with a clear message."""
    _name = "charge.start.check"
    _description = "Back-Office Start Check"

    @api.model
    def _check_start_tag(self, pile, id_tag, card=None):
        """Who pays for a start with ``id_tag`` on ``pile`` (see ``charge.card._resolve_tag``),
        None for a tag that is no member's; a UserError when the start would be refused."""
        owner = self.env["charge.card"]._resolve_tag(pile.company_id, id_tag, pile)
        if owner is None:
            if card:
                raise UserError(self.env._("Card %(card)s cannot be used at pile %(pile)s.",
                                           card=card.name, pile=pile.display_name))
            return None
        return self._check_owner(pile, id_tag, owner)

    @api.model
    def _check_owner(self, pile, id_tag, owner):
        """``owner`` (a card's or a member's app tag's, see ``charge.card._resolve_tag``)
        when the pile's Authorize would accept ``id_tag`` for it; a UserError saying why not."""
        decision = self.env["charge.device.bus"]._member_decision(pile, id_tag, owner)
        if not decision.accepted:
            reason = reason_text(self.env, decision.reason, decision.params)
            if owner["card"]:
                holder = owner["partner"].display_name or owner["group"].display_name or ""
                raise UserError(self.env._("Card %(card)s %(holder)s cannot start: %(reason)s.",
                                           card=owner["card"].name, holder=holder and f"({holder})",
                                           reason=reason))
            raise UserError(self.env._("%(member)s cannot start: %(reason)s.",
                                       member=owner["partner"].display_name, reason=reason))
        return owner


class ChargeOrderStart(models.TransientModel):
    """Starting a charge for a member checks the member as the pile will, and
    the order is paid by the member's wallet or by one of their groups'. With a
    card picked (or a card number typed), the card's owner is the customer and
    its payer pays."""
    _inherit = "charge.order.start"

    company_id = fields.Many2one(related="connector_id.company_id")
    is_member = fields.Boolean(related="partner_id.charge_member")
    card_id = fields.Many2one("charge.card", string="Card", domain=USABLE_CARDS,
                              context={"charge_card_show_holder": True},
                              help="Start with this card: its member is the customer and its wallet pays.")
    payer = fields.Selection([("member", "Member's Wallet"), ("group", "Group Wallet")], default="member")
    group_id = fields.Many2one("charge.group", string="Group",
                               domain="[('member_ids.partner_id', '=', partner_id)]")

    @api.onchange("partner_id")
    def _onchange_partner_member(self):
        if self.card_id and self.card_id.partner_id != self.partner_id:
            self.card_id = False
        if self.partner_id.charge_member and not self.card_id:
            self.id_tag = self.partner_id.charge_app_tag

    @api.onchange("card_id")
    def _onchange_card(self):
        if self.card_id:
            self.id_tag = self.card_id.name
            if self.card_id.partner_id:
                self.partner_id = self.card_id.partner_id

    def action_start(self):
        self.ensure_one()
        # the pile's state before the member's rights: a stopped pile refuses everyone
        pile = self.connector_id.pile_id
        self.env["charge.device.bus"]._charge_check_operable(pile, self.connector_id)
        Check = self.env["charge.start.check"]
        card = self.card_id
        member = self.partner_id if self.partner_id.charge_member else None
        if card:
            if card.partner_id and self.partner_id and card.partner_id != self.partner_id:
                raise UserError(self.env._("Card %(card)s belongs to %(member)s, not to %(customer)s.",
                                           card=card.name, member=card.partner_id.display_name,
                                           customer=self.partner_id.display_name))
            self.id_tag = card.name
            owner = Check._check_start_tag(pile, card.name, card=card)
        elif member:
            self.id_tag = member.charge_app_tag
            if self.payer == "group" and not self.group_id:
                raise UserError(self.env._("Choose the group whose wallet pays."))
            wallet = self.group_id.sudo().wallet_id if self.payer == "group" else member._charge_wallet().sudo()
            owner = Check._check_owner(pile, member.charge_app_tag, {
                "card": self.env["charge.card"], "partner": member, "wallet": wallet,
                "group": self.group_id if self.payer == "group" else self.env["charge.group"], "method": "app"})
        else:
            # a typed tag that is a member's card or app tag is checked as that card or member
            owner = Check._check_start_tag(pile, self.id_tag.strip()) if self.id_tag and self.id_tag.strip() else None
            if owner:
                self.id_tag = self.id_tag.strip()
        if owner and owner["partner"] and not self.partner_id:
            self.partner_id = owner["partner"]
        action = super().action_start()
        if owner:
            order = self.env["charge.order"].browse(action["res_id"])
            values = order._payer_values(owner)
            if not owner["partner"]:
                values.pop("partner_id")
            order.sudo().write(values)
        return action
