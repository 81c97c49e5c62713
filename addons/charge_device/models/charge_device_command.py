import json
import logging
import uuid
from datetime import timedelta

from odoo import api, fields, models, modules

from ..tools import ocpp_frames, ocpp_labels, ocpp_routes, ocpp_schema
from ..tools.mqtt_client import Publisher, PublishError

_logger = logging.getLogger(__name__)

# status values of a CALLRESULT that mean the pile accepted the command
ACCEPTED = {"Accepted", "Unlocked", "Scheduled", "RebootRequired"}



class ChargeDeviceCommand(models.Model):
    """A command sent to a pile: a record first (queued), published after
    the transaction commits (sent), closed by the pile's answer (accepted,
    rejected, failed) or by the timeout cron (timed out)."""
    _name = "charge.device.command"
    _description = "Device Command"
    _order = "id desc"
    _check_company_auto = True

    pile_id = fields.Many2one("charge.pile", string="Pile", required=True, index=True, ondelete="cascade")
    connector_id = fields.Many2one("charge.connector", string="Connector", ondelete="set null")
    station_id = fields.Many2one(related="pile_id.station_id", store=True)
    company_id = fields.Many2one(related="pile_id.company_id", store=True, index=True)
    action = fields.Selection([(action, ocpp_labels.COMMAND_LABELS[action])
                               for action in ocpp_routes.COMMAND_ACTIONS], required=True, readonly=True)
    payload = fields.Text(required=True, readonly=True)
    message_id = fields.Char(string="Message Id", required=True, readonly=True, index=True,
                             default=lambda self: uuid.uuid4().hex)
    state = fields.Selection(
        [("queued", "Queued"), ("sent", "Sent"), ("accepted", "Accepted"), ("rejected", "Rejected"),
         ("timeout", "Timed Out"), ("failed", "Failed")],
        required=True, default="queued", index=True, readonly=True,
    )
    sent_date = fields.Datetime(string="Sent", readonly=True)
    answer_date = fields.Datetime(string="Answered", readonly=True)
    response = fields.Text(readonly=True)
    error = fields.Text(readonly=True)
    user_id = fields.Many2one("res.users", string="Sent By", default=lambda self: self.env.user, readonly=True)

    _message_unique = models.Constraint("UNIQUE(message_id)", "Command message ids are unique.")

    @api.depends("action", "pile_id.serial")
    @api.depends_context("lang")
    def _compute_display_name(self):
        labels = dict(self._fields["action"]._description_selection(self.env))
        for command in self:
            command.display_name = f"{labels.get(command.action, command.action or '')} → {command.pile_id.serial}"

    # Sending ------------------------------------------------------------------

    @api.model
    def _send(self, pile, action, payload, connector=None):
        """Queue ``action`` for ``pile``; it is published once the transaction commits."""
        command = self.create({
            "pile_id": pile.id, "connector_id": connector.id if connector else False,
            "action": action, "payload": json.dumps(payload, ensure_ascii=False),
        })
        ocpp_schema.validate_call(command._frame())
        pending = self.env.cr.postcommit.data.setdefault("charge_device.commands", [])
        if not pending:
            self.env.cr.postcommit.add(self._publish_committed)
        pending.append(command.id)
        return command

    def _frame(self):
        self.ensure_one()
        return ocpp_frames.Call(self.message_id, self.action, json.loads(self.payload))

    def _publish_committed(self):
        """After commit: publish the queued commands, then record the outcome.

        The user who queued them (a clerk may) has no write access on commands:
        publishing them and recording the outcome (state, sent date, error) is the
        platform's own bookkeeping, run as superuser on the commands that
        transaction created, and only here."""
        ids = self.env.cr.postcommit.data.pop("charge_device.commands", [])
        if not ids:
            return
        # the user's transaction is committed: whatever happens here is no error of theirs
        # (a dialog now would make a clerk send again a command already sent); a command
        # left queued is timed out by the cron
        try:
            with modules.registry.Registry(self.env.cr.dbname).cursor() as cr:
                self.env(cr=cr, su=True)["charge.device.command"].browse(ids)._publish(commit=cr.commit)
        except Exception:
            _logger.exception("recording the publication of command(s) %s failed", ids)

    def _publish(self, commit=None):
        """Publish the commands still queued and record the outcome.

        They are recorded as sent (and ``commit`` called) before the frames
        leave: a pile answers within milliseconds, and the listener recording
        its answer must find the command sent, not race with this write for
        the same row. Should the process die right after, the command sent
        but never delivered is closed by the timeout cron."""
        commands = self.exists().filtered(lambda c: c.state == "queued")
        if not commands:
            return
        messages = [(ocpp_routes.down_topic(c.company_id.charge_mqtt_prefix, c.pile_id.serial),
                     c._frame().encode()) for c in commands]
        commands.write({"state": "sent", "sent_date": fields.Datetime.now()})
        if commit:
            commit()
        try:
            self._publisher().publish(messages)
        except PublishError as error:
            _logger.warning("publishing %d command(s) failed: %s", len(commands), error)
            commands.write({"state": "failed", "sent_date": False,
                            "error": self.env._("The device bus is unreachable: %s", error)})

    @api.model
    def _publisher(self):
        return Publisher.shared(self.env["charge.device.broker"]._bus_config())

    # Answers --------------------------------------------------------------------

    @api.model
    def _on_answer(self, pile_id, frame):
        """Close the command the pile answered with ``frame`` (CallResult or
        CallError); return it (empty for an unknown or redelivered answer)."""
        command = self.search([("pile_id", "=", pile_id), ("message_id", "=", frame.message_id)], limit=1)
        if not command:
            _logger.info("answer %s of pile %s matches no command", frame.message_id, pile_id)
            return command
        if command.state not in ("queued", "sent", "timeout"):
            return self.browse()  # a redelivered answer
        values = {"answer_date": fields.Datetime.now()}
        if isinstance(frame, ocpp_frames.CallError):
            values.update(state="failed", error=f"{frame.error_code}: {frame.description}")
        else:
            values["response"] = json.dumps(frame.payload, ensure_ascii=False)
            try:
                ocpp_schema.validate_result(command.action, frame)
            except ocpp_frames.FrameError as error:
                values.update(state="failed", error=self.env._("Invalid answer: %s", error.description))
            else:
                status = frame.payload.get("status", "Accepted")
                values["state"] = "accepted" if status in ACCEPTED else "rejected"
        command.write(values)
        if command.state == "accepted":
            command._on_accepted(frame.payload)
        return command

    def _on_accepted(self, payload):
        """What an accepted command changes on the platform's side."""
        if self.action == "GetConfiguration":
            self.pile_id.configuration = json.dumps(payload.get("configurationKey", []), ensure_ascii=False,
                                                    indent=1)
        elif self.action == "ChangeAvailability":
            # Accepted or Scheduled (after the session in progress): no new charge starts there from now on
            request = json.loads(self.payload)
            connectors = self.pile_id.connector_ids
            if request["connectorId"]:
                connectors = connectors.filtered(lambda c: c.number == request["connectorId"])
            connectors.operative = request["type"] == "Operative"

    @api.model
    def _cron_timeout(self):
        """Commands without an answer within their company's timeout are timed
        out; return them."""
        now = fields.Datetime.now()
        timed_out = self.browse()
        for company in self.env["res.company"].search([]):
            limit = now - timedelta(seconds=company.charge_command_timeout or 60)
            timed_out |= self.search([
                ("company_id", "=", company.id),
                "|", "&", ("state", "=", "sent"), ("sent_date", "<", limit),
                "&", ("state", "=", "queued"), ("create_date", "<", limit),
            ])
        timed_out.write({"state": "timeout"})
        return timed_out
