from odoo import api, models

from ..tools import posting


class ChargeWalletTransaction(models.Model):
    """Wallet payments of orders whose revenue their own entry booked (an
    unpaid order paid later): they settle the order's receivable."""
    _inherit = "charge.wallet.transaction"

    def _charge_fact(self, company, cache):
        """A payment (or its reversal) of an order that already has its
        revenue entry credits (debits) the order's receivable instead of
        booking the revenue again; the order row is locked meanwhile."""
        self.ensure_one()
        order = self.order_id
        if self.type not in ("payment", "reversal") or not order:
            return super()._charge_fact(company, cache)
        booked = cache.get("revenue_booked")  # a batch's orders, locked together (_charge_prepare)
        if not (order.id in booked if booked is not None else order.sudo()._charge_revenue_booked()):
            return super()._charge_fact(company, cache)
        wallet = self.wallet_id
        partner = wallet.partner_id or wallet.group_id.partner_id
        movement = self._movement()
        return posting.Fact(self.type, movement.withdrawable, movement.on_account, movement.gift,
                            partner=partner.id or None, settles=order.id)

    def _charge_prepare(self, cache):
        """Lock the orders the payments and reversals of the batch pay, and
        tell once which of them have a revenue entry of their own."""
        super()._charge_prepare(cache)
        orders = self.filtered(lambda line: line.type in ("payment", "reversal")).order_id
        cache["revenue_booked"] = orders.sudo()._charge_revenue_booked_ids()

    @api.model
    def action_post_pending(self):
        """Accountants post the waiting orders, card loads and withdrawal payouts with the wallet lines."""
        action = super().action_post_pending()
        moves = self.env["charge.order"]._charge_post_pending_orders(self.env.companies,
                                                                      up_to=self._charge_now_cutoff())
        self.env["charge.card.load"]._charge_post_pending_loads(self.env.companies)
        self.env["charge.withdrawal"]._charge_post_pending_payouts(self.env.companies)
        if moves and action.get("type") != "ir.actions.act_window":
            name = self.env._("Order Entries")
            return {"type": "ir.actions.act_window", "res_model": "account.move", "name": name,
                    "view_mode": "list,form", "domain": [("id", "in", moves.ids)]}
        return action

    @api.model
    def _cron_post_daily_summary(self, up_to=None):
        """The daily job posts the pending orders, card loads and withdrawal payouts too."""
        super()._cron_post_daily_summary(up_to=up_to)
        companies = self.env["res.company"].sudo().search([])
        self.env["charge.order"]._charge_post_pending_orders(companies, up_to=up_to)
        self.env["charge.card.load"]._charge_post_pending_loads(companies)
        self.env["charge.withdrawal"]._charge_post_pending_payouts(companies)
