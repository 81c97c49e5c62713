from odoo import api, fields, models
from odoo.exceptions import UserError

WIZARD_ACTIONS = [
    ("remote_start", "Remote Start"),
    ("reset", "Reboot"),
    ("availability", "Change Availability"),
    ("configuration", "Change Configuration"),
]


class ChargeCommandWizard(models.TransientModel):
    """The commands that need a few answers from the clerk before they go."""
    _name = "charge.command.wizard"
    _description = "Send a Command to a Pile"

    pile_id = fields.Many2one("charge.pile", string="Pile", required=True)
    command = fields.Selection(WIZARD_ACTIONS, required=True)
    connector_id = fields.Many2one("charge.connector", string="Connector",
                                   domain="[('pile_id', '=', pile_id)]")
    id_tag = fields.Char(string="Id Tag", help="Card or token the session is started for.")
    reset_type = fields.Selection([("Soft", "Soft Reboot"), ("Hard", "Hard Reboot")], default="Soft")
    availability = fields.Selection([("Operative", "Operative"), ("Inoperative", "Inoperative")],
                                    default="Inoperative")
    config_key = fields.Char(string="Configuration Key")
    config_value = fields.Char(string="Value")
    charging_warning = fields.Char(compute="_compute_charging_warning")

    @api.depends("pile_id", "command")
    def _compute_charging_warning(self):
        for wizard in self:
            busy = wizard.pile_id.connector_ids.filtered(lambda c: c.status == "charging")
            wizard.charging_warning = self.env._(
                "%(count)s connector(s) of this pile are charging: a reboot interrupts their sessions.",
                count=len(busy),
            ) if wizard.command == "reset" and busy else False

    def action_send(self):
        self.ensure_one()
        pile = self.pile_id
        connector_id = self.connector_id.number if self.connector_id else 0
        if self.command == "remote_start":
            if not self.connector_id or not self.id_tag:
                raise UserError(self.env._("Choose the connector and the id tag to start with."))
            self.env["charge.device.bus"]._charge_check_operable(pile, self.connector_id)
            payload = {"connectorId": connector_id, "idTag": self.id_tag.strip()}
            pile._send_command("RemoteStartTransaction", payload, connector=self.connector_id)
        elif self.command == "reset":
            pile._send_command("Reset", {"type": self.reset_type})
        elif self.command == "availability":
            pile._send_command("ChangeAvailability", {"connectorId": connector_id, "type": self.availability},
                               connector=self.connector_id or None)
        elif self.command == "configuration":
            if not self.config_key:
                raise UserError(self.env._("Give the configuration key to change."))
            pile._send_command("ChangeConfiguration", {"key": self.config_key.strip(),
                                                       "value": self.config_value or ""})
        return {"type": "ir.actions.act_window_close"}
