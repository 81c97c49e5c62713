from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.charge_base.tests.rpc import ChargeRpcMixin

from .common import ChargeBillingCase


@tagged("post_install", "-at_install")
class TestOrderRights(ChargeRpcMixin, ChargeBillingCase, HttpCase):
    """Over RPC, no group rewrites an order's money, energy or state, fabricates an order, or touches its bill
    lines and anomalies; another company sees none of them. The order's actions still do their work."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_outsider()

    def setUp(self):
        super().setUp()
        self.order = self.run_session(start="2026-11-21 00:00", stop="2026-11-21 01:00", meter_stop=10000)
        self.assertEqual(self.order.state, "completed")
        self.assertTrue(self.order.line_ids)
        self.total = self.order.amount_total

    def test_no_group_rewrites_an_order(self):
        for user in (self.user, self.manager):
            for values in ({"amount_total": 0.01}, {"amount_electricity": 0.0}, {"energy_kwh": 0.5},
                           {"state": "voided"}, {"line_ids": [(5, 0, 0)]}):
                self.assertRpcRefused(user, "charge.order", "write", self.order.ids, values)
        self.assertEqual((self.order.state, self.order.amount_total, self.order.energy_kwh),
                         ("completed", self.total, 10.0))

    def test_no_group_fabricates_an_order(self):
        for user in (self.user, self.manager):
            self.assertRpcRefused(user, "charge.order", "create", {
                "pile_id": self.pile.id, "connector_id": self.connector1.id, "state": "completed",
                "amount_total": -50})
            self.assertRpcRefused(user, "charge.order", "create", {
                "pile_id": self.pile.id, "connector_id": self.connector1.id})

    def test_lines_and_anomalies_are_read_only(self):
        line = self.order.line_ids[:1]
        for user in (self.user, self.manager):
            self.assertRpcRefused(user, "charge.order.line", "write", line.ids, {"amount": 0.01})
            self.assertRpcRefused(user, "charge.order.line", "unlink", line.ids)
            self.assertRpcRefused(user, "charge.order.line", "create", {
                "order_id": self.order.id, "kind": "energy", "amount": -50})
            self.assertRpcRefused(user, "charge.order.anomaly", "create", {"order_id": self.order.id,
                                                                           "code": "manual"})
            self.assertEqual(self.rpc(user, "charge.order.line", "search_count", [("order_id", "=", self.order.id)]),
                             len(self.order.line_ids))

    def test_other_company_sees_nothing(self):
        self.order.action_mark_abnormal()
        for model, records in (("charge.order", self.order), ("charge.order.line", self.order.line_ids),
                               ("charge.order.anomaly", self.order.anomaly_ids)):
            self.assertTrue(records)
            self.assertEqual(self.rpc(self.outsider, model, "search", [("id", "in", records.ids)]), [])
            with self.assertRaises(AccessError):
                records.with_user(self.outsider).read(["id"])

    def test_actions_still_work_for_a_clerk(self):
        self.rpc(self.user, "charge.order", "action_mark_abnormal", self.order.ids)
        self.assertEqual(self.order.state, "abnormal")
        self.assertEqual(self.order.anomaly_ids.code, "manual")
        wizard = self.rpc(self.user, "charge.order.handle", "create", {
            "order_id": self.order.id, "method": "adjust", "energy_kwh": 8, "amount_electricity": 4,
            "amount_service": 3, "note": "Customer agreed on 8 kWh",
            "start_date": fields.Datetime.to_string(self.order.start_date),
            "stop_date": fields.Datetime.to_string(self.order.stop_date)})
        self.rpc(self.user, "charge.order.handle", "action_confirm", [wizard])
        self.assertEqual((self.order.state, self.order.energy_kwh, self.order.amount_total), ("completed", 8.0, 7.0))

    def test_submitted_handling_is_not_rewritten(self):
        self.company.charge_abnormal_review = True
        self.order.action_mark_abnormal()
        wizard = self.env["charge.order.handle"].with_user(self.user).create({
            "order_id": self.order.id, "method": "adjust", "energy_kwh": 8, "amount_electricity": 4,
            "amount_service": 3, "note": "Customer agreed on 8 kWh"})
        wizard.action_confirm()
        handling = self.order.handling_ids
        self.assertEqual(handling.state, "to_review")
        for values in ({"amount_electricity": 0.01}, {"state": "done"}):
            self.assertRpcRefused(self.user, "charge.order.handling", "write", handling.ids, values)
        self.rpc(self.manager, "charge.order.handling", "action_approve", handling.ids)
        self.assertEqual((handling.state, self.order.amount_total), ("done", 7.0))
