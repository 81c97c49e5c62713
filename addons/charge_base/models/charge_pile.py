from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools.serials import SerialError, check_serial
from .serial_messages import serial_error_message


class ChargePile(models.Model):
    _name = "charge.pile"
    _description = "Charging Pile"
    _inherit = ["mail.thread", "mail.activity.mixin", "charge.protected.fields"]
    _order = "station_id, serial"
    _check_company_auto = True
    _rec_names_search = ["name", "serial"]

    serial = fields.Char(
        required=True, index=True, copy=False, tracking=True,
        help="Identity of the pile on the device bus (charge point identity). "
        "It cannot be changed once the pile has been commissioned.",
    )
    name = fields.Char(required=True, tracking=True)
    station_id = fields.Many2one(
        "charge.station", string="Station", required=True, index=True, ondelete="restrict",
        check_company=True, tracking=True,
    )
    area_id = fields.Many2one(
        "charge.area", string="Area", required=True, index=True, ondelete="restrict",
        check_company=True, tracking=True,
        compute="_compute_area_id", store=True, readonly=False, precompute=True,
        domain="[('station_id', '=', station_id)]",
    )
    company_id = fields.Many2one(related="station_id.company_id", store=True, index=True)
    kind = fields.Selection(related="station_id.kind", store=True)
    model_id = fields.Many2one(
        "charge.pile.model", string="Pile Model", required=True, ondelete="restrict",
        check_company=True, tracking=True, domain="[('kind', '=', kind)]",
    )
    current_type = fields.Selection(related="model_id.current_type")
    rated_power = fields.Float(related="model_id.rated_power")
    max_power = fields.Float(related="model_id.max_power")
    protocol_version = fields.Char(related="model_id.protocol_version")
    cap_tou_service_fee = fields.Boolean(related="model_id.cap_tou_service_fee")
    cap_reservation = fields.Boolean(related="model_id.cap_reservation")
    cap_occupancy_fee = fields.Boolean(related="model_id.cap_occupancy_fee")
    cap_remote_reboot = fields.Boolean(related="model_id.cap_remote_reboot")
    cap_clock_sync = fields.Boolean(related="model_id.cap_clock_sync")
    cap_qr_push = fields.Boolean(related="model_id.cap_qr_push")
    cap_offline_whitelist = fields.Boolean(related="model_id.cap_offline_whitelist")
    cap_vin_charging = fields.Boolean(related="model_id.cap_vin_charging")
    cap_charge_by_time = fields.Boolean(related="model_id.cap_charge_by_time")
    cap_charge_by_energy = fields.Boolean(related="model_id.cap_charge_by_energy")
    cap_charge_by_amount = fields.Boolean(related="model_id.cap_charge_by_amount")
    usage_scope = fields.Selection(
        [("public", "Public"), ("dedicated", "Dedicated"), ("private", "Private")],
        required=True, tracking=True,
        compute="_compute_usage_scope", store=True, readonly=False, precompute=True,
        help="Public: anyone may charge. Dedicated: only the members or fleets it is "
        "set aside for. Private: its owner only.",
    )
    communication = fields.Selection(
        [("4g", "4G"), ("ethernet", "Ethernet"), ("wifi", "Wi-Fi")], default="4g",
    )
    sim_iccid = fields.Char(string="SIM ICCID")
    firmware_version = fields.Char()
    # Asset data
    owner_id = fields.Many2one("res.partner", string="Asset Owner", check_company=True)
    asset_number = fields.Char()
    factory_number = fields.Char()
    card_reader_number = fields.Char()
    production_date = fields.Date()
    deployment_date = fields.Date()
    supply_line = fields.Char()
    device_loss_rate = fields.Float(
        string="Device Loss Rate (%)", digits=(5, 2), help="Recorded only; not used in billing.",
    )
    line_loss_rate = fields.Float(
        string="Line Loss Rate (%)", digits=(5, 2), help="Recorded only; not used in billing.",
    )
    # Life cycle and connectivity
    state = fields.Selection(
        [("draft", "Draft"), ("commissioned", "In Operation"), ("stopped", "Stopped"),
         ("retired", "Retired")],
        required=True, default="draft", copy=False, index=True, tracking=True, readonly=True,
    )
    commissioning_date = fields.Datetime(
        string="First Commissioned", readonly=True, copy=False,
        help="Set when the pile is commissioned for the first time; from then on its serial is fixed.",
    )
    is_operational = fields.Boolean(
        string="Operational", compute="_compute_is_operational", store=True,
        help="In operation, in an operating station and an active area: drivers can use it.",
    )
    online = fields.Boolean(readonly=True, copy=False, index=True)
    last_seen = fields.Datetime(string="Last Seen", readonly=True, copy=False)
    connector_ids = fields.One2many("charge.connector", "pile_id", string="Connectors")
    connector_count = fields.Integer(compute="_compute_connector_count")
    active = fields.Boolean(default=True)

    _serial_unique = models.Constraint(
        "UNIQUE(serial)", "Another pile already uses this serial: serials identify piles on the device bus.",
    )

    # Computes ---------------------------------------------------------------

    @api.depends("station_id")
    def _compute_area_id(self):
        for pile in self:
            if pile.area_id and pile.area_id.station_id == pile.station_id:
                continue
            pile.area_id = pile.station_id.area_ids.filtered("is_default")[:1] or pile.station_id.area_ids[:1]

    @api.depends("station_id.site_type")
    def _compute_usage_scope(self):
        for pile in self:
            pile.usage_scope = pile.station_id.site_type or pile.usage_scope or "public"

    @api.depends("state", "station_id.operating_state", "area_id.active", "active")
    def _compute_is_operational(self):
        for pile in self:
            pile.is_operational = (
                pile.active and pile.state == "commissioned"
                and pile.station_id.operating_state == "operating"
                and pile.area_id.active
            )

    def _compute_connector_count(self):
        counts = dict(self.env["charge.connector"]._read_group(
            [("pile_id", "in", self.ids)], ["pile_id"], ["__count"],
        ))
        for pile in self:
            pile.connector_count = counts.get(pile, 0)

    @api.depends("serial", "name")
    def _compute_display_name(self):
        for pile in self:
            pile.display_name = f"[{pile.serial}] {pile.name}" if pile.serial else pile.name

    # Constraints ------------------------------------------------------------

    @api.constrains("model_id", "station_id")
    def _check_model_kind(self):
        for pile in self:
            if pile.model_id.kind != pile.station_id.kind:
                raise ValidationError(_(
                    "Pile %(pile)s: model %(model)s is for another kind of vehicle than station %(station)s.",
                    pile=pile.display_name, model=pile.model_id.display_name,
                    station=pile.station_id.display_name,
                ))

    @api.constrains("area_id", "station_id")
    def _check_area_station(self):
        for pile in self:
            if pile.area_id.station_id != pile.station_id:
                raise ValidationError(_(
                    "Pile %(pile)s: area %(area)s belongs to another station.",
                    pile=pile.display_name, area=pile.area_id.display_name,
                ))

    @api.model
    def _normalize_serial(self, serial):
        try:
            return check_serial(serial)
        except SerialError as error:
            raise ValidationError(_("Invalid pile serial: %s", serial_error_message(self.env, error))) from error

    # CRUD -------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "serial" in vals:
                vals["serial"] = self._normalize_serial(vals["serial"])
        areas = self.env["charge.area"].browse(
            [vals["area_id"] for vals in vals_list if vals.get("area_id")]
        )
        if archived := areas.filtered(lambda a: not a.active):
            raise UserError(_(
                "Piles cannot be added to the archived area %s.", archived[0].display_name,
            ))
        piles = super().create(vals_list)
        piles._sync_connectors()
        return piles

    def write(self, vals):
        if "serial" in vals:
            vals = dict(vals, serial=self._normalize_serial(vals["serial"]))
            if fixed := self.filtered(lambda p: p.commissioning_date and p.serial != vals["serial"]):
                raise UserError(_(
                    "The serial of pile %s cannot be changed: it has been commissioned and the "
                    "device identifies itself with it.", fixed[0].display_name,
                ))
        if "model_id" in vals and (locked := self.filtered(
            lambda p: p.state != "draft" and p.model_id.id != vals["model_id"]
        )):
            raise UserError(_(
                "The model of pile %s can only be changed while it is a draft.", locked[0].display_name,
            ))
        result = super().write(vals)
        if "model_id" in vals:
            self._sync_connectors()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_never_commissioned(self):
        if used := self.filtered("commissioning_date"):
            raise UserError(_(
                "Pile %s has been in operation and cannot be deleted; retire it instead.",
                used[0].display_name,
            ))

    def _sync_connectors(self):
        """Give each pile one connector per connector of its model, numbered from 1.

        Missing numbers are created; connectors beyond the model's count are removed
        (only happens on draft piles, whose model may still change).
        """
        to_create = []
        to_remove = self.env["charge.connector"]
        for pile in self:
            count = pile.model_id.connector_count
            existing = set(pile.connector_ids.mapped("number"))
            to_create += [
                {
                    "pile_id": pile.id,
                    "number": number,
                    "interface_type": pile.model_id.connector_type,
                    "max_power": pile.model_id.connector_max_power or pile.model_id.max_power,
                }
                for number in range(1, count + 1) if number not in existing
            ]
            to_remove |= pile.connector_ids.filtered(lambda c: c.number > count)
        to_remove.unlink()
        self.env["charge.connector"].create(to_create)

    # Life cycle -------------------------------------------------------------

    def _charge_protected_field_names(self):
        return super()._charge_protected_field_names() | {"state", "commissioning_date"}

    def _check_can_commission(self):
        """Raise when a pile cannot go into operation. Device modules add their checks."""
        for pile in self:
            if pile.state not in ("draft", "stopped"):
                raise UserError(_("Pile %s cannot be commissioned from its current state.", pile.display_name))
            if pile.station_id.approval_state != "approved":
                raise UserError(_(
                    "Pile %(pile)s: station %(station)s is not approved yet.",
                    pile=pile.display_name, station=pile.station_id.display_name,
                ))
            if pile.station_id.operating_state != "operating":
                raise UserError(_(
                    "Pile %(pile)s: start station %(station)s first.",
                    pile=pile.display_name, station=pile.station_id.display_name,
                ))
            if not pile.area_id.active:
                raise UserError(_(
                    "Pile %(pile)s: area %(area)s is archived.",
                    pile=pile.display_name, area=pile.area_id.display_name,
                ))
            if not pile.connector_ids:
                raise UserError(_("Pile %s has no connectors.", pile.display_name))

    def action_commission(self):
        self._check_can_commission()
        now = fields.Datetime.now()
        for pile in self.filtered(lambda p: not p.commissioning_date):
            pile._charge_action().commissioning_date = now
        self._charge_action().state = "commissioned"

    def action_stop(self):
        if bad := self.filtered(lambda p: p.state != "commissioned"):
            raise UserError(_("Pile %s is not in operation.", bad[0].display_name))
        self._charge_action().state = "stopped"

    def action_retire(self):
        if not self.env.user.has_group("charge_base.group_charge_manager"):
            raise AccessError(_("Only a Charging Manager can retire piles."))
        if bad := self.filtered(lambda p: p.state not in ("draft", "stopped")):
            raise UserError(_("Stop pile %s before retiring it.", bad[0].display_name))
        self._charge_action().state = "retired"

    @api.model
    def _import_template_example(self):
        """One example row for the import template, pointing at real records when there are some."""
        station = self.env["charge.station"].search([], limit=1)
        model = self.env["charge.pile.model"].search([("kind", "=", station.kind or "car")], limit=1)
        scopes = dict(self._fields["usage_scope"]._description_selection(self.env))
        links = dict(self._fields["communication"]._description_selection(self.env))
        return {
            "serial": "SN20260001",
            "name": _("Pile 1"),
            "station_id": station.name,
            "area_id": station.area_ids[:1].code,
            "model_id": model.name,
            "usage_scope": scopes["public"],
            "communication": links["4g"],
            "production_date": "2026-01-15",
            "deployment_date": "2026-03-01",
            "device_loss_rate": 0.0,
            "line_loss_rate": 0.0,
        }

    @api.model
    def get_import_templates(self):
        return [{
            "label": _("Import Template for Piles"),
            "template": "/charge_base/import_template/charge.pile",
        }]
