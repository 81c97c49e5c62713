from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    charge_mqtt_prefix = fields.Char(related="company_id.charge_mqtt_prefix", readonly=False)
    charge_heartbeat_interval = fields.Integer(related="company_id.charge_heartbeat_interval", readonly=False)
    charge_command_timeout = fields.Integer(related="company_id.charge_command_timeout", readonly=False)
    charge_qr_url_pattern = fields.Char(related="company_id.charge_qr_url_pattern", readonly=False)

    def action_charge_update_broker_access(self):
        return self.env["charge.device.broker"].action_update_broker_access()
