"""The StopTransactions of a batch, together.

A stop storm (every pile of a city stopping within seconds, at the end of a
tariff period) sends hundreds of StopTransactions a second. One by one, each
cost a savepoint and a flush, its session's and its order's UPDATE, a live
bus message and the lookup of its tag: about 7 queries and 12 ms of Odoo CPU.
Here the batch's stops are checked frame by frame in Python as the per-frame
handler checks them (unknown transaction, another pile's, already stopped,
a second stop of a transaction in the same batch, stop before start, meterStop
out of range), then written together: the ORM's writes of all the sessions
and orders flushed at once (one UPDATE each), ``_on_session_stopped`` called
once on all the sessions (one bus message, one settle trigger), and the
standing of all the tags asked in one go (``_charge_authorize_stops``).
If anything fails, the stops are processed again one by one, each in its own
savepoint, as before.
"""
import logging

from odoo import models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..tools import ocpp_frames as frames

_logger = logging.getLogger(__name__)

STOP = "StopTransaction"


class ChargeDeviceBus(models.AbstractModel):
    _inherit = "charge.device.bus"

    def _set_based_stops(self, items):
        """The batch's StopTransactions to process together (none when a
        higher addon overrides the per-frame handler: it keeps its say)."""
        stops = [item for item in items if item.frame.action == STOP]
        if not stops or type(self)._ocpp_stop_transaction is not _base_stop_handler():
            return []
        return stops

    def _handle_stops(self, items):
        """The batch's StopTransactions, together (see the module's doc); if
        that fails, one by one through the per-frame handler."""
        try:
            with self.env.cr.savepoint():
                self._stop_transactions(items)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:  # noqa: BLE001
            _logger.exception("%d StopTransactions together failed; retrying one by one", len(items))
            self.env.invalidate_all()
            for item in items:
                item.reply = None
                self._handle_one(item)

    def _stop_transactions(self, items):
        Session = self.env["charge.session"]
        pile_ids = sorted({item.pile["id"] for item in items})

        def pile_of(pile_id):  # the batch's piles read together
            return self.env["charge.pile"].browse(pile_id).with_prefetch(pile_ids)
        for item in items:
            if item.checked and item.checked.last_meter:
                item.frame = self._with_last_meter(item.frame, item.pile["id"])
        sessions = {session.id: session for session in Session.search(
            [("id", "in", sorted({item.frame.payload["transactionId"] for item in items}))])}
        closing, closed = [], set()
        for item in items:
            payload, pile = item.frame.payload, pile_of(item.pile["id"])
            session = sessions.get(payload["transactionId"])
            if not session or session.pile_id != pile:
                _logger.warning("StopTransaction of unknown transaction %s from %s", payload["transactionId"],
                                pile.serial)
            elif session.state != "finished" and session.id not in closed:
                # a second stop of the transaction in the batch finds it stopped, as it would one by one
                closed.add(session.id)
                closing.append((session, pile, payload))
        self._charge_close_sessions(closing)
        requests = list(dict.fromkeys(
            (item.pile["id"], item.frame.payload["idTag"]) for item in items if item.frame.payload.get("idTag")))
        infos = self._charge_authorize_stops([(pile_of(pile_id), id_tag) for pile_id, id_tag in requests])
        for item in items:
            payload = item.frame.payload
            result = {"idTagInfo": infos[item.pile["id"], payload["idTag"]]} if payload.get("idTag") else {}
            item.reply = frames.CallResult(item.frame.message_id, result)


def _base_stop_handler():
    from .charge_device_bus_handlers import ChargeDeviceBus as Handlers
    return Handlers._ocpp_stop_transaction
