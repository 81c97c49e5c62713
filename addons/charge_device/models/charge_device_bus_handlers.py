import logging

from odoo import api, fields, models

from ..tools import ocpp_routes as routes
from ..tools.ocpp_values import format_time, parse_time, read_samples

_logger = logging.getLogger(__name__)


class ChargeDeviceBus(models.AbstractModel):
    """Handlers of the device actions that go through the ORM, one per action
    (see ``tools/ocpp_routes.DEVICE_ROUTES``). Each receives the pile and the
    validated payload and returns the CALLRESULT payload. Higher addons
    override them, or the hooks they call."""
    _inherit = "charge.device.bus"

    # Authorisation ----------------------------------------------------------

    @api.model
    def _charge_authorize(self, pile, id_tag):
        """OCPP idTagInfo for ``id_tag`` on ``pile``. charge_device accepts the
        id tags listed on the pile; charge_member decides for members' cards."""
        tag = self.env["charge.pile.id.tag"].search([("pile_id", "=", pile.id), ("tag", "=", id_tag)], limit=1)
        if not tag:
            return {"status": "Invalid"}
        if tag.expiry_date and tag.expiry_date < fields.Datetime.now():
            return {"status": "Expired", "expiryDate": format_time(tag.expiry_date)}
        info = {"status": "Accepted"}
        if tag.expiry_date:
            info["expiryDate"] = format_time(tag.expiry_date)
        return info

    # Handlers ---------------------------------------------------------------

    def _ocpp_boot_notification(self, pile, payload):
        if pile.state == "retired":
            self.env["charge.device.event"].create({"pile_id": pile.id, "event": "rejected",
                                                    "note": self.env._("The pile is retired.")})
            return {"status": "Rejected", "currentTime": self._now_text(), "interval": 300}
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
        return {"idTagInfo": self._charge_authorize(pile, payload["idTag"])}

    def _ocpp_start_transaction(self, pile, payload):
        connector = pile.connector_ids.filtered(lambda c: c.number == payload["connectorId"])
        id_tag_info = self._charge_authorize(pile, payload["idTag"])
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
        session = self.env["charge.session"].search(
            [("id", "=", payload["transactionId"]), ("pile_id", "=", pile.id)], limit=1)
        if not session:
            _logger.warning("StopTransaction of unknown transaction %s from %s", payload["transactionId"], pile.serial)
        elif session.state != "finished":
            samples = read_samples(payload.get("transactionData") or [])
            if samples:
                self.env["charge.meter.value"].create([{
                    "session_id": session.id, "pile_id": pile.id, "connector_number": session.connector_id.number,
                    "company_id": pile.company_id.id, **sample,
                } for sample in samples])
            session.write({
                "stop_date": parse_time(payload["timestamp"]),
                "meter_stop": payload["meterStop"],
                "meter_last": max(payload["meterStop"], session.meter_last),
                "stop_reason": payload.get("reason", "Local"),
                "stop_id_tag": payload.get("idTag"),
                "state": "finished",
            })
            session._on_session_stopped()
        if payload.get("idTag"):
            return {"idTagInfo": self._charge_authorize(pile, payload["idTag"])}
        return {}

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
