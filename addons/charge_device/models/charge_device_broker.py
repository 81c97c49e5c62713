import dataclasses
import fcntl
import logging
import os
import secrets
import signal
import tempfile
from pathlib import Path

from odoo import SUPERUSER_ID, api, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import config as odoo_config

from ..tools import broker_access, bus_config

_logger = logging.getLogger(__name__)
PASSWORD_PARAM = "charge_device.mqtt_password"
LISTENER_GROUP_PARAM = "charge_device.listener_group"
# postcommit data key: the access files are rewritten once per transaction
POSTCOMMIT_KEY = "charge_device.broker_access"


class ChargeDeviceBroker(models.AbstractModel):
    """The platform's side of the broker: its own credentials, and the
    password and ACL files that let each pile in under its own serial only."""
    _name = "charge.device.broker"
    _description = "Device Bus Broker"

    @api.model
    def _file_config(self):
        """The ``[charge_device]`` section of odoo.conf as it is (no database access)."""
        return bus_config.load(odoo_config["config"])

    @api.model
    def _bus_config(self, generate=True):
        """Broker settings of odoo.conf; the platform password and the
        listeners' subscription group, unless the file sets them, are
        generated once and kept in the database (never shown to piles).
        ``generate=False``: only read what is kept (no write; empty if none)."""
        config = self._file_config()
        generated = {}
        if not config.mqtt_password:
            generated["mqtt_password"] = self._stored_secret(
                PASSWORD_PARAM, lambda: secrets.token_urlsafe(24), generate)
        if not config.listener_group:
            generated["listener_group"] = self._stored_secret(
                LISTENER_GROUP_PARAM, lambda: f"listeners-{secrets.token_hex(12)}", generate)
        return dataclasses.replace(config, **generated) if generated else config

    @api.model
    def _stored_secret(self, key, generate, write=True):
        params = self.env["ir.config_parameter"].sudo()
        value = params.get_param(key)
        if not value and write:
            value = generate()
            params.set_param(key, value)
        return value or ""

    @api.model
    @tools.ormcache()
    def _access_rules(self):
        """Who may log in and do what (tools/broker_access.AccessRules), for a
        broker that asks over HTTP. Built once per process from the piles and
        kept in Odoo's cache: every change that rewrites the files clears it
        (_schedule_access_update), and Odoo's cache signaling clears it in the
        other workers and on the other hosts before their next request."""
        config = self._bus_config(generate=False)
        companies = self.env["res.company"].sudo().with_context(active_test=False).search_fetch(
            [], ["charge_mqtt_prefix"])
        prefix_of = {company.id: company.charge_mqtt_prefix for company in companies}
        # one query and no records, however many piles (20,000 piles: 0.7 s on a busy 2-core machine)
        query = self._broker_piles_model()._search(self._broker_piles_domain())
        rows = self.env.execute_query(query.select(*(SQL.identifier(query.table, name) for name in (
            "serial", "mqtt_password", "company_id"))))
        return broker_access.AccessRules(
            config.mqtt_username, config.mqtt_password, prefix_of.values(),
            [(serial, password, prefix_of.get(company_id)) for serial, password, company_id in rows])

    @api.model
    def _is_reserved_username(self, name):
        """Whether a pile may not be called ``name`` on the broker: the
        platform's username or a reserved account (see tools/broker_access)."""
        return broker_access.is_reserved(name, self._file_config().mqtt_username)

    @api.model
    def _broker_dir(self):
        folder = self._file_config().broker_dir
        if not folder:
            raise UserError(self.env._(
                "Set broker_dir in the [charge_device] section of the Odoo configuration file: "
                "the folder where the broker's password and ACL files are written."))
        return Path(folder).expanduser().resolve()

    @api.model
    def _broker_piles(self):
        """The piles that may log in to the broker: every pile but the retired
        and the archived ones (a draft pile connects to boot and report its
        status, so that it can be commissioned; a stopped one stays reachable)."""
        return self._broker_piles_model().search(self._broker_piles_domain(), order="id")

    @api.model
    def _broker_piles_model(self):
        return self.env["charge.pile"].sudo().with_context(active_test=False)

    @api.model
    def _broker_piles_domain(self):
        return [("state", "!=", "retired"), ("active", "=", True)]

    @api.model
    def _write_access_files(self):
        """Write ``passwd`` and ``acl`` for every pile (atomically); return the
        folder. Raise UserError, writing nothing, when an account would
        collide with another (see tools/broker_access)."""
        config = self._bus_config()
        folder = self._broker_dir()
        triples = [(p.serial, p.mqtt_password, p.company_id.charge_mqtt_prefix) for p in self._broker_piles()]
        prefixes = self.env["res.company"].sudo().search([]).mapped("charge_mqtt_prefix")
        try:
            texts = {
                "passwd": broker_access.password_file(config.mqtt_username, config.mqtt_password, triples),
                "acl": broker_access.acl_file(config.mqtt_username, prefixes, triples),
            }
        except broker_access.BrokerAccessError as error:
            if error.code == "reserved":
                message = self.env._(
                    "The broker's access files were not written: pile serial %s is a reserved broker "
                    "account (the platform's or an administrator's). Give the pile another serial.", error.name)
            else:
                message = self.env._(
                    "The broker's access files were not written: %s cannot be used in them "
                    "(a serial used twice, or a username or topic prefix the broker cannot take).", error.name)
            raise UserError(message) from error
        folder.mkdir(parents=True, exist_ok=True)
        temporaries = {}
        try:
            for name, text in texts.items():
                handle, temporaries[name] = tempfile.mkstemp(dir=folder, prefix=f".{name}.")  # mode 0600
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    file.write(text)
            for name in list(temporaries):
                os.replace(temporaries.pop(name), folder / name)
        finally:
            for temporary in temporaries.values():
                Path(temporary).unlink(missing_ok=True)
        _logger.info("broker access files written in %s for %d pile(s)", folder, len(triples))
        return folder

    @api.model
    def _reload_broker(self, folder):
        """Ask a broker started by the project's scripts to read the files again
        (mosquitto then also disconnects the accounts that are gone)."""
        pid_file = folder / "mosquitto.pid"
        try:
            pid = int(pid_file.read_text().strip())
            comm = Path(f"/proc/{pid}/comm")
            if comm.exists() and "mosquitto" not in comm.read_text():
                return False  # a stale pid file: the number is another process's now
            os.kill(pid, signal.SIGHUP)
            return True
        except (OSError, ValueError):
            return False

    # Rewritten after every change of the piles -------------------------------

    @api.model
    def _schedule_access_update(self):
        """Rewrite the access files and reload the broker once the current
        transaction has committed (once per transaction, however many piles
        changed). Not while modules are installed or updated: the tooling
        writes the files before it starts the broker."""
        cr = self.env.cr
        registry = self.env.registry
        registry.clear_cache()  # _access_rules, in this process now (and in the others after commit)
        if not registry.ready or cr.postcommit.data.get(POSTCOMMIT_KEY):
            return
        cr.postcommit.data[POSTCOMMIT_KEY] = True

        def update_broker_access():
            # again once committed: a request of another thread may have read the old piles meanwhile
            registry.clear_cache()
            try:
                with registry.cursor() as new_cr:
                    api.Environment(new_cr, SUPERUSER_ID, {})["charge.device.broker"]._update_broker_access()
            except Exception:  # noqa: BLE001 - the user's change is committed: log, never raise
                _logger.exception("the broker's access files could not be updated")

        cr.postcommit.add(update_broker_access)

    @api.model
    def _update_broker_access(self):
        """Write the files from committed data and reload the broker; a problem
        is logged (the change that called for it is committed already).
        Writers queue on a lock and each reads the piles once it holds it, so
        the last files written reflect every commit before them."""
        if not self._file_config().broker_dir:
            _logger.info("broker access files not updated: no broker_dir in [charge_device]")
            return False
        try:
            folder = self._write_access_files_locked()
        except UserError as error:
            _logger.error("%s", error)
            return False
        self._reload_broker(folder)
        return True

    @api.model
    def _write_access_files_locked(self):
        """_write_access_files under the folder's lock (taken before this
        transaction reads anything, when it is a fresh one)."""
        folder = self._broker_dir()
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / ".lock", "a", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                return self._write_access_files()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @api.model
    def action_update_broker_access(self):
        if not self.env.user.has_group("charge_base.group_charge_manager"):
            raise UserError(self.env._("Only a Charging Manager can update the broker's access."))
        config = self._file_config()
        if not config.broker_dir and config.broker_auth_secret:
            # a broker that asks over HTTP (a cluster): no file to write, the piles read again
            self.env.registry.clear_cache()
            return {"type": "ir.actions.client", "tag": "display_notification", "params": {
                "message": self.env._("The broker asks the platform over HTTP: it gets the piles' current "
                                      "credentials from now on, in every Odoo process."),
                "type": "success", "sticky": False}}
        folder = self._write_access_files_locked()
        reloaded = self._reload_broker(folder)
        message = (self.env._("The broker has the piles' credentials and reloaded them.") if reloaded else
                   self.env._("Access files written in %s: reload the broker to apply them.", folder))
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"message": message, "type": "success", "sticky": False}}
