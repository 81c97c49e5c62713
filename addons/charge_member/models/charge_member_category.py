from odoo import api, fields, models
from odoo.exceptions import UserError


class ChargeMemberCategory(models.Model):
    """Categories of members, for targeting (activities, coupons, notices).
    Each company has one default category, which receives every new member."""
    _name = "charge.member.category"
    _description = "Member Category"
    _order = "sequence, name"
    _inherit = ["charge.default.category.mixin"]
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    member_ids = fields.One2many("res.partner", "charge_category_id", string="Members")
    member_count = fields.Integer(compute="_compute_member_count")
    active = fields.Boolean(default=True)

    _default_unique = models.UniqueIndex("(company_id) WHERE is_default",
                                         "A company has one default member category.")

    def _compute_member_count(self):
        counts = dict(self.env["res.partner"]._read_group([("charge_category_id", "in", self.ids)],
                                                          ["charge_category_id"], ["__count"]))
        for category in self:
            category.member_count = counts.get(category, 0)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_default_or_used(self):
        if self.filtered("is_default"):
            raise UserError(self.env._("The default member category cannot be deleted."))
        if self.filtered("member_ids"):
            raise UserError(self.env._("Move the members of a category to another one before deleting it."))

    def write(self, vals):
        if "active" in vals and not vals["active"] and self.filtered("is_default"):
            raise UserError(self.env._("The default member category cannot be archived."))
        return super().write(vals)
