from odoo import api, models

from .demo_once import as_user, first_time


class ChargeFapiaoRequest(models.Model):
    _inherit = "charge.fapiao.request"

    @api.model
    def _charge_demo_requests(self, rows, accountant):
        """Demo data: fapiao requests in each state. ``rows``: [member, state,
        title, taxpayer id, reason of a rejection]; each asks for the member's
        paid orders that no request holds; ``accountant`` reviews them. The
        review of an issued one needs the company's accounts: when the demo
        chart comes after the demo data (models/account_chart_template.py),
        the reviews wait for it (``_charge_demo_review``)."""
        if not first_time(self.env, "fapiao_requests"):
            return self.browse()
        created, reviews = self.browse(), []
        for member, state, title, tax_id, reason in rows:
            partner = self.env["res.partner"].browse(member)
            orders = self.env["charge.order"].search([
                ("partner_id", "=", partner.id), ("state", "=", "completed"), ("payment_state", "=", "paid"),
                ("charge_fapiao_request_id", "=", False), ("charge_not_invoiceable", "=", False)])
            if not orders:
                continue
            request = self._charge_request(partner, orders, title, tax_id=tax_id, email=partner.email)
            created |= request
            if state == "rejected":
                self._charge_demo_review([(request.id, state, reason, accountant)])
            elif state != "pending":
                reviews.append((request.id, state, reason, accountant))
        if self.env.company._charge_finance_ready() and not getattr(self.env.registry, "_charge_demo_chinese_chart",
                                                                    None):
            self._charge_demo_review(reviews)
        else:
            self.env.registry._charge_demo_fapiao_reviews = reviews
        return created

    @api.model
    def _charge_demo_review(self, reviews):
        """[(request id, state to reach, reason, reviewer id)]."""
        for request_id, state, reason, accountant in reviews:
            reviewer = as_user(self.browse(request_id), self.env["res.users"].browse(accountant))
            if state == "rejected":
                reviewer.reject_reason = reason
                reviewer.action_reject()
            elif state == "cancelled":
                reviewer.action_cancel()
            elif state in ("issued", "voided"):
                reviewer.action_approve()
                if state == "voided":
                    reviewer.action_void()
