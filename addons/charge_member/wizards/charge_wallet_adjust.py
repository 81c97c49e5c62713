from odoo import fields, models

from odoo.addons.charge_base.models.amount_messages import checked_field_amount
from odoo.addons.charge_base.tools.amounts import NOT_ZERO


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
    # a Float, not a Monetary (which would round what is typed): checked as typed, refused, never rounded
    amount = fields.Float(required=True, help="Positive adds, negative takes away: from 10 to 8, enter -2.")
    note = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        amount = checked_field_amount(self, "amount", NOT_ZERO, company=self.wallet_id.company_id)
        self.wallet_id._adjust(amount, bucket=self.bucket, note=self.note)
        return {"type": "ir.actions.act_window_close"}
