from odoo import fields, models

from . import posting_link


class ChargeOrder(models.Model):
    """Every journal entry that books an order, for the order's *Entries*
    button: its own entries (an order no wallet paid: revenue, adjustment,
    reversal) and the entries posting its wallet lines (the payment from the
    wallet, which books the revenue of a paid order, and its reversal), a
    daily summary entry included."""
    _inherit = "charge.order"

    charge_entry_ids = fields.Many2many("account.move", string="All Journal Entries",
                                        compute="_compute_charge_entry_ids", groups="account.group_account_readonly")
    charge_entry_count = fields.Integer(compute="_compute_charge_entry_ids", string="Journal Entry Count",
                                        groups="account.group_account_readonly")

    def _compute_charge_entry_ids(self):
        Move = self.env["account.move"]
        orders = self.filtered(lambda order: isinstance(order._origin.id, int))
        own = dict(Move.sudo()._read_group([("charge_order_id", "in", orders._origin.ids)],
                                           ["charge_order_id"], ["id:array_agg"]))
        lines = self.env["charge.wallet.transaction"].sudo().search_fetch(
            [("order_id", "in", orders._origin.ids)], ["order_id"])
        moves_by_line = posting_link.moves_by_line(self.env.cr, lines.ids)
        by_order = {}
        for line in lines:
            by_order.setdefault(line.order_id.id, set()).update(moves_by_line.get(line.id, ()))
        for order in self:
            ids = set(own.get(order._origin, ())) | by_order.get(order._origin.id, set())
            order.charge_entry_ids = Move.browse(sorted(ids))
            order.charge_entry_count = len(ids)

    def action_view_charge_entries(self):
        """The journal entries of the order: the entry itself when there is one."""
        self.ensure_one()
        moves = self.charge_entry_ids
        name = self.env._("Journal Entries of %s", self.name)
        action = {"type": "ir.actions.act_window", "res_model": "account.move", "name": name,
                  "display_name": name, "context": {"create": False}}
        form = (self.env.ref("account.view_move_form").id, "form")
        if len(moves) == 1:
            return {**action, "view_mode": "form", "views": [form], "res_id": moves.id}
        return {**action, "view_mode": "list,form", "views": [(self.env.ref("account.view_move_tree").id, "list"), form],
                "search_view_id": [self.env.ref("account.view_account_move_filter").id],
                "domain": [("id", "in", moves.ids)]}
