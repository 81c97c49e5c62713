from odoo import fields, models


class ChargeMeterValue(models.Model):
    """A meter sample; written in bulk with SQL by the listener. Grouped, a
    sample's readings average (the register keeps its highest value)."""
    _name = "charge.meter.value"
    _description = "Meter Value"
    _order = "timestamp, id"
    _log_access = False

    session_id = fields.Many2one("charge.session", string="Session", index=True, ondelete="cascade")
    pile_id = fields.Many2one("charge.pile", string="Pile", required=True, index=True, ondelete="cascade")
    connector_number = fields.Integer(string="Connector")
    company_id = fields.Many2one("res.company", index=True)
    timestamp = fields.Datetime(required=True)
    energy_wh = fields.Float(string="Energy (Wh)", digits=(14, 1), aggregator="max")
    power_w = fields.Float(string="Power (W)", digits=(12, 1), aggregator="avg")
    current_a = fields.Float(string="Current (A)", digits=(10, 2), aggregator="avg")
    voltage_v = fields.Float(string="Voltage (V)", digits=(10, 1), aggregator="avg")
    soc = fields.Float(string="SoC (%)", digits=(5, 1), aggregator="avg")
    temperature_c = fields.Float(string="Temperature (°C)", digits=(6, 1), aggregator="avg")
    energy_kwh = fields.Float(string="Energy (kWh)", digits=(12, 3), compute="_compute_kilo")
    power_kw = fields.Float(string="Power (kW)", digits=(10, 2), compute="_compute_kilo")

    def _compute_kilo(self):
        for value in self:
            value.energy_kwh = value.energy_wh / 1000.0
            value.power_kw = value.power_w / 1000.0
