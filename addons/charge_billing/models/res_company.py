from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    charge_abnormal_review = fields.Boolean(
        string="Second Review of Abnormal Orders",
        help="A clerk's handling of an abnormal order takes effect only once another user approves it.",
    )
    charge_pile_amount_tolerance = fields.Monetary(
        string="Pile Amount Tolerance", currency_field="currency_id", default=1.0,
        help="An order whose amount computed by the pile differs from ours by more than this is abnormal.",
    )
