from odoo import api, fields, models


class ChargeSession(models.Model):
    """Sessions open, follow and close their charging orders."""
    _inherit = "charge.session"

    order_ids = fields.One2many("charge.order", "session_id", string="Orders")

    def _on_session_started(self):
        super()._on_session_started()
        for session in self:
            # a new charge on the connector: the gun of the one before is out, or in use again
            before = self.env["charge.order"].search([("connector_id", "=", session.connector_id.id),
                                                      ("occupancy_open", "=", True)])
            if before:
                session.company_id._charge_in_operator_lang(before)._close_occupancy(session.start_date)
            if not session.order_ids:
                session.company_id._charge_in_operator_lang(self.env["charge.order"])._open_for_session(session)

    def _on_session_stopped(self):
        super()._on_session_stopped()
        # the orders of a company together (the device listener stops a batch of sessions at once)
        for company in self.company_id:
            sessions = self.filtered(lambda session, company=company: session.company_id == company)
            company._charge_in_operator_lang(sessions.order_ids)._on_session_stopped()

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") in ("suspended", "active"):
            for session in self:
                session.company_id._charge_in_operator_lang(session.order_ids)._on_session_state(vals["state"])
        return result

    @api.model
    def _record_pile_amount(self, transaction_id, amount):
        """The amount a pile computed for its transaction (vendor DataTransfer);
        after the order was checked, the amount rule runs again."""
        order = self.env["charge.order"].search([("session_id", "=", transaction_id)], limit=1)
        if order:
            order.amount_pile = amount
            order.company_id._charge_in_operator_lang(order)._recheck_pile_amount()
        return bool(order)
