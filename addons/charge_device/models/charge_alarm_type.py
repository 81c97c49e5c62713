from odoo import fields, models

ALARM_LEVELS = [("general", "General"), ("serious", "Serious"), ("critical", "Critical")]


class ChargeAlarmType(models.Model):
    _name = "charge.alarm.type"
    _description = "Alarm Type"
    _order = "code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, index=True)
    name = fields.Char(required=True, translate=True)
    level = fields.Selection(ALARM_LEVELS, required=True, default="general")
    source = fields.Selection(
        [("ocpp", "OCPP Error Code"), ("vendor", "Vendor Fault Code"), ("platform", "Platform")],
        required=True,
    )
    solution = fields.Text(translate=True, help="Likely causes and how to fix them.")
    led_pattern = fields.Char(string="LED Pattern", translate=True)
    active = fields.Boolean(default=True)

    _code_unique = models.Constraint("UNIQUE(code)", "Alarm type codes are unique.")

    def _compute_display_name(self):
        for alarm_type in self:
            alarm_type.display_name = f"{alarm_type.code} {alarm_type.name}"
