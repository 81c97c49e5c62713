from odoo import api, fields, models

from .charge_connector import INTERFACE_TYPES

CAPABILITY_FIELDS = (
    "cap_tou_service_fee", "cap_reservation", "cap_occupancy_fee", "cap_remote_reboot",
    "cap_clock_sync", "cap_qr_push", "cap_offline_whitelist", "cap_vin_charging",
    "cap_charge_by_time", "cap_charge_by_energy", "cap_charge_by_amount",
)


class ChargePileModel(models.Model):
    _name = "charge.pile.model"
    _description = "Pile Model"
    _inherit = ["mail.thread"]
    _order = "brand, name"
    _rec_names_search = ["brand", "name"]

    brand = fields.Char(required=True, tracking=True)
    name = fields.Char(string="Model", required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", string="Company", index=True,
        help="Leave empty to share the model with every company.",
    )
    kind = fields.Selection(
        [("car", "Car"), ("ebike", "E-bike")], string="Vehicle Kind",
        required=True, default="car", tracking=True,
    )
    protocol_version = fields.Char(required=True, default="OCPP 1.6J", tracking=True)
    current_type = fields.Selection(
        [("ac", "AC"), ("dc", "DC")], required=True, default="dc", tracking=True,
    )
    rated_power = fields.Float(string="Rated Power (kW)", digits=(10, 2), tracking=True)
    max_power = fields.Float(string="Maximum Power (kW)", digits=(10, 2), tracking=True)
    input_voltage = fields.Float(string="Input Voltage (V)", digits=(10, 1))
    input_current = fields.Float(string="Input Current (A)", digits=(10, 1))
    output_voltage = fields.Float(string="Output Voltage (V)", digits=(10, 1))
    output_current = fields.Float(string="Output Current (A)", digits=(10, 1))
    connector_count = fields.Integer(
        string="Number of Connectors", required=True, default=1, tracking=True,
    )
    connector_max_power = fields.Float(
        string="Maximum Power per Connector (kW)", digits=(10, 2),
        help="Leave empty when every connector can deliver the pile's maximum power.",
    )
    connector_type = fields.Selection(INTERFACE_TYPES, string="Connector Interface", required=True,
                                      default="gbt_dc")
    cap_tou_service_fee = fields.Boolean(string="Time-of-Use Service Fee")
    cap_reservation = fields.Boolean(string="Reservation")
    cap_occupancy_fee = fields.Boolean(string="Occupancy Fee")
    cap_remote_reboot = fields.Boolean(string="Remote Reboot")
    cap_clock_sync = fields.Boolean(string="Clock Sync")
    cap_qr_push = fields.Boolean(string="QR Code Push")
    cap_offline_whitelist = fields.Boolean(string="Offline Whitelist")
    cap_vin_charging = fields.Boolean(string="VIN Plug and Charge")
    cap_charge_by_time = fields.Boolean(string="Charge by Time")
    cap_charge_by_energy = fields.Boolean(string="Charge by Energy")
    cap_charge_by_amount = fields.Boolean(string="Charge by Amount")
    note = fields.Html()
    pile_ids = fields.One2many("charge.pile", "model_id", string="Piles")
    pile_count = fields.Integer(compute="_compute_pile_count")

    _model_unique = models.Constraint(
        "UNIQUE NULLS NOT DISTINCT (brand, name, protocol_version, company_id)",
        "This brand, model and protocol version is already in the catalogue.",
    )
    _connector_count_range = models.Constraint(
        "CHECK(connector_count BETWEEN 1 AND 99)",
        "A pile model has between 1 and 99 connectors.",
    )
    _power_consistent = models.Constraint(
        "CHECK(rated_power >= 0 AND max_power >= rated_power)",
        "The maximum power cannot be lower than the rated power.",
    )

    @api.depends("brand", "name", "protocol_version")
    def _compute_display_name(self):
        for model in self:
            model.display_name = f"{model.brand or ''} {model.name or ''} ({model.protocol_version or ''})".strip()

    def _compute_pile_count(self):
        counts = dict(self.env["charge.pile"]._read_group(
            [("model_id", "in", self.ids)], ["model_id"], ["__count"],
        ))
        for model in self:
            model.pile_count = counts.get(model, 0)

    def action_view_piles(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("charge_base.charge_pile_action")
        action["domain"] = [("model_id", "=", self.id)]
        action["context"] = {"default_model_id": self.id}
        return action
