from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class ChargeOrder(models.Model):
    """An order's fapiao: the request that holds it (invoiced at most once),
    and whether it may be invoiced at all."""
    _inherit = "charge.order"

    charge_fapiao_request_id = fields.Many2one("charge.fapiao.request", string="Fapiao Request", readonly=True,
                                               index="btree_not_null", copy=False, ondelete="restrict")
    charge_not_invoiceable = fields.Boolean(string="Not Invoiceable", readonly=True, copy=False, tracking=True,
                                            help="No fapiao may be asked for this order.")

    def _check_fapiao_marker(self):
        # an order's own flag: a charging manager's decision (accountants only read orders)
        if not self.env.user.has_group("charge_base.group_charge_manager"):
            raise AccessError(self.env._("Only charging managers mark orders invoiceable or not."))
        held = self.filtered("charge_fapiao_request_id")
        if held:
            raise UserError(self.env._("Order %s is in a fapiao request already.", held[0].name))

    def action_mark_not_invoiceable(self):
        self._check_fapiao_marker()
        self.sudo().write({"charge_not_invoiceable": True})
        return True

    def action_mark_invoiceable(self):
        self._check_fapiao_marker()
        self.sudo().write({"charge_not_invoiceable": False})
        return True
