import dataclasses
import logging
import os
import secrets
import signal
from pathlib import Path

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import config as odoo_config

from ..tools import broker_access, bus_config

_logger = logging.getLogger(__name__)
PASSWORD_PARAM = "charge_device.mqtt_password"


class ChargeDeviceBroker(models.AbstractModel):
    """The platform's side of the broker: its own credentials, and the
    password and ACL files that let each pile in under its own serial only."""
    _name = "charge.device.broker"
    _description = "Device Bus Broker"

    @api.model
    def _bus_config(self):
        """Broker settings of odoo.conf; the platform password, unless the file
        sets one, is generated once and kept in the database."""
        config = bus_config.load(odoo_config["config"])
        if config.mqtt_password:
            return config
        params = self.env["ir.config_parameter"].sudo()
        password = params.get_param(PASSWORD_PARAM)
        if not password:
            password = secrets.token_urlsafe(24)
            params.set_param(PASSWORD_PARAM, password)
        return dataclasses.replace(config, mqtt_password=password)

    @api.model
    def _broker_dir(self):
        folder = self._bus_config().broker_dir
        if not folder:
            raise UserError(self.env._(
                "Set broker_dir in the [charge_device] section of the Odoo configuration file: "
                "the folder where the broker's password and ACL files are written."))
        return Path(folder).expanduser().resolve()

    @api.model
    def _write_access_files(self):
        """Write ``passwd`` and ``acl`` for every pile (atomically); return the folder."""
        config = self._bus_config()
        folder = self._broker_dir()
        folder.mkdir(parents=True, exist_ok=True)
        piles = self.env["charge.pile"].sudo().with_context(active_test=False).search(
            [("state", "!=", "retired"), ("active", "=", True)])
        triples = [(p.serial, p.mqtt_password, p.company_id.charge_mqtt_prefix) for p in piles]
        prefixes = self.env["res.company"].sudo().search([]).mapped("charge_mqtt_prefix")
        for name, text in (
            ("passwd", broker_access.password_file(config.mqtt_username, config.mqtt_password, triples)),
            ("acl", broker_access.acl_file(config.mqtt_username, prefixes, triples)),
        ):
            temporary = folder / f".{name}.tmp"
            temporary.write_text(text, encoding="utf-8")
            os.chmod(temporary, 0o600)
            temporary.replace(folder / name)
        _logger.info("broker access files written in %s for %d pile(s)", folder, len(triples))
        return folder

    @api.model
    def _reload_broker(self, folder):
        """Ask a broker started by the project's scripts to read the files again."""
        pid_file = folder / "mosquitto.pid"
        try:
            os.kill(int(pid_file.read_text().strip()), signal.SIGHUP)
            return True
        except (OSError, ValueError):
            return False

    @api.model
    def action_update_broker_access(self):
        if not self.env.user.has_group("charge_base.group_charge_manager"):
            raise UserError(self.env._("Only a Charging Manager can update the broker's access."))
        folder = self._write_access_files()
        reloaded = self._reload_broker(folder)
        message = (self.env._("The broker has the piles' credentials and reloaded them.") if reloaded else
                   self.env._("Access files written in %s: reload the broker to apply them.", folder))
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"message": message, "type": "success", "sticky": False}}
