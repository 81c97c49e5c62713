from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools.pin import PinError, check_pin_format, hash_pin, verify_pin
from ..tools.vin import VinError, check_vin, normalize_vin
from .member_messages import identity_message

CARD_TYPES = [
    ("auth", "Authentication"),
    ("stored_value", "Stored Value"),
    ("vin", "VIN"),
]
CARD_STATES = [
    ("active", "Active"),
    ("lost", "Lost"),
    ("replaced", "Replaced"),
    ("cancelled", "Cancelled"),
]


class ChargeCard(models.Model):
    """A charging card. An authentication card holds no money: charges are
    paid by the bound member's (or group's) wallet. A stored-value card holds
    its money itself and the pile deducts from it. A VIN card is a vehicle
    identifying itself by its VIN when plugged in. The number a pile reports
    (OCPP idTag) is the card number and cannot change."""
    _name = "charge.card"
    _description = "Charging Card"
    _inherit = ["mail.thread", "charge.protected.fields"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Card Number", required=True, tracking=True, index=True, copy=False)
    card_type = fields.Selection(CARD_TYPES, string="Type", required=True, default="auth", tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    category_id = fields.Many2one("charge.card.category", string="Category", check_company=True,
                                  default=lambda self: self.env["charge.card.category"]._default_for(self.env.company))
    partner_id = fields.Many2one("res.partner", string="Member", index=True, tracking=True, ondelete="restrict",
                                 domain="[('charge_member', '=', True)]")
    group_id = fields.Many2one("charge.group", string="Group", index=True, tracking=True, ondelete="restrict",
                               check_company=True, help="The card charges to the group's wallet.")
    vehicle_id = fields.Many2one("charge.vehicle", string="Vehicle", index=True, check_company=True,
                                 help="The vehicle of a VIN card.")
    pin_required = fields.Boolean(string="PIN Check", tracking=True)
    pin_hash = fields.Char(copy=False, groups="base.group_system")
    has_pin = fields.Boolean(compute="_compute_has_pin", string="PIN Set")
    whitelisted = fields.Boolean(string="White List", tracking=True,
                                 help="May charge while the pile is offline: the pile keeps it in its local list.")
    blacklisted = fields.Boolean(string="Black List", tracking=True, help="May not charge at all.")
    state = fields.Selection(CARD_STATES, required=True, default="active", tracking=True, readonly=True, copy=False)
    issue_date = fields.Date(string="Issued On", default=fields.Date.context_today, readonly=True)
    replaced_by_id = fields.Many2one("charge.card", string="Replaced By", readonly=True, copy=False)
    replaces_id = fields.Many2one("charge.card", string="Replaces", readonly=True, copy=False)
    fee_transaction_id = fields.Many2one("charge.wallet.transaction", string="Card Fee", readonly=True, copy=False)
    note = fields.Text()

    _number_unique = models.Constraint("UNIQUE(company_id, name)", "This card number is already registered.")
    _number_length = models.Constraint("CHECK(char_length(name) <= 20)",
                                       "A card number has at most 20 characters (the OCPP id tag).")
    _lists_exclusive = models.Constraint("CHECK(NOT (whitelisted AND blacklisted))",
                                         "A card is on the white list or on the black list, not both.")

    def _compute_has_pin(self):
        hashes = {card.id: card.pin_hash for card in self.sudo()}
        for card in self:
            card.has_pin = bool(hashes.get(card.id))

    @api.depends("name", "card_type", "partner_id.name", "group_id.name")
    @api.depends_context("charge_card_show_holder")
    def _compute_display_name(self):
        types = dict(self._fields["card_type"]._description_selection(self.env))
        show_holder = self.env.context.get("charge_card_show_holder")
        for card in self:
            holder = (card.partner_id or card.group_id).sudo().display_name if show_holder else ""
            card.display_name = f"{card.name} ({types.get(card.card_type, '')})" + (f" – {holder}" if holder else "")

    # Values ------------------------------------------------------------------------------

    @api.model
    def _clean_values(self, vals):
        if vals.get("name"):
            vals["name"] = vals["name"].strip().upper() if vals.get("card_type") == "vin" else vals["name"].strip()
        if vals.get("card_type") == "vin" and not vals.get("name") and vals.get("vehicle_id"):
            vals["name"] = self.env["charge.vehicle"].browse(vals["vehicle_id"]).vin
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._clean_values(vals)
            if "pin" in vals:
                vals["pin_hash"] = self._hash_new_pin(vals.pop("pin"))
        cards = super().create(vals_list)
        cards._push_lists_if_listed()
        return cards

    def write(self, vals):
        if "name" in vals and any(card.name != vals["name"] for card in self):
            raise UserError(self.env._("A card number cannot be changed: register a new card and replace the old one."))
        if "pin" in vals:
            vals["pin_hash"] = self._hash_new_pin(vals.pop("pin"))
        lists_before = {card.id: card._local_list_status() for card in self}
        result = super().write(vals)
        changed = self.filtered(lambda card: card._local_list_status() != lists_before[card.id])
        changed._push_lists_if_listed(force=True)
        return result

    @api.model
    def _hash_new_pin(self, pin):
        if not pin:
            return False
        try:
            check_pin_format(pin)
        except PinError as error:
            raise ValidationError(identity_message(self.env, "pin", error)) from error
        return hash_pin(pin)

    def _set_pin(self, pin):
        self.ensure_one()
        self.sudo().write({"pin": pin})

    def _check_pin(self, pin):
        """True when ``pin`` is the card's PIN, or the card checks no PIN."""
        self.ensure_one()
        if not self.pin_required:
            return True
        stored = self.sudo().pin_hash
        return bool(stored) and verify_pin(pin or "", stored)

    @api.constrains("card_type", "vehicle_id", "name", "whitelisted", "partner_id", "group_id")
    def _check_card(self):
        for card in self:
            if card.card_type == "vin":
                try:
                    check_vin(normalize_vin(card.name))
                except VinError as error:
                    raise ValidationError(identity_message(self.env, "vin", error)) from error
                if card.vehicle_id and card.vehicle_id.vin != card.name:
                    raise ValidationError(self.env._("VIN card %(card)s does not carry the VIN of vehicle %(plate)s.",
                                                     card=card.name, plate=card.vehicle_id.plate))
            if card.whitelisted and card.card_type != "auth":
                raise ValidationError(self.env._("Only authentication cards go on the white list."))
            if card.partner_id and not card.partner_id.charge_member:
                raise ValidationError(self.env._("Card %s can only be bound to a member.", card.name))
            if card.partner_id.company_id and card.partner_id.company_id != card.company_id:
                raise ValidationError(self.env._("Card %(card)s and its member %(member)s belong to different companies.",
                                                 card=card.name, member=card.partner_id.display_name))
            if card.group_id and card.partner_id and not card.group_id.member_ids.filtered(
                    lambda line: line.partner_id == card.partner_id):
                raise ValidationError(self.env._("%(member)s is not a member of group %(group)s.",
                                                 member=card.partner_id.display_name,
                                                 group=card.group_id.display_name))

    # Payment -------------------------------------------------------------------------------

    def _payer_wallet(self):
        """The wallet the card's charges are paid from: the group's, else the member's."""
        self.ensure_one()
        if self.group_id:
            return self.group_id.sudo().wallet_id
        if self.partner_id:
            return self.partner_id._charge_wallet()
        return self.env["charge.wallet"]

    def _take_fee(self, note=None):
        """The company's card fee, from the card's wallet, posted as card-fee revenue."""
        self.ensure_one()
        amount = self.company_id.charge_card_fee
        if not amount:
            return self.env["charge.wallet.transaction"]
        wallet = self._payer_wallet()
        if not wallet:
            raise UserError(self.env._("Bind card %s to a member or a group before charging its fee.", self.name))
        line = wallet._charge_card_fee(amount, self, note=note)
        self.sudo().fee_transaction_id = line
        return line

    # States --------------------------------------------------------------------------------

    def _charge_protected_field_names(self):
        return super()._charge_protected_field_names() | {
            "state", "issue_date", "replaced_by_id", "replaces_id", "fee_transaction_id", "whitelisted", "blacklisted"}

    def _check_state(self, allowed):
        for card in self:
            if card.state not in allowed:
                raise UserError(self.env._("Card %(card)s is %(state)s.", card=card.name,
                                           state=dict(self._fields["state"]._description_selection(self.env))[
                                               card.state]))

    def action_report_lost(self):
        # the action writes as superuser: the caller's own right to change these cards first
        self.check_access("write")
        self._check_state(("active",))
        self._charge_action().write({"state": "lost"})

    def action_found(self):
        if not self.env.user.has_group("charge_base.group_charge_manager"):
            raise AccessError(self.env._("Only a Charging Manager can put a lost card back into service."))
        self._check_state(("lost",))
        self._charge_action().write({"state": "active"})

    def action_cancel(self):
        self.check_access("write")
        self._check_state(("active", "lost"))
        self._charge_action().write({"state": "cancelled", "whitelisted": False})

    # White and black lists: a manager's decision ------------------------------------------

    def _check_list_rights(self):
        if not self.env.user.has_group("charge_base.group_charge_manager"):
            raise AccessError(self.env._("Only a Charging Manager puts cards on the white or black list, or takes "
                                         "them off."))
        # the actions write as superuser: the caller's own rights on these cards (their company) first
        self.check_access("write")

    def action_add_whitelist(self):
        """May charge while the pile is offline (kept in the piles' local lists)."""
        self._check_list_rights()
        self._check_state(("active",))
        self._charge_action().write({"whitelisted": True, "blacklisted": False})
        return True

    def action_add_blacklist(self):
        """May not charge at all."""
        self._check_list_rights()
        self._charge_action().write({"blacklisted": True, "whitelisted": False})
        return True

    def action_remove_lists(self):
        self._check_list_rights()
        self._charge_action().write({"whitelisted": False, "blacklisted": False})
        return True

    def action_open_replace(self):
        self.ensure_one()
        self._check_state(("active", "lost"))
        return {"type": "ir.actions.act_window", "res_model": "charge.card.replace", "view_mode": "form",
                "target": "new", "name": self.env._("Replace Card"), "context": {"default_old_card_id": self.id}}

    def _replace(self, number, operator_fault=False, pin=None):
        """Retire this card and bind a new card ``number`` to the same owner,
        with the same type, category and lists; the card fee is taken unless
        the operator is at fault."""
        self.ensure_one()
        self._check_state(("active", "lost"))
        new = self._charge_action().create({
            "name": number, "card_type": self.card_type, "company_id": self.company_id.id,
            "category_id": self.category_id.id, "partner_id": self.partner_id.id, "group_id": self.group_id.id,
            "vehicle_id": self.vehicle_id.id, "pin_required": self.pin_required, "whitelisted": self.whitelisted,
            "replaces_id": self.id,
        })
        if pin:
            new._set_pin(pin)
        elif self.pin_required:
            new.sudo().pin_hash = self.sudo().pin_hash
        self._charge_action().write({"state": "replaced", "replaced_by_id": new.id, "whitelisted": False})
        new = new.sudo(False)
        if not operator_fault:
            new._take_fee(note=self.env._("Replacement of card %s", self.name))
        reason = self.env._("the operator's fault, free") if operator_fault else self.env._("the member's request")
        self.message_post(body=self.env._("Replaced by card %(new)s (%(reason)s).", new=new.name, reason=reason))
        new.message_post(body=self.env._("Replaces card %s.", self.name))
        return new

    # Local authorisation list ---------------------------------------------------------------

    def _local_list_status(self):
        """The card's entry in the piles' local lists: Accepted (white list),
        Blocked (black list or unusable), None (not listed)."""
        self.ensure_one()
        if self.blacklisted or self.state in ("lost", "cancelled", "replaced"):
            return "Blocked" if (self.blacklisted or self.state == "lost") else None
        return "Accepted" if self.whitelisted and self.state == "active" else None

    def _push_lists_if_listed(self, force=False):
        cards = self if force else self.filtered(lambda card: card._local_list_status())
        if cards:
            self.env["charge.pile"].sudo()._mark_local_list_dirty(cards.company_id)

    # Id tags --------------------------------------------------------------------------------

    @api.model
    def _resolve_tag(self, company, id_tag, pile=None):
        """Who is behind ``id_tag`` in ``company``: a dict with the card (if
        any), the member, the group, the paying wallet and the start method;
        None when the tag is no member's (a back-office tag, a pile's own list)."""
        return self._resolve_tags(company, [(pile, id_tag)])[pile.id if pile else None, id_tag]

    def _resolve_tags(self, company, requests, wallets=True):
        """:meth:`_resolve_tag` for the ``requests`` ``[(pile or None, id
        tag)]`` of ``company`` together (a batch of StopTransactions), in
        three queries at most, as ``{(pile id or None, id tag): owner or
        None}``. Without ``wallets`` the owners have no paying wallet (the
        standing of a tag needs none, and a member's wallet is not created)."""
        tags = sorted({id_tag for _pile, id_tag in requests})
        cards, members, starting = {}, {}, {}
        for card in self.sudo().search([("company_id", "=", company.id), ("name", "in", tags)]):
            cards.setdefault(card.name, card)  # the search's first, as limit=1 gives
        app_tags = [id_tag for id_tag in tags if id_tag not in cards]
        if app_tags:
            for member in self.env["res.partner"].sudo().search([
                    ("charge_app_tag", "in", app_tags), ("charge_member", "=", True),
                    ("company_id", "=", company.id)]):
                members.setdefault(member.charge_app_tag, member)
        app_requests = [(pile, id_tag) for pile, id_tag in requests if pile and id_tag in members]
        if app_requests:
            # an app start: the order waiting for the pile says which group and wallet pay
            for order in self.env["charge.order"].sudo().search([
                    ("pile_id", "in", sorted({pile.id for pile, _tag in app_requests})),
                    ("id_tag", "in", sorted({id_tag for _pile, id_tag in app_requests})),
                    ("state", "=", "starting")]):
                starting.setdefault((order.pile_id.id, order.id_tag), order)
        owners = {}
        for pile, id_tag in requests:
            key, card, owner = (pile.id if pile else None, id_tag), cards.get(id_tag), None
            if card:
                # an owner of another company never pays for a charge here
                if not any(other.company_id and other.company_id != company
                           for other in (card.partner_id, card.group_id)):
                    owner = {"card": card, "partner": card.partner_id, "group": card.group_id,
                             "method": "vin" if card.card_type == "vin" else "card"}
                    if wallets:
                        owner["wallet"] = (self.env["charge.wallet"] if card.card_type == "stored_value"
                                           else card._payer_wallet().sudo())
            elif id_tag in members:
                order = starting.get(key, self.env["charge.order"])
                owner = {"card": self.browse(), "partner": members[id_tag], "group": order.group_id,
                         "method": "app"}
                if wallets:
                    owner["wallet"] = order.wallet_id or members[id_tag]._charge_wallet().sudo()
            owners[key] = owner
        return owners
