from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    charge_hotline = fields.Char(
        string="Charging Hotline",
        help="Default service hotline of new stations; also shown on the piles' screens.",
    )
    charge_map_provider = fields.Selection(
        selection=[
            ("amap", "AMap (Gaode)"),
            ("baidu", "Baidu Maps"),
            ("osm", "OpenStreetMap"),
        ],
        string="Map Provider",
        default="amap",
        required=True,
        help="Map that opens when a clerk follows a station's location link.",
    )
