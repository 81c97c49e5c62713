import secrets

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools.mobile import MobileError, normalize_mobile
from .member_messages import identity_message

MEMBER_SOURCES = [("online", "Online"), ("offline", "Offline"), ("import", "Import")]
MEMBER_STATUSES = [("normal", "Normal"), ("frozen", "Frozen"), ("blacklisted", "Blacklisted")]


class ResPartner(models.Model):
    """Members are contacts with the member flag: the people who charge,
    identified by their mobile number within the company."""
    _inherit = "res.partner"

    charge_member = fields.Boolean(string="Charging Member", index=True, copy=False)
    charge_mobile = fields.Char(string="Member Mobile", copy=False, index=True,
                                help="Mainland mobile number, unique among the company's members.")
    charge_nickname = fields.Char(string="Nickname")
    charge_real_name = fields.Char(string="Real Name")
    charge_category_id = fields.Many2one("charge.member.category", string="Member Category", index=True,
                                         ondelete="restrict")
    charge_source = fields.Selection(MEMBER_SOURCES, string="Member Source", default="offline")
    charge_status = fields.Selection(MEMBER_STATUSES, string="Member Status", default="normal", tracking=True,
                                     copy=False)
    charge_status_note = fields.Char(string="Status Reason", copy=False)
    charge_max_sessions = fields.Integer(string="Sessions at Once", default=1,
                                         help="How many charging sessions the member may run at the same time.")
    charge_last_charge_date = fields.Datetime(string="Last Charge", readonly=True, copy=False)
    charge_app_tag = fields.Char(string="App Tag", readonly=True, copy=False, index=True,
                                 help="The id tag of the member's app starts.")
    charge_wallet_ids = fields.One2many("charge.wallet", "partner_id", string="Wallets")
    charge_wallet_id = fields.Many2one("charge.wallet", string="Wallet", compute="_compute_charge_wallet_id")
    charge_wallet_balance = fields.Monetary(compute="_compute_charge_wallet_id", string="Wallet Balance",
                                            currency_field="charge_currency_id")
    charge_currency_id = fields.Many2one("res.currency", compute="_compute_charge_wallet_id",
                                         string="Wallet Currency")
    charge_card_ids = fields.One2many("charge.card", "partner_id", string="Charging Cards")
    charge_vehicle_ids = fields.One2many("charge.vehicle", "partner_id", string="Vehicles")
    charge_group_member_ids = fields.One2many("charge.group.member", "partner_id", string="Group Memberships")
    charge_card_count = fields.Integer(compute="_compute_charge_counts", string="Cards")
    charge_order_count = fields.Integer(compute="_compute_charge_counts", string="Orders")

    _charge_mobile_unique = models.UniqueIndex(
        "(COALESCE(company_id, 0), charge_mobile) WHERE charge_member AND charge_mobile IS NOT NULL",
        "Another member of this company already has this mobile number.")
    _charge_app_tag_unique = models.UniqueIndex("(charge_app_tag) WHERE charge_app_tag IS NOT NULL",
                                                "An app tag belongs to one member.")
    _charge_sessions_positive = models.Constraint("CHECK(charge_max_sessions >= 0)",
                                                  "The number of sessions at once cannot be negative.")

    @api.depends("charge_wallet_ids.balance")
    def _compute_charge_wallet_id(self):
        company = self.env.company
        for partner in self:
            wallets = partner.charge_wallet_ids
            wallet = (wallets.filtered(lambda w: w.company_id == (partner.company_id or company)) or wallets)[:1]
            partner.charge_wallet_id = wallet
            partner.charge_wallet_balance = wallet.balance
            partner.charge_currency_id = wallet.currency_id or (partner.company_id or company).currency_id

    def _compute_charge_counts(self):
        cards = dict(self.env["charge.card"]._read_group([("partner_id", "in", self.ids)], ["partner_id"],
                                                         ["__count"]))
        orders = dict(self.env["charge.order"]._read_group([("partner_id", "in", self.ids)], ["partner_id"],
                                                           ["__count"]))
        for partner in self:
            partner.charge_card_count = cards.get(partner, 0)
            partner.charge_order_count = orders.get(partner, 0)

    # Members -----------------------------------------------------------------------

    @api.model
    def _charge_normalize_mobile(self, mobile):
        try:
            return normalize_mobile(mobile)
        except MobileError as error:
            raise ValidationError(identity_message(self.env, "mobile", error)) from error

    def _charge_check_protected_member(self, vals_list):
        """A member's status and app tag change only through their actions (and the tag never by hand)."""
        if self.env.su:
            return
        for vals in vals_list:
            if vals.get("charge_status", "normal") != "normal" or "charge_status" in vals and self \
                    or "charge_app_tag" in vals and (self or vals["charge_app_tag"]):
                raise AccessError(self.env._("A member's status and app tag change only through their actions."))

    @api.model_create_multi
    def create(self, vals_list):
        self._charge_check_protected_member(vals_list)
        for vals in vals_list:
            if vals.get("charge_member"):
                self._charge_prepare_member(vals)
        partners = super().create(vals_list)
        partners.filtered("charge_member")._charge_ensure_wallet()
        return partners

    def write(self, vals):
        self._charge_check_protected_member([vals])
        if vals.get("charge_mobile"):
            vals["charge_mobile"] = self._charge_normalize_mobile(vals["charge_mobile"])
        newcomers = self.filtered(lambda p: not p.charge_member) if vals.get("charge_member") else self.browse()
        for partner in newcomers:
            # becoming a member: the defaults of a new member, from this partner's own values
            partner_vals = dict(vals, company_id=vals.get("company_id", partner.company_id.id),
                                charge_mobile=vals.get("charge_mobile", partner.charge_mobile))
            self._charge_prepare_member(partner_vals)
            super(ResPartner, partner).write(partner_vals)
        result = super(ResPartner, self - newcomers).write(vals) if self - newcomers else True
        if vals.get("charge_member") or "company_id" in vals:
            self.filtered("charge_member")._charge_ensure_wallet()
        return result

    def _charge_prepare_member(self, vals):
        """Defaults of a new member: mobile normalised, company, default category, app tag."""
        if not vals.get("charge_mobile"):
            raise ValidationError(self.env._("A member needs a mobile number."))
        vals["charge_mobile"] = self._charge_normalize_mobile(vals["charge_mobile"])
        company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
        vals["company_id"] = company.id
        self._charge_check_mobile_free(vals["charge_mobile"], company)
        if not vals.get("charge_category_id"):
            vals["charge_category_id"] = self.env["charge.member.category"]._default_for(company).id
        vals.setdefault("charge_app_tag", "APP" + secrets.token_hex(8).upper())
        if not vals.get("name"):
            vals["name"] = vals.get("charge_real_name") or vals.get("charge_nickname") or \
                self.env._("Guest %s", vals["charge_mobile"][-4:])

    def _charge_check_mobile_free(self, mobile, company, exclude=None):
        domain = [("charge_member", "=", True), ("charge_mobile", "=", mobile), ("company_id", "=", company.id)]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        other = self.sudo().with_context(active_test=False).search(domain, limit=1)
        if other:
            raise ValidationError(self.env._("Mobile number %(mobile)s is already used by member %(member)s.",
                                             mobile=mobile, member=other.display_name))

    @api.constrains("charge_mobile", "charge_member", "company_id")
    def _check_charge_mobile(self):
        for partner in self.filtered("charge_member"):
            if not partner.charge_mobile:
                raise ValidationError(self.env._("A member needs a mobile number."))
            partner._charge_check_mobile_free(partner.charge_mobile, partner.company_id, exclude=partner)

    def _charge_ensure_wallet(self):
        wallets = self.env["charge.wallet"].sudo()
        for partner in self:
            company = partner.company_id or self.env.company
            if not partner.charge_wallet_ids.filtered(lambda w: w.company_id == company):
                wallets.create({"partner_id": partner.id, "company_id": company.id})

    def _charge_wallet(self):
        """The member's wallet in the member's company."""
        self.ensure_one()
        company = self.company_id or self.env.company
        return self.sudo().charge_wallet_ids.filtered(lambda w: w.company_id == company)[:1].sudo(False)

    # Status ------------------------------------------------------------------------

    def _charge_set_status(self, status, note=None):
        members = self.filtered("charge_member")
        if len(members) != len(self):
            raise UserError(self.env._("Only members have a charging status."))
        if status == "blacklisted" and not self.env.user.has_group("charge_base.group_charge_manager"):
            raise UserError(self.env._("Only a Charging Manager may blacklist a member."))
        if any(m.charge_status == "blacklisted" for m in members) and status != "blacklisted" \
                and not self.env.user.has_group("charge_base.group_charge_manager"):
            raise UserError(self.env._("Only a Charging Manager may take a member off the blacklist."))
        for member in members:
            previous = member.charge_status
            member.sudo().write({"charge_status": status, "charge_status_note": note or False})
            member.message_post(body=self.env._("Charging status: %(before)s → %(after)s. %(note)s",
                                                before=dict(MEMBER_STATUSES)[previous], after=dict(
                                                    MEMBER_STATUSES)[status], note=note or ""))
            if status == "blacklisted":
                member._charge_log_out()

    def _charge_log_out(self):
        """A blacklisted member cannot log in: their portal users are archived."""
        self.sudo().user_ids.filtered(lambda u: u.share).write({"active": False})

    # Actions -------------------------------------------------------------------------

    def _charge_status_action(self, status):
        return {
            "type": "ir.actions.act_window", "res_model": "charge.member.status", "view_mode": "form",
            "target": "new", "name": self.env._("Change Member Status"),
            "context": {"default_partner_ids": self.ids, "default_status": status},
        }

    def action_charge_freeze(self):
        return self._charge_status_action("frozen")

    def action_charge_unfreeze(self):
        return self._charge_status_action("normal")

    def action_charge_blacklist(self):
        return self._charge_status_action("blacklisted")

    def action_charge_recharge(self):
        self.ensure_one()
        return self._charge_wallet().action_recharge()

    def action_charge_view_wallet(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "charge.wallet", "view_mode": "form",
                "res_id": self._charge_wallet().id}

    def action_charge_view_cards(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "charge.card", "view_mode": "list,form",
                "name": self.env._("Charging Cards"), "domain": [("partner_id", "=", self.id)],
                "context": {"default_partner_id": self.id}}

    def action_charge_view_orders(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "charge.order", "view_mode": "list,form",
                "name": self.env._("Charging Orders"), "domain": [("partner_id", "=", self.id)]}
