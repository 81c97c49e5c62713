import json

from odoo import api, fields, models

from ..tools import ocpp_labels, power_curve


class ChargeSession(models.Model):
    """A charging transaction as the pile reports it. Its id is the OCPP
    transactionId given to the pile."""
    _name = "charge.session"
    _description = "Charging Session"
    _order = "start_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    pile_id = fields.Many2one("charge.pile", string="Pile", required=True, index=True, ondelete="restrict")
    connector_id = fields.Many2one("charge.connector", string="Connector", required=True, index=True,
                                   ondelete="restrict")
    station_id = fields.Many2one(related="pile_id.station_id", store=True, index=True)
    company_id = fields.Many2one(related="pile_id.company_id", store=True, index=True)
    id_tag = fields.Char(string="Id Tag", index=True)
    authorized = fields.Boolean(help="The id tag was accepted when the session started.")
    stop_id_tag = fields.Char(string="Stopped by Id Tag")
    start_date = fields.Datetime(string="Started", required=True, index=True)
    stop_date = fields.Datetime(string="Stopped")
    meter_start = fields.Integer(string="Meter Start (Wh)", required=True)
    meter_stop = fields.Integer(string="Meter Stop (Wh)")
    meter_last = fields.Integer(string="Last Meter (Wh)", help="Latest energy register the pile reported.")
    energy_kwh = fields.Float(string="Energy (kWh)", digits=(12, 3), compute="_compute_energy", store=True)
    power_kw = fields.Float(string="Power (kW)", digits=(10, 2), help="Latest power the pile reported.")
    soc = fields.Float(string="SoC (%)", digits=(5, 1))
    stop_reason = fields.Char(string="Stop Reason (OCPP)", help="The reason as the pile sent it.")
    stop_reason_label = fields.Selection(ocpp_labels.STOP_REASONS, string="Stop Reason",
                                         compute="_compute_stop_reason_label")
    state = fields.Selection(
        [("active", "Active"), ("suspended", "Suspended (Pile Offline)"), ("finished", "Finished")],
        required=True, default="active", index=True,
    )
    meter_value_ids = fields.One2many("charge.meter.value", "session_id", string="Meter Values")
    power_curve = fields.Text(compute="_compute_power_curve",
                              help="Power and energy over time, from the meter values.")
    start_key = fields.Char(readonly=True, index=True,
                            help="What the pile sent at start; a start sent again gets the same session.")

    _start_key_unique = models.Constraint("UNIQUE(start_key)", "This start was already recorded.")

    @api.depends("pile_id.serial", "connector_id.number")
    def _compute_name(self):
        for session in self:
            session.name = f"T{session.id or 0:08d}"

    @api.depends("stop_reason")
    def _compute_stop_reason_label(self):
        for session in self:
            session.stop_reason_label = ocpp_labels.label_key(session.stop_reason, ocpp_labels.STOP_REASONS)

    @api.depends("meter_start", "meter_stop", "meter_last", "state")
    def _compute_energy(self):
        for session in self:
            end = session.meter_stop if session.state == "finished" else max(session.meter_last, session.meter_start)
            session.energy_kwh = max(end - session.meter_start, 0) / 1000.0

    @api.depends("meter_value_ids.power_w", "meter_value_ids.energy_wh", "meter_value_ids.soc", "meter_start")
    def _compute_power_curve(self):
        for session in self:
            samples = [power_curve.Sample(at=fields.Datetime.context_timestamp(session, v.timestamp),
                                          energy_wh=v.energy_wh, power_w=v.power_w, soc=v.soc)
                       for v in session.meter_value_ids.sorted("timestamp")]
            session.power_curve = json.dumps(power_curve.curve(samples, session.meter_start))

    def action_view_power_curve(self):
        """The power curve of the session in a dialog."""
        self.ensure_one()
        return {"type": "ir.actions.act_window", "name": self.env._("Power Curve"), "res_model": "charge.session",
                "res_id": self.id, "view_mode": "form", "target": "new",
                "views": [(self.env.ref("charge_device.charge_session_view_form_power_curve").id, "form")]}

    @api.model_create_multi
    def create(self, vals_list):
        sessions = super().create(vals_list)
        sessions._compute_name()
        return sessions

    def _on_session_started(self):
        """Hook for higher addons (billing opens an order)."""

    def _on_session_stopped(self):
        """Hook for higher addons (billing prices the order)."""
