from odoo import api, fields, models

from odoo.addons.charge_base.models.amount_messages import checked_field_amount
from odoo.addons.charge_base.tools.amounts import NOT_NEGATIVE

WALLET_PRIORITIES = [("cash", "Cash First"), ("gift", "Gift First")]


class ResCompany(models.Model):
    _inherit = "res.company"

    charge_wallet_priority = fields.Selection(
        WALLET_PRIORITIES, string="Wallet Pays First With", default="cash", required=True,
        help="Which balance pays a charging order first; the other pays the rest.",
    )
    charge_min_start_amount = fields.Monetary(
        string="Minimum Amount to Start", currency_field="currency_id", default=1.0,
        help="A member may start charging only when the paying wallet can spend at least this "
        "(balance plus credit limit).",
    )
    charge_card_fee = fields.Monetary(
        string="Card Fee", currency_field="currency_id", default=0.0,
        help="Taken from the member's wallet when a card is issued or replaced for the member's own reasons.",
    )
    charge_local_list_version = fields.Integer(
        string="Local Card List Version", readonly=True, default=1,
        help="Raised whenever a white-listed, black-listed or lost card changes; piles must hold this version.",
    )

    @api.constrains("charge_card_fee", "charge_max_operation_amount")
    def _check_charge_card_fee(self):
        """The card fee is an amount like those typed in the wizards: not negative, within the maximum."""
        for company in self:
            checked_field_amount(company, "charge_card_fee", NOT_NEGATIVE, company=company)
