from odoo import api, fields, models

from odoo.addons.charge_base.models.amount_messages import checked_field_amount


class ChargeWalletRecharge(models.TransientModel):
    """Offline recharge at the counter: money paid (withdrawable) or
    recorded on account (settled with the operator later, not withdrawable)."""
    _name = "charge.wallet.recharge"
    _description = "Offline Recharge"

    wallet_id = fields.Many2one("charge.wallet", required=True, readonly=True)
    currency_id = fields.Many2one(related="wallet_id.currency_id")
    balance = fields.Monetary(related="wallet_id.balance", string="Current Balance")
    # a Float, not a Monetary: a Monetary field rounds what is typed to the currency before anything can
    # check it; the amount is checked as typed (checked_field_amount) and refused, never rounded
    amount = fields.Float(required=True)
    mode = fields.Selection([("paid", "Paid"), ("on_account", "On Account")], required=True, default="paid",
                            help="Paid: the customer paid now, the money can be withdrawn. On account: the "
                            "customer settles with the operator later; the money cannot be withdrawn.")
    reference = fields.Char(help="Receipt or bank reference.")
    note = fields.Text()

    @api.model
    def default_get(self, fields_list):
        """Opened on a member or a group: their wallet."""
        values = super().default_get(fields_list)
        model, record_id = self.env.context.get("active_model"), self.env.context.get("active_id")
        if not values.get("wallet_id") and record_id and model == "res.partner":
            values["wallet_id"] = self.env["res.partner"].browse(record_id)._charge_wallet().id
        elif not values.get("wallet_id") and record_id and model == "charge.group":
            values["wallet_id"] = self.env["charge.group"].browse(record_id).sudo().wallet_id.id
        return values

    def action_confirm(self):
        self.ensure_one()
        amount = checked_field_amount(self, "amount", company=self.wallet_id.company_id)
        self.wallet_id._recharge(amount, on_account=self.mode == "on_account", reference=self.reference,
                                 note=self.note)
        return {"type": "ir.actions.act_window_close"}
