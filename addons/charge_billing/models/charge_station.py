from odoo import fields, models

from odoo.addons.base.models.res_partner import _tz_get



class ChargeStation(models.Model):
    _inherit = "charge.station"

    tz = fields.Selection(_tz_get, string="Time Zone", required=True, default=lambda self: self.env.company._charge_tz(),
                          help="Time-of-use periods and business days follow this zone.")
    tariff_id = fields.Many2one("charge.tariff", string="Default Tariff", check_company=True, tracking=True,
                                domain="[('kind', '=', kind), ('company_id', '=', company_id)]",
                                help="The tariff of the station's piles that have none of their own.")
    order_ids = fields.One2many("charge.order", "station_id", string="Orders")

    def write(self, vals):
        result = super().write(vals)
        if "tariff_id" in vals:
            self.env["charge.pile"].search([("station_id", "in", self.ids), ("tariff_id", "=", False)]).write(
                {"tariff_push_pending": True})
        return result
