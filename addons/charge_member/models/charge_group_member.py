from odoo import api, fields, models

from ..tools.authorization import Limits
from odoo.addons.charge_base.tools.local_time import day_and_month_starts


class ChargeGroupMember(models.Model):
    """A member of a group, with the limits on what they may charge to the
    group's wallet (0 means no limit). A member may belong to several groups."""
    _name = "charge.group.member"
    _description = "Group Member"
    _order = "group_id, is_admin desc, id"
    _check_company_auto = True

    group_id = fields.Many2one("charge.group", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Member", required=True, index=True, ondelete="restrict",
                                 domain="[('charge_member', '=', True)]", check_company=True)
    company_id = fields.Many2one(related="group_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="group_id.currency_id")
    mobile = fields.Char(related="partner_id.charge_mobile")
    is_admin = fields.Boolean(string="Group Administrator")
    day_count_limit = fields.Integer(string="Charges per Day", help="0: no limit.")
    month_count_limit = fields.Integer(string="Charges per Month", help="0: no limit.")
    day_amount_limit = fields.Monetary(string="Amount per Day", help="0: no limit.")
    month_amount_limit = fields.Monetary(string="Amount per Month", help="0: no limit.")
    today_count = fields.Integer(compute="_compute_usage", string="Charges Today")
    today_amount = fields.Monetary(compute="_compute_usage", string="Spent Today")
    month_count = fields.Integer(compute="_compute_usage", string="Charges This Month")
    month_amount = fields.Monetary(compute="_compute_usage", string="Spent This Month")

    _member_unique = models.Constraint("UNIQUE(group_id, partner_id)", "The member is already in this group.")
    _limits_positive = models.Constraint(
        "CHECK(day_count_limit >= 0 AND month_count_limit >= 0 AND day_amount_limit >= 0 "
        "AND month_amount_limit >= 0)", "Limits cannot be negative (0 means no limit).")

    @api.depends("group_id", "partner_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.group_id.display_name} / {line.partner_id.display_name}"

    def _compute_usage(self):
        for line in self:
            usage = line._usage()
            line.today_count, line.month_count = usage.used_day_count, usage.used_month_count
            line.today_amount, line.month_amount = float(usage.used_day_amount), float(usage.used_month_amount)

    def _usage(self, exclude_orders=None):
        """The member's limits and what they charged to the group's wallet
        today and this month (local time): orders started in the period,
        voided and reversed ones left out; running orders count at their
        running amount."""
        self.ensure_one()
        wallet = self.group_id.sudo().wallet_id
        now = fields.Datetime.now()
        day_start, month_start = day_and_month_starts(now, self.env.company._charge_tz())
        domain = [("wallet_id", "=", wallet.id), ("partner_id", "=", self.partner_id.id),
                  ("start_date", ">=", month_start), ("state", "!=", "voided"),
                  ("payment_state", "!=", "reversed")]
        if exclude_orders:
            domain.append(("id", "not in", exclude_orders.ids))
        orders = self.env["charge.order"].sudo().search(domain)
        today = orders.filtered(lambda o: o.start_date >= day_start)
        decimal = wallet._decimal
        return Limits(
            day_count=self.day_count_limit, month_count=self.month_count_limit,
            day_amount=decimal(self.day_amount_limit), month_amount=decimal(self.month_amount_limit),
            used_day_count=len(today), used_month_count=len(orders),
            used_day_amount=sum((decimal(o._charge_spent()) for o in today), decimal(0)),
            used_month_amount=sum((decimal(o._charge_spent()) for o in orders), decimal(0)),
        )
