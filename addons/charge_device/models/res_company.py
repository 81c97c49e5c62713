from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    charge_mqtt_prefix = fields.Char(
        string="Device Bus Topic Prefix", required=True, default="charge",
        help="Piles of this company publish to {prefix}/{serial}/up and listen on {prefix}/{serial}/down.",
    )
    charge_heartbeat_interval = fields.Integer(
        string="Heartbeat Interval (s)", default=60,
        help="Sent to piles when they boot; a pile silent for two intervals is marked offline.",
    )
    charge_command_timeout = fields.Integer(
        string="Command Timeout (s)", default=60,
        help="A command the pile has not answered within this time is marked timed out.",
    )
    charge_qr_url_pattern = fields.Char(
        string="QR Code URL Pattern", default="https://charge.example.com/c/{connector_code}",
        help="Address encoded in each connector's QR code. Placeholders: {connector_code}, "
        "{pile_serial}, {connector_number}, {station_code}.",
    )

    _charge_mqtt_prefix_valid = models.Constraint(
        "CHECK(charge_mqtt_prefix !~ '[+#]' AND charge_mqtt_prefix !~ '^/|/$')",
        "The topic prefix cannot contain + or # nor start or end with /.",
    )

    def write(self, vals):
        result = super().write(vals)
        if "charge_mqtt_prefix" in vals:  # the piles' topics in the broker's ACL
            self.env["charge.device.broker"]._schedule_access_update()
        return result
