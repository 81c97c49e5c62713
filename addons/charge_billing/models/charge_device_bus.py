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
