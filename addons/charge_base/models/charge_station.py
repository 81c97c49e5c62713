from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import maps


class ChargeStation(models.Model):
    _name = "charge.station"
    _description = "Charging Station"
    _inherit = ["mail.thread", "mail.activity.mixin", "image.mixin", "charge.protected.fields"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(string="Internal Code", copy=False, tracking=True)
    short_name = fields.Char(help="Short name shown on small screens and receipts.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company,
    )
    kind = fields.Selection(
        [("car", "Car"), ("ebike", "E-bike")], string="Service Target",
        required=True, default="car", tracking=True,
    )
    # Address and position
    street = fields.Char()
    street2 = fields.Char()
    zip = fields.Char()
    city = fields.Char(tracking=True)
    state_id = fields.Many2one(
        "res.country.state", string="Province", ondelete="restrict",
        domain="[('country_id', '=?', country_id)]",
    )
    country_id = fields.Many2one(
        "res.country", string="Country", ondelete="restrict",
        default=lambda self: self.env.company.country_id,
    )
    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))
    map_url = fields.Char(string="Map", compute="_compute_map_url")
    # Operation
    operation_type = fields.Selection(
        [("self", "Self-operated"), ("cooperative", "Cooperative"), ("entrusted", "Entrusted")],
        required=True, default="self", tracking=True,
    )
    site_type = fields.Selection(
        [("public", "Public"), ("dedicated", "Dedicated"), ("private", "Private")],
        required=True, default="public", tracking=True,
        help="Public stations can be searched and found on the map in the apps; "
        "dedicated and private stations only by scanning a pile's QR code.",
    )
    app_visibility = fields.Selection(
        [("listed", "Listed in Apps"), ("scan", "Scan Only"), ("hidden", "Hidden")],
        compute="_compute_app_visibility", store=True,
        help="How drivers find the station: listed (search and map), "
        "scan only (QR code), or hidden while it is not operating.",
    )
    venue = fields.Selection(
        [
            ("public_parking", "Public Parking"),
            ("residential", "Residential Community"),
            ("office", "Office Building"),
            ("mall", "Shopping Mall"),
            ("hotel", "Hotel"),
            ("transport_hub", "Transport Hub"),
            ("highway", "Highway Service Area"),
            ("industrial", "Industrial Park"),
            ("institution", "Public Institution"),
            ("other", "Other"),
        ],
        string="Construction Venue", default="public_parking",
    )
    position = fields.Selection(
        [
            ("outdoor", "Outdoor, Ground Level"),
            ("indoor", "Indoor, Ground Level"),
            ("underground", "Underground Garage"),
            ("multistorey", "Multi-storey Car Park"),
            ("rooftop", "Rooftop"),
            ("other", "Other"),
        ],
        string="Site Position", default="outdoor",
    )
    business_hours = fields.Char(default="00:00-24:00")
    hotline = fields.Char(
        string="Service Hotline", default=lambda self: self.env.company.charge_hotline,
    )
    contact_name = fields.Char(string="Contact")
    contact_phone = fields.Char(string="Contact Phone")
    photo_ids = fields.Many2many(
        "ir.attachment", "charge_station_photo_rel", "station_id", "attachment_id",
        string="Photos",
    )
    tag_ids = fields.Many2many("charge.station.tag", string="Tags")
    description = fields.Html()
    max_power = fields.Float(string="Maximum Power (kW)", digits=(10, 2))
    capacity_kva = fields.Float(string="Transformer Capacity (kVA)", digits=(10, 2))
    # Life cycle
    approval_state = fields.Selection(
        [("draft", "Draft"), ("to_approve", "Waiting for Approval"), ("approved", "Approved")],
        string="Approval", required=True, default="draft", copy=False, tracking=True, readonly=True,
    )
    operating_state = fields.Selection(
        [("operating", "Operating"), ("stopped", "Stopped")],
        string="Operating State", required=True, default="stopped", copy=False, tracking=True,
        readonly=True,
    )
    commissioning_date = fields.Date(
        string="In Operation Since", readonly=True, copy=False,
        help="Date on which the station started operating for the first time.",
    )
    # Contents
    area_ids = fields.One2many("charge.area", "station_id", string="Areas")
    pile_ids = fields.One2many("charge.pile", "station_id", string="Piles")
    connector_ids = fields.One2many("charge.connector", "station_id", string="Connectors")
    parking_space_ids = fields.One2many("charge.parking.space", "station_id", string="Parking Spaces")
    area_count = fields.Integer(compute="_compute_counts")
    pile_count = fields.Integer(compute="_compute_counts")
    connector_count = fields.Integer(compute="_compute_counts")
    parking_space_count = fields.Integer(compute="_compute_counts")

    _code_unique = models.Constraint(
        "UNIQUE(company_id, code)", "Another station of this company has the same internal code.",
    )

    @api.depends("latitude", "longitude", "name", "company_id.charge_map_provider")
    def _compute_map_url(self):
        for station in self:
            station.map_url = maps.map_url(
                station.company_id.charge_map_provider or "amap",
                station.latitude, station.longitude, station.name or "",
            )

    @api.depends("site_type", "approval_state", "operating_state", "active")
    def _compute_app_visibility(self):
        for station in self:
            if not (station.active and station.approval_state == "approved"
                    and station.operating_state == "operating"):
                station.app_visibility = "hidden"
            elif station.site_type == "public":
                station.app_visibility = "listed"
            else:
                station.app_visibility = "scan"

    def _compute_counts(self):
        def count_by_station(model):
            return dict(self.env[model]._read_group(
                [("station_id", "in", self.ids)], ["station_id"], ["__count"],
            ))
        areas = count_by_station("charge.area")
        piles = count_by_station("charge.pile")
        connectors = count_by_station("charge.connector")
        spaces = count_by_station("charge.parking.space")
        for station in self:
            station.area_count = areas.get(station, 0)
            station.pile_count = piles.get(station, 0)
            station.connector_count = connectors.get(station, 0)
            station.parking_space_count = spaces.get(station, 0)

    @api.model_create_multi
    def create(self, vals_list):
        stations = super().create(vals_list)
        # named in the language of whoever creates the station, else in the
        # operator's (demo data, imports and RPC calls come without one)
        self.env["charge.area"].create([
            {"station_id": station.id, "is_default": True,
             "name": station.company_id._charge_in_operator_lang(station).env._("Default Area")}
            for station in stations
        ])
        return stations

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(station.approval_state != "draft" for station in self):
            raise UserError(_("Only draft stations can be deleted; archive an approved station instead."))

    def _charge_protected_field_names(self):
        return super()._charge_protected_field_names() | {"approval_state", "operating_state", "commissioning_date"}

    # Approval ---------------------------------------------------------------

    def _check_manager(self):
        if not self.env.user.has_group("charge_base.group_charge_manager"):
            raise AccessError(_("Only a Charging Manager can approve or reject stations."))

    def action_submit(self):
        for station in self:
            if station.approval_state != "draft":
                raise UserError(_("Station %s is not a draft.", station.display_name))
            missing = [
                label for label, value in (
                    (_("street"), station.street),
                    (_("city"), station.city),
                    (_("map position"), maps.valid_coordinates(station.latitude, station.longitude)),
                ) if not value
            ]
            if missing:
                raise UserError(_(
                    "Station %(station)s needs its %(missing)s before it can be submitted for approval.",
                    station=station.display_name, missing=", ".join(missing),
                ))
        self._charge_action().approval_state = "to_approve"

    def action_approve(self):
        self._check_manager()
        if any(station.approval_state != "to_approve" for station in self):
            raise UserError(_("Only stations waiting for approval can be approved."))
        self._charge_action().approval_state = "approved"

    def action_reject(self):
        self._check_manager()
        if any(station.approval_state != "to_approve" for station in self):
            raise UserError(_("Only stations waiting for approval can be rejected."))
        self._charge_action().approval_state = "draft"
        for station in self:
            station.message_post(body=_("Approval rejected: the station is back to draft."))

    def action_reset_to_draft(self):
        self._check_manager()
        if any(station.operating_state == "operating" for station in self):
            raise UserError(_("Stop the station before sending it back to draft."))
        self._charge_action().approval_state = "draft"

    # Operation --------------------------------------------------------------

    def action_start(self):
        for station in self:
            if station.approval_state != "approved":
                raise UserError(_(
                    "Station %s must be approved by a Charging Manager before it can operate.",
                    station.display_name,
                ))
            if not station.active:
                raise UserError(_("Station %s is archived.", station.display_name))
        for station in self.filtered(lambda s: not s.commissioning_date):
            station._charge_action().commissioning_date = fields.Date.context_today(station)
        self._charge_action().operating_state = "operating"

    def action_stop(self):
        """Stop the stations and every pile in them that was in operation."""
        piles = self.env["charge.pile"].search([
            ("station_id", "in", self.ids), ("state", "=", "commissioned"),
        ])
        piles.action_stop()
        self._charge_action().operating_state = "stopped"
        for station in self:
            stopped = piles.filtered(lambda p: p.station_id == station)
            station.message_post(body=_(
                "Station stopped; %(count)s pile(s) stopped with it.", count=len(stopped),
            ))

    def action_archive(self):
        self.filtered(lambda s: s.operating_state == "operating").action_stop()
        return super().action_archive()

    # Navigation -------------------------------------------------------------

    def _action_related(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("station_id", "=", self.id)]
        action["context"] = {"default_station_id": self.id}
        return action

    def action_view_areas(self):
        return self._action_related("charge_base.charge_area_action")

    def action_view_piles(self):
        return self._action_related("charge_base.charge_pile_action")

    def action_view_connectors(self):
        return self._action_related("charge_base.charge_connector_action")

    def action_view_parking_spaces(self):
        return self._action_related("charge_base.charge_parking_space_action")

    def action_open_map(self):
        self.ensure_one()
        if not self.map_url:
            raise UserError(_("Set the station's latitude and longitude first."))
        return {"type": "ir.actions.act_url", "url": self.map_url, "target": "new"}
