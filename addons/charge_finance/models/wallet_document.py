from odoo import api, fields, models
from odoo.tools import SQL


class ChargeWalletDocument(models.AbstractModel):
    """What the money documents of a wallet share (online payments, refunds,
    withdrawals): a number from the sequence of their model's name, the
    company and its currency, the member and the wallet, a chatter, and a
    row lock their actions take before they change anything."""
    _name = "charge.wallet.document"
    _description = "Wallet Document"
    _inherit = ["mail.thread"]
    _check_company_auto = True

    name = fields.Char(string="Number", required=True, readonly=True, copy=False, default="/", index="trigram")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Member", readonly=True, index=True, ondelete="restrict")
    # cascade: a wallet (and its ledger) goes only when charge_member is uninstalled, whose hook deletes them
    wallet_id = fields.Many2one("charge.wallet", string="Wallet", required=True, readonly=True, index=True,
                                ondelete="cascade", check_company=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].with_company(vals.get("company_id")).next_by_code(
                    self._name) or "/"
        return super().create(vals_list)

    def _charge_lock(self):
        """Lock the documents' rows (two notifications, two clicks: one at a time) and read them again."""
        self.env.cr.execute(SQL("SELECT id FROM %s WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                                SQL.identifier(self._table), self.ids))
        self.invalidate_recordset()
