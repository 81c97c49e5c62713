from odoo import api, fields, models


class ChargeParkingSpace(models.Model):
    _name = "charge.parking.space"
    _description = "Parking Space"
    _order = "station_id, area_id, number"
    _check_company_auto = True

    number = fields.Char(required=True, index=True)
    name = fields.Char(help="Name shown to drivers in the apps.")
    area_id = fields.Many2one(
        "charge.area", string="Area", required=True, ondelete="cascade", index=True,
        check_company=True,
    )
    station_id = fields.Many2one(related="area_id.station_id", store=True, index=True)
    company_id = fields.Many2one(related="area_id.company_id", store=True, index=True)
    lock_type = fields.Selection(
        [
            ("none", "No Lock"),
            ("camera", "Camera-driven Ground Lock"),
            ("standalone", "Stand-alone Lock"),
        ],
        required=True, default="none",
    )
    state = fields.Selection(
        [("free", "Free"), ("reserved", "Reserved"), ("occupied", "Occupied"), ("charging", "Charging")],
        required=True, default="free", index=True,
    )
    connector_id = fields.Many2one(
        "charge.connector", string="Connector", check_company=True,
        domain="[('station_id', '=', station_id)]",
        help="Connector that reaches this space.",
    )
    active = fields.Boolean(default=True, help="An archived space cannot be reserved.")

    _number_unique = models.Constraint(
        "UNIQUE(area_id, number)", "This area already has a parking space with this number.",
    )

    @api.depends("number", "name")
    def _compute_display_name(self):
        for space in self:
            space.display_name = f"{space.number} {space.name}" if space.name else space.number
