import logging

from odoo import models
from odoo.tools import SQL

from odoo.addons.charge_base.tools.local_time import to_utc

from ..tools import pricing
from ..tools.tou_grid import TariffError

_logger = logging.getLogger(__name__)

# an order in any other state (in progress, abnormal, awaiting review) may still be priced again
SETTLED_STATES = ("completed", "voided")


class ChargeOrder(models.Model):
    _inherit = "charge.order"

    # the unsettled orders of a pile by start (their piles' frames are kept, see charge.retention)
    _retention_unsettled = models.Index("(pile_id, start_date) WHERE state NOT IN ('completed', 'voided')")

    def _retention_pins(self):
        """The instants (naive UTC) at which the order's bill reads the
        energy register: every tariff band boundary inside the order, and
        the ends of its bill lines; None when its tariff cannot say (its
        samples are then kept whole)."""
        self.ensure_one()
        instants = {moment for line in self.line_ids for moment in (line.start_date, line.stop_date) if moment}
        instants |= {moment for moment in (self.start_date, self.stop_date) if moment}
        if self.kind != "car" or not self.start_date or not self.stop_date or not self.tariff_snapshot:
            return sorted(instants)
        try:
            tariff = self._snapshot()
            periods = pricing.check_tariff(tariff)
            pieces = pricing.period_pieces(periods, pricing.zone_of(tariff), to_utc(self.start_date),
                                           to_utc(self.stop_date))
            instants.update(moment.replace(tzinfo=None) for _band, *ends in pieces for moment in ends)
        except (TariffError, ValueError, KeyError) as error:
            _logger.warning("Order %s: its tariff does not say its band boundaries (%s); its meter values are "
                            "kept whole.", self.name, error)
            return None
        return sorted(instants)


class ChargeRetention(models.AbstractModel):
    """Orders in the retention job: a session without an order has samples
    no bill needs; an order's samples are kept whole for the company's
    period after it ended and as long as it is not settled, then thinned
    around its tariff band boundaries so that its bill can be derived again;
    the frames of a pile during an unsettled order are kept."""
    _inherit = "charge.retention"

    def _unbilled_session_condition(self):
        return SQL("NOT EXISTS (SELECT 1 FROM charge_order o WHERE o.session_id = s.id)")

    def _thin_hold_conditions(self, cutoff):
        return super()._thin_hold_conditions(cutoff) + [SQL("""
            EXISTS (SELECT 1 FROM charge_order o
                     WHERE o.session_id = s.id
                       AND (o.state NOT IN %s OR o.occupancy_open OR o.review_pending
                            OR o.stop_date IS NULL OR o.stop_date >= %s))
        """, SETTLED_STATES, cutoff)]

    def _message_keep_conditions(self):
        # the frames of a pile while one of its orders is unsettled: the evidence of a dispute
        return super()._message_keep_conditions() + [SQL("""
            EXISTS (SELECT 1 FROM charge_order o
                     WHERE o.pile_id = r.pile_id AND o.state NOT IN %s
                       AND r.received_at >= o.start_date - interval '5 minutes'
                       AND (o.stop_date IS NULL OR r.received_at <= o.stop_date + interval '5 minutes'))
        """, SETTLED_STATES)]

    def _thin_pins(self, session_ids):
        pins = super()._thin_pins(session_ids)
        orders = self.env["charge.order"].sudo().search([("session_id", "in", session_ids)])
        for order in orders:
            pins[order.session_id.id] = order._retention_pins()
        return pins

