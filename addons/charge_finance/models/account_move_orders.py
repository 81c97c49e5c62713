import dataclasses
from decimal import Decimal

from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools.sql import create_index

from ..tools import posting
from . import order_move_link, posting_link

ORDER_ENTRY_KINDS = [("revenue", "Revenue"), ("adjustment", "Adjustment"), ("reversal", "Reversal")]


class AccountMove(models.Model):
    """Journal entries booking the revenue of a charging order that no wallet
    paid (its revenue entry), and the later changes of it (adjusting and
    reversing entries). Each is numbered in its order: a unique index on
    (order, number) refuses a second entry made for the same step."""
    _inherit = "account.move"

    charge_order_id = fields.Many2one("charge.order", string="Charging Order", readonly=True, copy=False,
                                      index="btree_not_null")
    charge_order_kind = fields.Selection(ORDER_ENTRY_KINDS, string="Order Entry", readonly=True, copy=False)
    charge_order_seq = fields.Integer(readonly=True, copy=False)
    charge_order_amounts = fields.Json(readonly=True, copy=False,
                                       help="The price-included amount per fee component this entry books.")

    def init(self):
        super().init()
        create_index(self.env.cr, "account_move_charge_order_seq_unique", self._table,
                     ["charge_order_id", "charge_order_seq"], unique=True, where="charge_order_id IS NOT NULL")
        order_move_link.ensure_table(self.env.cr)

    charge_order_ids = fields.Many2many("charge.order", string="Charging Orders", compute="_compute_charge_order_ids",
                                        help="The orders this entry books: its own order, or the orders of the "
                                             "wallet lines it posts (payments and their reversals).")
    charge_order_count = fields.Integer(compute="_compute_charge_order_ids", string="Charging Order Count")

    def _compute_charge_order_ids(self):
        links = posting_link.lines_by_move(self.env.cr, self._origin.ids)
        lines = self.env["charge.wallet.transaction"].sudo().browse({i for ids in links.values() for i in ids})
        order_by_line = {line.id: line.order_id.id for line in lines if line.order_id}
        for move in self:
            ids = {order_by_line[i] for i in links.get(move._origin.id, ()) if i in order_by_line}
            ids |= set(move.sudo().charge_order_id.ids)
            move.charge_order_ids = self.env["charge.order"].browse(sorted(ids))
            move.charge_order_count = len(ids)

    def action_view_charge_order(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "charge.order", "res_id": self.charge_order_id.id,
                "view_mode": "form", "views": [(False, "form")]}

    def action_view_charge_orders(self):
        """The orders of the entry (read only for an accountant without charging rights)."""
        self.ensure_one()
        orders = self.charge_order_ids
        name = self.env._("Charging Orders of %s", self.display_name)
        action = {"type": "ir.actions.act_window", "res_model": "charge.order", "name": name, "display_name": name,
                  "context": {"create": False}}
        if len(orders) == 1:
            return {**action, "view_mode": "form", "views": [(False, "form")], "res_id": orders.id}
        return {**action, "view_mode": "list,form", "views": [(False, "list"), (False, "form")],
                "domain": [("id", "in", orders.ids)]}

    def _charge_booked_amounts(self):
        """{component: Decimal} booked by the posted entries ``self``."""
        booked = {}
        for move in self.filtered(lambda m: m.state == "posted"):
            for name, amount in (move.charge_order_amounts or {}).items():
                booked[name] = booked.get(name, Decimal(0)) + Decimal(amount)
        return booked

    # Creation ---------------------------------------------------------------------

    @api.model
    def _charge_create_order_entry(self, order, kind, date, ref, specs, amounts):
        """Create and post the order entry of ``order`` made of the LineSpecs ``specs``."""
        company = order.company_id
        labels = self._charge_labels(company)
        seq = max(order.with_context(active_test=False).charge_move_ids.mapped("charge_order_seq") or [0]) + 1
        move = self.with_company(company).with_context(
            skip_invoice_sync=True, tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True,
        ).create({
            "move_type": "entry", "company_id": company.id, "journal_id": company.charge_wallet_journal_id.id,
            "date": date, "ref": ref, "charge_order_id": order.id, "charge_order_kind": kind,
            "charge_order_seq": seq, "charge_order_amounts": {name: str(amount) for name, amount in amounts.items() if amount},
            "line_ids": [Command.create(self._charge_line_values(company, spec, labels))
                         for spec in posting.merge_tax_lines(specs)],
        })
        move.action_post()
        order_move_link.record(self.env.cr, move)
        return move

    def _charge_reverse_order_entries(self, order, date, ref):
        """Reverse the posted entries ``self`` of ``order`` by one entry each."""
        seq = max(order.with_context(active_test=False).charge_move_ids.mapped("charge_order_seq") or [0])
        values = []
        for number, move in enumerate(self, start=seq + 1):
            amounts = {name: str(-Decimal(amount)) for name, amount in (move.charge_order_amounts or {}).items()}
            values.append({"date": date, "ref": ref, "charge_order_id": order.id, "charge_order_kind": "reversal",
                           "charge_order_seq": number, "charge_order_amounts": amounts})
        # cancel: the reversal is posted as the exact mirror (no tax recomputation) and reconciled with the
        # original; receivable items the original settled with are matched again by _charge_reconcile_orders
        reversals = self.with_context(tracking_disable=True)._reverse_moves(values, cancel=True)
        reversals.filtered(lambda m: m.state == "draft").action_post()
        order_move_link.record(self.env.cr, reversals)
        return reversals

    # Journal items ----------------------------------------------------------------

    @api.model
    def _charge_line_values(self, company, spec, labels):
        """An order's receivable is the partner's receivable, marked with the order."""
        if spec.role != "order_receivable":
            return super()._charge_line_values(company, spec, labels)
        values = super()._charge_line_values(company, dataclasses.replace(spec, role="receivable", key=None), labels)
        values.update(name=labels["order_receivable"], charge_order_id=spec.key)
        return values

    @api.model
    def _charge_labels(self, company):
        labels = super()._charge_labels(company)
        env = company._charge_in_operator_lang(self).env
        labels.update(order_receivable=env._("Charging orders to collect"),
                      card_liability=env._("Stored-value cards"))
        return labels

    @api.model
    def _charge_create_entries(self, company, entries):
        """Wallet entries that settle an order's receivable are reconciled with it."""
        moves = super()._charge_create_entries(company, entries)
        moves.line_ids._charge_reconcile_orders()
        return moves


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    charge_order_id = fields.Many2one("charge.order", string="Charging Order", readonly=True, copy=True,
                                      index="btree_not_null",
                                      help="The order whose receivable this item books or settles.")

    def init(self):
        super().init()
        # both models' columns exist now: links an uninstall dropped are put back
        order_move_link.ensure_table(self.env.cr)
        order_move_link.restore(self.env.cr)

    def _charge_reconcile_orders(self):
        """Reconcile, per order, account and partner, the open receivable items
        of the orders these items book or settle, once debits meet credits."""
        orders = self.filtered("charge_order_id").charge_order_id
        if not orders:
            return
        items = self.sudo().search([("charge_order_id", "in", orders.ids), ("parent_state", "=", "posted"),
                                    ("reconciled", "=", False), ("account_id.reconcile", "=", True)])
        for _key, group in items.grouped(lambda i: (i.charge_order_id, i.account_id, i.partner_id)).items():
            if any(i.balance > 0 for i in group) and any(i.balance < 0 for i in group):
                group.reconcile()
