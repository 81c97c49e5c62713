from odoo import fields, models


class ChargeWalletAdjust(models.TransientModel):
    """A signed correction of a wallet's cash or gift balance, with a note."""
    _name = "charge.wallet.adjust"
    _description = "Balance Adjustment"

    wallet_id = fields.Many2one("charge.wallet", required=True, readonly=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id")
    cash_balance = fields.Monetary(related="wallet_id.cash_balance")
    gift_balance = fields.Monetary(related="wallet_id.gift_balance")
    bucket = fields.Selection([("cash", "Cash"), ("gift", "Gift")], string="Balance", required=True,
                              default="cash")
    amount = fields.Monetary(required=True, help="Positive adds, negative takes away: from 10 to 8, enter -2.")
    note = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.wallet_id._adjust(self.amount, bucket=self.bucket, note=self.note)
        return {"type": "ir.actions.act_window_close"}
