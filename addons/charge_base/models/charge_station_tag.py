from random import randint

from odoo import fields, models


class ChargeStationTag(models.Model):
    _name = "charge.station.tag"
    _description = "Station Tag"
    _order = "name"

    def _default_color(self):
        return randint(1, 11)

    name = fields.Char(required=True, translate=True)
    color = fields.Integer(default=_default_color)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", string="Company", index=True,
        help="Leave empty to share the tag between companies.",
    )

    _name_unique = models.Constraint(
        "UNIQUE NULLS NOT DISTINCT (name, company_id)",
        "A station tag with this name already exists.",
    )
