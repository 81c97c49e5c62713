from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.member_messages import reason_text


class ChargeOrderStart(models.TransientModel):
    """Starting a charge for a member checks the member as the pile will, and
    the order is paid by the member's wallet or by one of their groups'."""
    _inherit = "charge.order.start"

    is_member = fields.Boolean(related="partner_id.charge_member")
    payer = fields.Selection([("member", "Member's Wallet"), ("group", "Group Wallet")], default="member")
    group_id = fields.Many2one("charge.group", string="Group",
                               domain="[('member_ids.partner_id', '=', partner_id)]")

    @api.onchange("partner_id")
    def _onchange_partner_member(self):
        if self.partner_id.charge_member and not self.id_tag:
            self.id_tag = self.partner_id.charge_app_tag

    def action_start(self):
        # the pile's state before the member's rights: a stopped pile refuses everyone
        self.env["charge.device.bus"]._charge_check_operable(self.connector_id.pile_id, self.connector_id)
        member = self.partner_id if self.partner_id.charge_member else None
        if member:
            self.id_tag = member.charge_app_tag
            if self.payer == "group" and not self.group_id:
                raise UserError(self.env._("Choose the group whose wallet pays."))
            wallet = self.group_id.sudo().wallet_id if self.payer == "group" else member._charge_wallet().sudo()
            owner = {"card": self.env["charge.card"], "partner": member, "wallet": wallet,
                     "group": self.group_id if self.payer == "group" else self.env["charge.group"], "method": "app"}
            pile = self.connector_id.pile_id
            decision = self.env["charge.device.bus"]._member_decision(pile, member.charge_app_tag, owner)
            if not decision.accepted:
                raise UserError(self.env._("%(member)s cannot start: %(reason)s.", member=member.display_name,
                                           reason=reason_text(self.env, decision.reason, decision.params)))
        action = super().action_start()
        if member:
            order = self.env["charge.order"].browse(action["res_id"])
            order.sudo().write(order._payer_values(owner))
        return action
