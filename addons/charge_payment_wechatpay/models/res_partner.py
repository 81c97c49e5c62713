from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    wechatpay_openid = fields.Char(
        string="WeChat OpenID", index="btree_not_null", copy=False, groups="charge_base.group_charge_user",
        help="The member's openid in the operator's mini-program: WeChat Pay charges that WeChat user.")
