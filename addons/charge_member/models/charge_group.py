from odoo import api, fields, models
from odoo.exceptions import UserError


class ChargeGroup(models.Model):
    """A corporate customer (fleet, company, property) whose members charge
    on the group's wallet, within the limits the group sets per member.
    Groups form a tree: a group can have sub-groups."""
    _name = "charge.group"
    _description = "Charging Group"
    _inherit = ["mail.thread"]
    _parent_store = True
    _order = "complete_name"
    _rec_name = "complete_name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    complete_name = fields.Char(compute="_compute_complete_name", store=True, recursive=True)
    parent_id = fields.Many2one("charge.group", string="Parent Group", index=True, ondelete="restrict",
                                check_company=True)
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("charge.group", "parent_id", string="Sub-groups")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Contact", check_company=True,
                                 help="The company or person the operator deals with; invoiced for on-account money.")
    start_date = fields.Date(string="Relationship Since", default=fields.Date.context_today)
    soc_limit = fields.Float(string="SoC Limit (%)", digits=(5, 1),
                             help="Members' vehicles charge up to this state of charge; 0: no limit.")
    member_ids = fields.One2many("charge.group.member", "group_id", string="Members")
    member_count = fields.Integer(compute="_compute_counts")
    card_ids = fields.One2many("charge.card", "group_id", string="Cards")
    vehicle_ids = fields.One2many("charge.vehicle", "group_id", string="Vehicles")
    wallet_id = fields.Many2one("charge.wallet", compute="_compute_wallet_id", string="Group Wallet")
    wallet_balance = fields.Monetary(compute="_compute_wallet_id", string="Wallet Balance")
    note = fields.Html()
    active = fields.Boolean(default=True, tracking=True)

    _soc_range = models.Constraint("CHECK(soc_limit >= 0 AND soc_limit <= 100)",
                                   "The SoC limit is a percentage between 0 and 100.")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for group in self:
            group.complete_name = (f"{group.parent_id.complete_name} / {group.name}"
                                   if group.parent_id else group.name)

    def _compute_counts(self):
        counts = dict(self.env["charge.group.member"]._read_group([("group_id", "in", self.ids)], ["group_id"],
                                                                  ["__count"]))
        for group in self:
            group.member_count = counts.get(group, 0)

    def _compute_wallet_id(self):
        wallets = self.env["charge.wallet"].sudo().search([("group_id", "in", self.ids)])
        by_group = {wallet.group_id.id: wallet.id for wallet in wallets}
        for group in self:
            group.wallet_id = by_group.get(group.id, False)
            group.wallet_balance = group.wallet_id.sudo().balance

    @api.model_create_multi
    def create(self, vals_list):
        groups = super().create(vals_list)
        self.env["charge.wallet"].sudo().create([{"group_id": group.id, "company_id": group.company_id.id}
                                                 for group in groups])
        return groups

    @api.constrains("parent_id")
    def _check_parent(self):
        if self._has_cycle():
            raise UserError(self.env._("A group cannot be its own sub-group."))

    def _check_can_delete(self):
        for group in self:
            if group.member_ids:
                raise UserError(self.env._("Group %s still has members: remove them before deleting the group.",
                                           group.display_name))
            if group.with_context(active_test=False).child_ids - self:
                raise UserError(self.env._("Group %s has sub-groups: delete them first.", group.display_name))
            if group.sudo().wallet_id.transaction_ids:
                raise UserError(self.env._("The wallet of group %s has a ledger: archive the group instead.",
                                           group.display_name))

    def unlink(self):
        """A group goes with its (empty) wallet; members and sub-groups must go first."""
        self._check_can_delete()
        self.env["charge.wallet"].sudo().search([("group_id", "in", self.ids)]).unlink()
        return super().unlink()

    def action_view_wallet(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "charge.wallet", "view_mode": "form",
                "res_id": self.sudo().wallet_id.id}

    def action_add_sub_group(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "charge.group", "view_mode": "form",
                "target": "current", "context": {"default_parent_id": self.id,
                                                 "default_company_id": self.company_id.id}}
