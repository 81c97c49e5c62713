import dataclasses

from odoo import fields, models


class ChargeWalletTransaction(models.Model):
    """A recharge paid online: the payment order it comes from (one recharge
    line per order, whoever credits it) and the clearing account of its
    payment provider, where the money waits until the provider pays it out.
    A refund's lines link their refund (charge.refund), a withdrawal's its
    withdrawal (charge.withdrawal)."""
    _inherit = "charge.wallet.transaction"

    # set null: the documents are never deleted, but for the ledger's own deletion when charge_member goes
    payment_order_id = fields.Many2one(
        "charge.payment.order", string="Online Payment", readonly=True, index="btree_not_null",
        ondelete="set null")
    clearing_account_id = fields.Many2one(
        "account.account", string="Clearing Account", readonly=True, ondelete="restrict",
        groups="account.group_account_readonly",
        help="Where the money of this recharge waits until the payment provider pays it out; empty: the "
             "company's recharge clearing account.")

    refund_id = fields.Many2one("charge.refund", string="Refund", readonly=True, index="btree_not_null",
                                ondelete="set null")
    withdrawal_id = fields.Many2one("charge.withdrawal", string="Withdrawal", readonly=True,
                                    index="btree_not_null", ondelete="set null")

    _payment_order_credited_once = models.UniqueIndex(
        "(payment_order_id) WHERE payment_order_id IS NOT NULL AND type = 'recharge'",
        "An online payment credits its wallet once.")

    def _charge_fact(self, company, cache):
        fact = super()._charge_fact(company, cache)
        if self.type in ("recharge", "recharge_refund") and self.clearing_account_id:
            fact = dataclasses.replace(fact, clearing=self.clearing_account_id.id)
        return fact
