import json
import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.charge_base.models.charge_connector import CONNECTOR_STATUSES

from ..tools import ocpp_labels
from ..tools.faults import OFFLINE

# fields that change who may log in to the broker, and with which rights
BROKER_FIELDS = frozenset({"serial", "state", "active", "mqtt_password", "station_id", "company_id"})


class ChargePile(models.Model):
    _inherit = "charge.pile"

    mqtt_password = fields.Char(
        string="Device Bus Password", copy=False, groups="charge_base.group_charge_manager",
        default=lambda self: secrets.token_urlsafe(18),
        help="The pile logs in to the broker with its serial and this password.",
    )
    heartbeat_interval = fields.Integer(string="Heartbeat Interval (s)", readonly=True)
    boot_vendor = fields.Char(string="Reported Vendor", readonly=True)
    boot_model = fields.Char(string="Reported Model", readonly=True)
    last_boot = fields.Datetime(readonly=True)
    device_status = fields.Selection(CONNECTOR_STATUSES, string="Pile Status", readonly=True,
                                     help="Status the pile reports for itself (connector 0).")
    error_code = fields.Char(string="Error Code (OCPP)", readonly=True)
    vendor_error_code = fields.Char(string="Vendor Error Code", readonly=True)
    firmware_status = fields.Char(string="Firmware Status (OCPP)", readonly=True)
    diagnostics_status = fields.Char(string="Diagnostics Status (OCPP)", readonly=True)
    # the reported values above, translated (tools/ocpp_labels.py)
    error_code_label = fields.Selection(ocpp_labels.ERROR_CODES, string="Error Code", compute="_compute_ocpp_labels")
    firmware_status_label = fields.Selection(ocpp_labels.FIRMWARE_STATUSES, string="Firmware Status",
                                             compute="_compute_ocpp_labels")
    diagnostics_status_label = fields.Selection(ocpp_labels.DIAGNOSTICS_STATUSES, string="Diagnostics Status",
                                                compute="_compute_ocpp_labels")
    configuration = fields.Text(readonly=True, help="Configuration keys the pile reported last.")
    id_tag_ids = fields.One2many("charge.pile.id.tag", "pile_id", string="Authorised Id Tags")
    session_ids = fields.One2many("charge.session", "pile_id", string="Sessions")
    command_ids = fields.One2many("charge.device.command", "pile_id", string="Commands")
    event_ids = fields.One2many("charge.device.event", "pile_id", string="Online Log")
    alarm_ids = fields.One2many("charge.alarm", "pile_id", string="Alarms")
    session_count = fields.Integer(compute="_compute_device_counts")
    open_alarm_count = fields.Integer(compute="_compute_device_counts")
    command_count = fields.Integer(compute="_compute_device_counts")

    @api.depends("error_code", "firmware_status", "diagnostics_status")
    def _compute_ocpp_labels(self):
        for pile in self:
            pile.error_code_label = ocpp_labels.label_key(pile.error_code, ocpp_labels.ERROR_CODES)
            pile.firmware_status_label = ocpp_labels.label_key(pile.firmware_status, ocpp_labels.FIRMWARE_STATUSES)
            pile.diagnostics_status_label = ocpp_labels.label_key(pile.diagnostics_status,
                                                                  ocpp_labels.DIAGNOSTICS_STATUSES)

    def _compute_device_counts(self):
        def count(model, domain):
            return dict(self.env[model]._read_group(domain + [("pile_id", "in", self.ids)], ["pile_id"], ["__count"]))
        sessions = count("charge.session", [])
        alarms = count("charge.alarm", [("state", "!=", "done")])
        commands = count("charge.device.command", [])
        for pile in self:
            pile.session_count = sessions.get(pile, 0)
            pile.open_alarm_count = alarms.get(pile, 0)
            pile.command_count = commands.get(pile, 0)

    # Broker access ----------------------------------------------------------

    @api.constrains("serial")
    def _check_serial_not_reserved(self):
        """A pile logs in to the broker under its serial: it may not be the
        platform's account or another reserved one, whatever the case."""
        broker = self.env["charge.device.broker"]
        for pile in self:
            if pile.serial and broker._is_reserved_username(pile.serial):
                raise ValidationError(self.env._(
                    "Serial %s is reserved for the device bus's own accounts (the platform, its listeners, "
                    "administrators): give the pile another serial.", pile.serial,
                ))

    @api.model_create_multi
    def create(self, vals_list):
        piles = super().create(vals_list)
        self.env["charge.device.broker"]._schedule_access_update()
        return piles

    def write(self, vals):
        result = super().write(vals)
        if BROKER_FIELDS.intersection(vals):
            self.env["charge.device.broker"]._schedule_access_update()
        return result

    def unlink(self):
        self.env["charge.device.broker"]._schedule_access_update()
        return super().unlink()

    def _check_can_commission(self):
        super()._check_can_commission()
        if offline := self.filtered(lambda p: not p.online):
            raise UserError(self.env._(
                "Pile %s is offline: it can only be commissioned once it is connected to the platform.",
                offline[0].display_name,
            ))

    # Online and offline ---------------------------------------------------------

    def _offline_alarm_type(self):
        return self.env.ref(f"charge_device.alarm_type_{OFFLINE}", raise_if_not_found=False)

    def _on_back_online(self):
        """The piles sent a frame after being offline."""
        self.env["charge.device.event"].create([{"pile_id": pile.id, "event": "online"} for pile in self])
        offline_type = self._offline_alarm_type()
        if offline_type:
            self.env["charge.alarm"].search([
                ("pile_id", "in", self.ids), ("type_id", "=", offline_type.id), ("state", "!=", "done"),
            ])._close_automatically(self.env._("The pile is back online."))
        self.env["charge.session"].search([("pile_id", "in", self.ids), ("state", "=", "suspended")]).write(
            {"state": "active"})

    @api.model
    def _cron_mark_offline(self):
        """Piles silent for two heartbeat intervals go offline: event, alarm
        5001 and their running sessions suspended until they return."""
        now = fields.Datetime.now()
        # in SQL: a city's 20,000 online piles are not loaded every minute to find the few silent ones
        self.flush_model(["online", "active", "last_seen", "heartbeat_interval", "company_id"])
        self.env["res.company"].flush_model(["charge_heartbeat_interval"])
        self.env.cr.execute("""
            SELECT pile.id FROM charge_pile pile JOIN res_company company ON company.id = pile.company_id
             WHERE pile.online AND pile.active
               AND (pile.last_seen IS NULL OR pile.last_seen < %s - make_interval(secs => 2 * COALESCE(
                    NULLIF(pile.heartbeat_interval, 0), NULLIF(company.charge_heartbeat_interval, 0), 60)))
        """, [now])
        piles = self.browse(row[0] for row in self.env.cr.fetchall())
        if not piles:
            return
        piles.write({"online": False})
        piles.connector_ids.write({"status": "offline"})
        self.env["charge.device.event"].create([
            {"pile_id": pile.id, "event": "offline", "date": now,
             "note": self.env._("No message since %s", pile.last_seen)} for pile in piles
        ])
        offline_type = self._offline_alarm_type()
        for pile in piles:
            if offline_type:
                self.env["charge.alarm"]._raise(pile, offline_type, detail=self.env._("Last seen %s", pile.last_seen))
        self.env["charge.session"].search([("pile_id", "in", piles.ids), ("state", "=", "active")]).write(
            {"state": "suspended"})

    # Commands ----------------------------------------------------------------

    def _simulator_cast(self):
        """The drivers of the demo simulator (``charge_simulator --demo``) on
        these piles: ``{"tags": {serial: [id tags the platform accepts on that
        pile]}, "refused": [id tags it refuses]}``. Here each pile's own list,
        on the piles that can charge; charge_member swipes members' cards."""
        Bus = self.env["charge.device.bus"]
        tags = {}
        for pile in self.filtered("serial"):
            if Bus._charge_refusal(pile) is None:
                found = self.env["charge.pile.id.tag"].search([("pile_id", "=", pile.id)])
                tags[pile.serial] = sorted(set(found.mapped("tag")))
        return {"tags": tags, "refused": []}

    def _send_command(self, action, payload, connector=None):
        self.ensure_one()
        if not self.online:
            raise UserError(self.env._("Pile %s is offline: the command cannot be sent.", self.display_name))
        return self.env["charge.device.command"]._send(self, action, payload, connector=connector)

    def action_trigger_status(self):
        for pile in self:
            pile._send_command("TriggerMessage", {"requestedMessage": "StatusNotification"})

    def action_sync_clock(self):
        """OCPP 1.6 piles take their clock from the Heartbeat answer: ask for one."""
        for pile in self:
            pile._send_command("TriggerMessage", {"requestedMessage": "Heartbeat"})

    def action_push_qr_codes(self):
        for pile in self:
            for connector in pile.connector_ids:
                pile._send_command("DataTransfer", {
                    "vendorId": "charge_ops", "messageId": "SetQRCode",
                    "data": connector._qr_payload(),
                }, connector=connector)

    def action_push_hotline(self):
        for pile in self:
            hotline = pile.station_id.hotline or pile.company_id.charge_hotline
            if not hotline:
                raise UserError(self.env._("Station %s has no hotline.", pile.station_id.display_name))
            pile._send_command("DataTransfer", {
                "vendorId": "charge_ops", "messageId": "SetHotline",
                "data": json.dumps({"hotline": hotline}, ensure_ascii=False),
            })

    def action_get_configuration(self):
        for pile in self:
            pile._send_command("GetConfiguration", {})

    def _action_open(self, model, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "name": name, "res_model": model, "view_mode": "list,form",
            "domain": [("pile_id", "=", self.id)], "context": {"default_pile_id": self.id},
        }

    def action_view_sessions(self):
        return self._action_open("charge.session", self.env._("Sessions"))

    def action_view_alarms(self):
        return self._action_open("charge.alarm", self.env._("Alarms"))

    def action_view_commands(self):
        return self._action_open("charge.device.command", self.env._("Commands"))
