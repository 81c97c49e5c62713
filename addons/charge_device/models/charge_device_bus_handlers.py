import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import ocpp_routes as routes
from ..tools import operability
from ..tools.faults import BOOT_REJECTED
from ..tools.ocpp_values import format_time, parse_time, read_samples
from .operability_messages import operability_text

_logger = logging.getLogger(__name__)


class ChargeDeviceBus(models.AbstractModel):
    """Handlers of the device actions that go through the ORM, one per action
    (see ``tools/ocpp_routes.DEVICE_ROUTES``). Each receives the pile and the
    validated payload and returns the CALLRESULT payload. Higher addons
    override them, or the hooks they call."""
    _inherit = "charge.device.bus"

    # Authorisation ----------------------------------------------------------

    @api.model
    def _charge_id_tag_info(self, pile, id_tag, stage="authorize", start_time=None, connector=None):
        """The idTagInfo answered to an Authorize (``stage`` "authorize") or a
        StartTransaction ("start", ``start_time`` and ``connector`` of the
        frame): Blocked when the pile or the connector cannot charge (logged,
        see :meth:`_charge_refused`), else what :meth:`_charge_authorize` says.
        The pile's state goes first: no member or billing rule decides a
        charge on a pile out of operation."""
        refusal = self._charge_refusal(pile, connector)
        if refusal:
            self._charge_refused(pile, id_tag, refusal, stage, connector)
            return {"status": refusal.status}
        return self._charge_authorize(pile, id_tag, stage=stage, start_time=start_time, connector=connector)

    @api.model
    def _charge_refusal(self, pile, connector=None):
        """Why ``pile`` cannot start a charge on ``connector`` (on any of its
        connectors when None), as an :class:`..tools.operability.Refusal`, or None."""
        station, area = pile.station_id, pile.area_id
        facts = operability.PileFacts(
            state=pile.state, active=pile.active, station_active=station.active,
            station_approved=station.approval_state == "approved",
            station_operating=station.operating_state == "operating",
            area_active=area.active, area=area.display_name or "", device_status=pile.device_status or None,
            connectors=tuple(operability.ConnectorFacts(c.number, c.status, c.operative) for c in pile.connector_ids),
        )
        return operability.refusal(facts, connector.number if connector else None)

    @api.model
    def _charge_refused(self, pile, id_tag, refusal, stage, connector=None):
        """Log a start refused for the pile's state in the pile's log, in the
        operator's language. charge_member logs its members' refusals too."""
        env = self._operator_env(pile)
        reason = operability_text(env, refusal.reason, refusal.params)
        if stage == "start" and connector:
            note = env._("Start of %(tag)s on connector %(connector)s refused: %(reason)s.",
                         tag=id_tag, connector=connector.number, reason=reason)
        elif stage == "start":
            note = env._("Start of %(tag)s refused: %(reason)s.", tag=id_tag, reason=reason)
        else:
            note = env._("Authorize of %(tag)s refused: %(reason)s.", tag=id_tag, reason=reason)
        _logger.info("%s of %s on %s refused: %s", stage, id_tag, pile.serial, refusal.reason)
        self.env["charge.device.event"].sudo().create({"pile_id": pile.id, "event": "refused", "note": note})

    @api.model
    def _charge_check_operable(self, pile, connector=None):
        """Before a back-office remote start: raise a UserError (in the user's
        language) when ``pile`` cannot charge on ``connector``."""
        refusal = self._charge_refusal(pile, connector)
        if refusal:
            raise UserError(self.env._("%(pile)s cannot start a charge: %(reason)s.", pile=pile.display_name,
                                       reason=operability_text(self.env, refusal.reason, refusal.params)))

    @api.model
    def _operator_env(self, pile):
        """The environment in the language of the pile's operator, for texts stored in logs."""
        lang = pile.company_id._charge_operator_lang() or self.env.context.get("lang")
        return self.env(context=dict(self.env.context, lang=lang))

    @api.model
    def _charge_authorize(self, pile, id_tag, stage="authorize", start_time=None, connector=None):
        """OCPP idTagInfo for ``id_tag`` on ``pile``, once the pile can charge.
        ``stage`` is "authorize", "start" (``start_time`` and ``connector``
        of the StartTransaction) or "stop" (the answer to a StopTransaction).
        charge_device accepts the id tags listed on the pile; charge_billing
        its back-office starts, charge_member decides for members' cards."""
        tag = self.env["charge.pile.id.tag"].search([("pile_id", "=", pile.id), ("tag", "=", id_tag)], limit=1)
        if not tag:
            return {"status": "Invalid"}
        if tag.expiry_date and tag.expiry_date < fields.Datetime.now():
            return {"status": "Expired", "expiryDate": format_time(tag.expiry_date)}
        info = {"status": "Accepted"}
        if tag.expiry_date:
            info["expiryDate"] = format_time(tag.expiry_date)
        return info

    @api.model
    def _charge_authorize_stops(self, requests):
        """What :meth:`_charge_authorize` answers at the stop (``stage``
        "stop") for each of ``requests``, ``[(pile, id tag)]`` (distinct),
        as ``{(pile id, id tag): idTagInfo}``: the batch of StopTransactions
        asks once for all its tags. Each addon that overrides
        ``_charge_authorize`` overrides this the same way: it answers the
        requests it decides and passes the others on to ``super()``."""
        if not requests:
            return {}
        found = {}
        for tag in self.env["charge.pile.id.tag"].search([
                ("pile_id", "in", sorted({pile.id for pile, _tag in requests})),
                ("tag", "in", sorted({id_tag for _pile, id_tag in requests}))]):
            found.setdefault((tag.pile_id.id, tag.tag), tag)  # the search's first, as limit=1 gives
        now, infos = fields.Datetime.now(), {}
        for pile, id_tag in requests:
            tag = found.get((pile.id, id_tag))
            if not tag:
                info = {"status": "Invalid"}
            elif tag.expiry_date and tag.expiry_date < now:
                info = {"status": "Expired", "expiryDate": format_time(tag.expiry_date)}
            else:
                info = {"status": "Accepted"}
                if tag.expiry_date:
                    info["expiryDate"] = format_time(tag.expiry_date)
            infos[pile.id, id_tag] = info
        return infos

    # Handlers ---------------------------------------------------------------

    def _ocpp_boot_notification(self, pile, payload):
        """Every known pile boots but a retired one: a draft pile boots and
        reports its statuses so that it can be commissioned, a stopped one so
        that it is watched. A rejected boot raises alarm 5002, an accepted one
        closes it."""
        alarm_type = self.env.ref(f"charge_device.alarm_type_{BOOT_REJECTED}", raise_if_not_found=False)
        if pile.state == "retired":
            note = self._operator_env(pile)._("The pile is retired.")
            self.env["charge.device.event"].create({"pile_id": pile.id, "event": "rejected", "note": note})
            if alarm_type:
                self.env["charge.alarm"]._raise(pile, alarm_type, detail=note)
            return {"status": "Rejected", "currentTime": self._now_text(), "interval": 300}
        if alarm_type:
            self.env["charge.alarm"].search([
                ("pile_id", "=", pile.id), ("type_id", "=", alarm_type.id), ("state", "!=", "done"),
            ])._close_automatically(self._operator_env(pile)._("The pile booted and was accepted."))
        interval = pile.company_id.charge_heartbeat_interval or 60
        pile.write({
            "boot_vendor": payload["chargePointVendor"],
            "boot_model": payload["chargePointModel"],
            "firmware_version": payload.get("firmwareVersion") or pile.firmware_version,
            "sim_iccid": payload.get("iccid") or pile.sim_iccid,
            "heartbeat_interval": interval,
            "last_boot": fields.Datetime.now(),
        })
        self.env["charge.device.event"].create({
            "pile_id": pile.id, "event": "boot",
            "note": f"{payload['chargePointVendor']} {payload['chargePointModel']} {payload.get('firmwareVersion', '')}",
        })
        return {"status": "Accepted", "currentTime": self._now_text(), "interval": interval}

    def _ocpp_authorize(self, pile, payload):
        return {"idTagInfo": self._charge_id_tag_info(pile, payload["idTag"], stage="authorize")}

    def _ocpp_start_transaction(self, pile, payload):
        connector = pile.connector_ids.filtered(lambda c: c.number == payload["connectorId"])
        id_tag_info = self._charge_id_tag_info(pile, payload["idTag"], stage="start",
                                               start_time=parse_time(payload["timestamp"]),
                                               connector=connector or None)
        start_key = (f"{pile.id}:{payload['connectorId']}:{payload['idTag']}:"
                     f"{payload['timestamp']}:{payload['meterStart']}")
        session = self.env["charge.session"].search([("start_key", "=", start_key)], limit=1)
        if not session:
            if not connector:
                _logger.warning("StartTransaction on unknown connector %s of %s", payload["connectorId"], pile.serial)
                return {"transactionId": 0, "idTagInfo": {"status": "Invalid"}}
            session = self.env["charge.session"].create({
                "pile_id": pile.id, "connector_id": connector.id, "id_tag": payload["idTag"],
                "start_date": parse_time(payload["timestamp"]), "meter_start": payload["meterStart"],
                "meter_last": payload["meterStart"], "start_key": start_key,
                "authorized": id_tag_info["status"] == "Accepted",
            })
            session._on_session_started()
        return {"transactionId": session.id, "idTagInfo": id_tag_info}

    def _ocpp_stop_transaction(self, pile, payload):
        """One StopTransaction (the listener takes a batch's stops together,
        see charge_device_bus_stops.py; this is its path for a frame alone)."""
        session = self.env["charge.session"].search(
            [("id", "=", payload["transactionId"]), ("pile_id", "=", pile.id)], limit=1)
        if not session:
            _logger.warning("StopTransaction of unknown transaction %s from %s", payload["transactionId"], pile.serial)
        elif session.state != "finished":
            self._charge_close_sessions([(session, pile, payload)])
        if payload.get("idTag"):
            # whether the tag is still good, for the pile's cache: never refused for the pile's state
            return {"idTagInfo": self._charge_authorize(pile, payload["idTag"], stage="stop")}
        return {}

    @api.model
    def _charge_close_sessions(self, stops):
        """Close the sessions of ``stops``, ``[(session, pile, payload)]`` (open
        sessions, each once): their transaction data stored as meter values,
        the stop written, then ``_on_session_stopped`` once on all of them (the
        higher addons' say: billing stops the orders). The ORM's writes are
        flushed together: one UPDATE for the batch's sessions."""
        rows = []
        for session, pile, payload in stops:
            rows.extend({
                "session_id": session.id, "pile_id": pile.id, "connector_number": session.connector_id.number,
                "company_id": pile.company_id.id, **sample,
            } for sample in read_samples(payload.get("transactionData") or []))
        if rows:
            self.env["charge.meter.value"].create(rows)
        for session, pile, payload in stops:
            stop_date = parse_time(payload["timestamp"])
            if stop_date < session.start_date:
                # a stop before the start (a pile whose clock went back): the session ends where it began,
                # with no negative duration on the books; billing flags energy without duration
                _logger.info("StopTransaction %s from %s dated %s, before its start %s: stopped at the start",
                             session.id, pile.serial, stop_date, session.start_date)
                stop_date = session.start_date
            session.write({
                "stop_date": stop_date,
                "meter_stop": payload["meterStop"],
                "meter_last": max(payload["meterStop"], session.meter_last),
                "stop_reason": payload.get("reason", "Local"),
                "stop_id_tag": payload.get("idTag"),
                "state": "finished",
            })
        if stops:
            self.env["charge.session"].browse([session.id for session, _pile, _payload in stops])._on_session_stopped()

    def _ocpp_data_transfer(self, pile, payload):
        if payload["vendorId"] != routes.VENDOR_ID:
            return {"status": "UnknownVendorId"}
        _logger.info("DataTransfer %s from %s: %s", payload.get("messageId"), pile.serial, payload.get("data"))
        return {"status": "UnknownMessageId"}

    def _ocpp_firmware_status_notification(self, pile, payload):
        pile.firmware_status = payload["status"]
        return {}

    def _ocpp_diagnostics_status_notification(self, pile, payload):
        pile.diagnostics_status = payload["status"]
        return {}
