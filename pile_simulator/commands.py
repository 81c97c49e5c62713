"""Answers of a pile to the platform's commands (CALLs on its down topic).

``PileCommands`` is mixed into ``VirtualPile``: each ``_command_<Action>``
method checks the request and returns ``(reply payload, after)``, where
``after`` (or None) is what the pile does once its CALLRESULT is out (start a
transaction, reboot, send the triggered message...). A ``CommandError`` turns
into a CALLERROR.
"""
import json
import logging

from . import frames
from .local_list import ListUpdateError
from .schemas import PayloadError

_logger = logging.getLogger(__name__)

VENDOR_ID = "charge_ops"


class CommandError(Exception):
    def __init__(self, code, description=""):
        super().__init__(description or code)
        self.code = code
        self.description = description


class PileCommands:

    def _answer(self, call):
        """The reply frame (text) to a CALL and the follow-up action (or None)."""
        handler = getattr(self, f"_command_{call.action}", None)
        try:
            if handler is None:
                code = "NotSupported" if call.action in frames.CENTRAL_SYSTEM_ACTIONS else "NotImplemented"
                raise CommandError(code, f"{call.action} is not supported by this pile")
            if self.validator is not None:
                self.validator.check(call.action, call.payload)
            payload, after = handler(call.payload)
            if self.strict and self.validator is not None:
                self.validator.check(call.action, payload, response=True)
        except PayloadError as error:
            return frames.call_error(call.message_id, error.code, error.description), None
        except CommandError as error:
            return frames.call_error(call.message_id, error.code, error.description), None
        except Exception as error:  # a bug in the simulator must not kill the pile
            _logger.exception("pile %s: %s failed", self.serial, call.action)
            return frames.call_error(call.message_id, "InternalError", str(error)[:255]), None
        return frames.call_result(call.message_id, payload), after

    # charging -------------------------------------------------------------------

    def _command_RemoteStartTransaction(self, payload):
        number, id_tag = payload.get("connectorId"), payload["idTag"]
        authorize = self.config.get_bool("AuthorizeRemoteTxRequests")
        if number is None:
            free = [c for c in self._charge_points()
                    if self._unavailable_reason(c, id_tag, authorize) is None]
            connector = min(free, key=lambda c: self._remote_start_rank(c, id_tag), default=None)
        else:
            connector = self._connectors.get(number) if number > 0 else None
            if connector is not None and self._unavailable_reason(connector, id_tag, authorize) is not None:
                connector = None
        if connector is None:
            return {"status": "Rejected"}, None
        connector.stage = "preparing"  # claimed now, announced after the reply
        return {"status": "Accepted"}, lambda: self._start_session(
            connector, id_tag, remote=True, authorize=authorize, claimed=True)

    @staticmethod
    def _remote_start_rank(connector, id_tag):
        """Order of the connectors for a remote start without connectorId: the one
        reserved for ``id_tag``, the free ones, those reserved for a parent id tag."""
        if connector.reservation is None:
            return 1
        return 0 if connector.reservation.id_tag == id_tag else 2

    def _command_RemoteStopTransaction(self, payload):
        connector = self._connector_of_transaction(payload["transactionId"])
        if connector is None:
            return {"status": "Rejected"}, None
        return {"status": "Accepted"}, lambda: self._stop_session(connector, "Remote")

    def _command_UnlockConnector(self, payload):
        connector = self._connectors.get(payload["connectorId"])
        if connector is None or connector.number == 0:
            return {"status": "NotSupported"}, None
        if connector.session is not None:
            return {"status": "Unlocked"}, lambda: self._stop_session(connector, "UnlockCommand")
        return {"status": "Unlocked"}, None

    # reservations (OCPP 1.6, 5.13 and 5.1) ---------------------------------------

    def _command_ReserveNow(self, payload):
        connector = self._connectors.get(payload["connectorId"])
        if connector is None or connector.number == 0:  # ReserveConnectorZeroSupported is false
            return {"status": "Rejected"}, None
        try:
            expiry = frames.parse_time(payload["expiryDate"])
        except ValueError as error:
            raise CommandError("PropertyConstraintViolation", f"expiryDate: {error}") from error
        reservation_id = payload["reservationId"]
        refusal = self._reservation_refusal(connector, reservation_id)
        if refusal:
            return {"status": refusal}, None
        if expiry <= self.sim_now():
            return {"status": "Rejected"}, None
        previous = self._connector_of_reservation(reservation_id)
        if previous is not None:  # same reservationId: the new one replaces it
            self._drop_reservation(previous)
        self._place_reservation(connector, reservation_id, payload["idTag"], expiry,
                                payload.get("parentIdTag"))
        targets = [connector] if previous in (None, connector) else [previous, connector]

        def after():
            for target in targets:
                self._refresh(target)
        return {"status": "Accepted"}, after

    def _reservation_refusal(self, connector, reservation_id):
        """The ReserveNow status when ``connector`` cannot take the reservation, else None."""
        pile = self._connectors[0]
        if connector.fault or pile.fault:
            return "Faulted"
        if not (connector.operative and pile.operative):
            return "Unavailable"
        if connector.stage is not None or connector.session is not None:
            return "Occupied"
        if connector.reservation is not None and connector.reservation.reservation_id != reservation_id:
            return "Occupied"
        return None

    def _command_CancelReservation(self, payload):
        connector = self._connector_of_reservation(payload["reservationId"])
        if connector is None:
            return {"status": "Rejected"}, None
        self._drop_reservation(connector)
        return {"status": "Accepted"}, lambda: self._refresh(connector)

    # local authorization list (OCPP 1.6, 5.15 and 5.10) ---------------------------

    def _command_SendLocalList(self, payload):
        if not self.config.get_bool("LocalAuthListEnabled"):
            return {"status": "NotSupported"}, None
        items = payload.get("localAuthorizationList") or []
        if len(items) > self.config.get_int("SendLocalListMaxLength"):
            return {"status": "Failed"}, None
        try:
            self.local_auth_list.update(payload["listVersion"], payload["updateType"], items,
                                        self.config.get_int("LocalAuthListMaxLength"))
        except ListUpdateError as error:
            _logger.info("pile %s: SendLocalList %s: %s", self.serial, error.status, error.description)
            return {"status": error.status}, None
        return {"status": "Accepted"}, None

    def _command_GetLocalListVersion(self, payload):
        if not self.config.get_bool("LocalAuthListEnabled"):
            return {"listVersion": -1}, None
        return {"listVersion": self.local_auth_list.version}, None

    # device management ----------------------------------------------------------

    def _command_Reset(self, payload):
        return {"status": "Accepted"}, lambda: self._reset(payload["type"])

    def _command_ChangeAvailability(self, payload):
        connector = self._connectors.get(payload["connectorId"])
        if connector is None:
            return {"status": "Rejected"}, None
        operative = payload["type"] == "Operative"
        if connector.number == 0:
            busy = any(c.session is not None for c in self._charge_points())
        else:
            busy = connector.session is not None
        if busy and not operative:
            connector.pending_operative = False
            return {"status": "Scheduled"}, None
        connector.pending_operative = None
        return {"status": "Accepted"}, lambda: self._set_operative(connector, operative)

    def _command_TriggerMessage(self, payload):
        requested = payload["requestedMessage"]
        number = payload.get("connectorId")
        if number is not None and number not in self._connectors:
            return {"status": "Rejected"}, None
        if requested == "BootNotification":
            after = self._boot
        elif requested == "Heartbeat":
            after = self._send_heartbeat
        elif requested == "StatusNotification":
            targets = [self._connectors[number]] if number is not None else list(self._connectors.values())

            def after():
                for connector in targets:
                    self._report_status(connector)
        elif requested == "MeterValues":
            targets = ([self._connectors[number]] if number else list(self._charge_points()))

            def after():
                for connector in targets:
                    self._send_meter_values(connector, "Trigger")
        elif requested in ("FirmwareStatusNotification", "DiagnosticsStatusNotification"):
            def after():
                self.outbox.submit(requested, {"status": "Idle"})
        else:
            return {"status": "NotImplemented"}, None
        return {"status": "Accepted"}, after

    def _command_GetConfiguration(self, payload):
        return self.config.describe(payload.get("key")), None

    def _command_ChangeConfiguration(self, payload):
        return {"status": self.config.change(payload["key"], payload["value"])}, None

    # vendor extensions ----------------------------------------------------------

    def _command_DataTransfer(self, payload):
        if payload["vendorId"] != VENDOR_ID:
            return {"status": "UnknownVendorId"}, None
        handler = {
            "SetQRCode": self._set_qr_code,
            "SetHotline": self._set_hotline,
            "SetTariff": self._set_tariff,
        }.get(payload.get("messageId"))
        if handler is None:
            return {"status": "UnknownMessageId"}, None
        try:
            data = json.loads(payload.get("data") or "null")
        except ValueError:
            return {"status": "Rejected", "data": "data is not JSON"}, None
        problem = handler(data)
        if problem:
            return {"status": "Rejected", "data": problem}, None
        return {"status": "Accepted"}, None

    def _set_qr_code(self, data):
        if not isinstance(data, dict) or not isinstance(data.get("url"), str) or not data["url"]:
            return "expected {\"connectorId\": n, \"url\": \"...\"}"
        number = data.get("connectorId", 0)
        if not isinstance(number, int) or number not in self._connectors:
            return "unknown connectorId"
        self.qr_codes[number] = data["url"]
        return None

    def _set_hotline(self, data):
        if not isinstance(data, dict) or not isinstance(data.get("hotline"), str):
            return "expected {\"hotline\": \"...\"}"
        self.hotline = data["hotline"]
        return None

    def _set_tariff(self, data):
        if not isinstance(data, dict):
            return "expected a tariff object"
        self.tariff = data
        return None
