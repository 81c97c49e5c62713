from odoo import models


class ChargeConnector(models.Model):
    _inherit = "charge.connector"

    def _on_statuses_changed(self, keys, faults, recovered):
        """The status a connector reports after a charge opens the occupancy
        of its order (the gun is still in) or ends it (the gun is out), in
        whatever order the pile sends StopTransaction and its statuses."""
        super()._on_statuses_changed(keys, faults, recovered)
        if not keys:
            return
        # on the listener's hot path: one query, on the piles of this batch only
        orders = self.env["charge.order"].search([
            ("occupancy_open", "=", True), ("pile_id", "in", list({pile_id for pile_id, _number in keys}))])
        for order in orders:
            connector = order.connector_id
            if (connector.pile_id.id, connector.number) in keys:
                order.company_id._charge_in_operator_lang(order)._follow_occupancy()
