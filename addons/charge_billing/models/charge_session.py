from odoo import api, fields, models

from .tariff_timezone import operator_context


class ChargeSession(models.Model):
    """Sessions open, follow and close their charging orders."""
    _inherit = "charge.session"

    order_ids = fields.One2many("charge.order", "session_id", string="Orders")

    def _on_session_started(self):
        super()._on_session_started()
        for session in self:
            if not session.order_ids:
                operator_context(self.env["charge.order"], session.company_id)._open_for_session(session)

    def _on_session_stopped(self):
        super()._on_session_stopped()
        for session in self:
            operator_context(session.order_ids, session.company_id)._on_session_stopped()

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") in ("suspended", "active"):
            for session in self:
                operator_context(session.order_ids, session.company_id)._on_session_state(vals["state"])
        return result

    @api.model
    def _record_pile_amount(self, transaction_id, amount):
        """The amount a pile computed for its transaction (vendor DataTransfer)."""
        order = self.env["charge.order"].search([("session_id", "=", transaction_id)], limit=1)
        if order:
            order.amount_pile = amount
        return bool(order)
