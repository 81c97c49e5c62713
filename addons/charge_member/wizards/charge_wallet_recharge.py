from odoo import fields, models


class ChargeWalletRecharge(models.TransientModel):
    """Offline recharge at the counter: money paid (withdrawable) or
    recorded on account (settled with the operator later, not withdrawable)."""
    _name = "charge.wallet.recharge"
    _description = "Offline Recharge"

    wallet_id = fields.Many2one("charge.wallet", required=True, readonly=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id")
    balance = fields.Monetary(related="wallet_id.balance", string="Current Balance")
    amount = fields.Monetary(required=True)
    mode = fields.Selection([("paid", "Paid"), ("on_account", "On Account")], required=True, default="paid",
                            help="Paid: the customer paid now, the money can be withdrawn. On account: the "
                            "customer settles with the operator later; the money cannot be withdrawn.")
    reference = fields.Char(help="Receipt or bank reference.")
    note = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        self.wallet_id._recharge(self.amount, on_account=self.mode == "on_account", reference=self.reference,
                                 note=self.note)
        return {"type": "ir.actions.act_window_close"}
