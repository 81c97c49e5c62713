import json
import logging
from decimal import Decimal, InvalidOperation

from odoo import api, models

from odoo.addons.charge_device.tools import ocpp_routes

_logger = logging.getLogger(__name__)


class ChargeDeviceBus(models.AbstractModel):
    """Back-office starts are authorised; vendor DataTransfer ``TransactionAmount``: the amount a pile computed
    for a transaction, which the abnormal check compares with ours."""
    _inherit = "charge.device.bus"

    @api.model
    def _charge_authorize(self, pile, id_tag, stage="authorize", start_time=None, connector=None):
        """A tag the back office started a charge with is accepted on its pile
        while the order waits for the start."""
        if self.env["charge.order"].search_count([("pile_id", "=", pile.id), ("id_tag", "=", id_tag),
                                                  ("start_method", "=", "backoffice"),
                                                  ("state", "in", ("starting", "charging", "stopping"))]):
            return {"status": "Accepted"}
        return super()._charge_authorize(pile, id_tag, stage=stage, start_time=start_time, connector=connector)

    @api.model
    def _charge_authorize_stops(self, requests):
        """The batch of :meth:`_charge_authorize` at the stop: one search for the back-office starts."""
        if not requests:
            return {}
        orders = self.env["charge.order"].search([
            ("pile_id", "in", sorted({pile.id for pile, _tag in requests})),
            ("id_tag", "in", sorted({id_tag for _pile, id_tag in requests})),
            ("start_method", "=", "backoffice"), ("state", "in", ("starting", "charging", "stopping"))])
        started = {(order.pile_id.id, order.id_tag) for order in orders}
        infos = {(pile.id, id_tag): {"status": "Accepted"} for pile, id_tag in requests if (pile.id, id_tag) in started}
        return {**infos, **super()._charge_authorize_stops(
            [(pile, id_tag) for pile, id_tag in requests if (pile.id, id_tag) not in started])}

    def _ocpp_data_transfer(self, pile, payload):
        if payload["vendorId"] != ocpp_routes.VENDOR_ID or payload.get("messageId") != "TransactionAmount":
            return super()._ocpp_data_transfer(pile, payload)
        try:
            data = json.loads(payload.get("data") or "{}")
            transaction_id = int(data["transactionId"])
            amount = Decimal(str(data["amount"]))
        except (ValueError, KeyError, TypeError, InvalidOperation):
            return {"status": "Rejected", "data": "expected {\"transactionId\": n, \"amount\": \"12.34\"}"}
        session = self.env["charge.session"].search([("id", "=", transaction_id), ("pile_id", "=", pile.id)], limit=1)
        if not session or not session._record_pile_amount(session.id, float(amount)):
            return {"status": "Rejected", "data": "unknown transaction"}
        return {"status": "Accepted"}
