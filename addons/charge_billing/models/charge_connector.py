from odoo import models

from .tariff_timezone import operator_context


class ChargeConnector(models.Model):
    _inherit = "charge.connector"

    def _on_statuses_changed(self, keys, faults, recovered):
        """A gun unplugged after charging ends the occupancy of its order."""
        super()._on_statuses_changed(keys, faults, recovered)
        if not keys:
            return
        # on the listener's hot path: one query, on the piles of this batch only
        orders = self.env["charge.order"].search([
            ("occupancy_open", "=", True), ("pile_id", "in", list({pile_id for pile_id, _number in keys}))])
        for order in orders:
            connector = order.connector_id
            if (connector.pile_id.id, connector.number) in keys and connector.status not in ("finishing", "occupied"):
                operator_context(order, order.company_id)._close_occupancy(connector.status_date)
