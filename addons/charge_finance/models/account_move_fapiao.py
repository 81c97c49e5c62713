from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    charge_fapiao_request_id = fields.Many2one("charge.fapiao.request", string="Fapiao Request", readonly=True,
                                               index="btree_not_null", copy=False)
