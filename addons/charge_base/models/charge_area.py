from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ChargeArea(models.Model):
    _name = "charge.area"
    _description = "Station Area"
    _order = "station_id, is_default desc, code, id"
    _check_company_auto = True
    _rec_names_search = ["name", "code"]

    name = fields.Char(required=True)
    code = fields.Char(
        string="Number", required=True, readonly=True, copy=False, index=True,
        default=lambda self: _("New"),
    )
    station_id = fields.Many2one(
        "charge.station", string="Station", required=True, ondelete="cascade", index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="station_id.company_id", store=True, index=True)
    kind = fields.Selection(related="station_id.kind", store=True)
    phone = fields.Char()
    power_capacity = fields.Float(string="Power Capacity (kW)", digits=(10, 2))
    active = fields.Boolean(
        default=True,
        help="Archiving an area takes its piles out of operation: drivers no longer see them.",
    )
    is_default = fields.Boolean(string="Default Area", readonly=True, copy=False)
    pile_ids = fields.One2many("charge.pile", "area_id", string="Piles")
    parking_space_ids = fields.One2many("charge.parking.space", "area_id", string="Parking Spaces")
    pile_count = fields.Integer(compute="_compute_counts")
    connector_count = fields.Integer(compute="_compute_counts")
    parking_space_count = fields.Integer(compute="_compute_counts")

    _code_unique = models.Constraint("UNIQUE(code)", "Area numbers are unique.")

    @api.depends("name", "station_id.name")
    def _compute_display_name(self):
        for area in self:
            area.display_name = f"{area.station_id.name} / {area.name}" if area.station_id else area.name

    def _compute_counts(self):
        def count_by_area(model):
            return dict(self.env[model].with_context(active_test=False)._read_group(
                [("area_id", "in", self.ids)], ["area_id"], ["__count"],
            ))
        piles = count_by_area("charge.pile")
        connectors = count_by_area("charge.connector")
        spaces = count_by_area("charge.parking.space")
        for area in self:
            area.pile_count = piles.get(area, 0)
            area.connector_count = connectors.get(area, 0)
            area.parking_space_count = spaces.get(area, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("code") or vals["code"] == _("New"):
                vals["code"] = self.env["ir.sequence"].next_by_code("charge.area") or _("New")
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        for area in self:
            if area.with_context(active_test=False).pile_ids:
                raise UserError(_(
                    "Area %s still has piles: move or delete them first, or archive the area.",
                    area.display_name,
                ))

    def action_view_piles(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("charge_base.charge_pile_action")
        action["domain"] = [("area_id", "=", self.id)]
        action["context"] = {"default_station_id": self.station_id.id, "default_area_id": self.id}
        return action
