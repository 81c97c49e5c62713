from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import ChargeBillingCase, iso


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestWizardForms(ChargeBillingCase):
    """The back-office wizards filled in as a clerk or a manager fills them
    in (``Form``, with the wizard's view, its defaults and onchanges)."""

    def setUp(self):
        super().setUp()
        self.customer = self.env["res.partner"].create({"name": "Wang Fang"})
        (self.connector1 | self.connector2).write({"status": "available"})

    def open_form(self, action, user):
        """The wizard of a button's ``action``, opened as ``user``."""
        return Form(self.env[action["res_model"]].with_user(user).with_context(action["context"]))

    def running_order(self):
        """A car charging since 08:00 in Shanghai (flat band): 5 kWh read at 08:30, then the pile is silent."""
        reply = self.start(connector=1, id_tag="CARD0001", meter_start=0, timestamp=iso("2026-11-21 00:00"))
        self.meter(reply.payload["transactionId"], 5000, timestamp=iso("2026-11-21 00:30"), connector=1)
        order = self.env["charge.order"].search([("session_id", "=", reply.payload["transactionId"])])
        self.assertEqual(order.state, "charging")
        return order

    def test_remote_start(self):
        context = {"active_model": "charge.connector", "active_id": self.connector2.id}
        with Form(self.env["charge.order.start"].with_user(self.user).with_context(context)) as form:
            self.assertEqual(form.connector_id, self.connector2)
            form.partner_id = self.customer
            form.id_tag = "DESK0001"
        action = form.record.action_start()
        order = self.env["charge.order"].browse(action["res_id"])
        self.assertRecordValues(order, [{
            "state": "starting", "start_method": "backoffice", "partner_id": self.customer.id,
            "connector_id": self.connector2.id, "id_tag": "DESK0001", "tariff_id": self.tou.id,
            "prepaid_amount": 0.0}])
        self.assertRecordValues(order.start_command_id, [{"action": "RemoteStartTransaction", "user_id": self.user.id,
                                                          "connector_id": self.connector2.id}])
        self.assertTrue(order.tariff_snapshot)

    def test_settlement_on_the_last_reading(self):
        order = self.running_order()
        with self.open_form(order.action_open_settle(), self.user) as form:
            self.assertEqual((form.order_id, form.state, form.last_energy_kwh), (order, "charging", 5.0))
            form.note = "the pile lost its network"
        form.record.action_confirm()
        # 5 kWh in the flat band: 0.70 + 0.60 per kWh
        self.assertRecordValues(order, [{
            "state": "completed", "settled_on_last_reading": True, "end_reason": "SettledByOperator",
            "energy_kwh": 5.0, "energy_flat": 5.0, "amount_electricity": 3.5, "amount_service": 3.0,
            "amount_total": 6.5, "occupancy_open": False}])
        self.assertRecordValues(order.session_id, [{"state": "finished", "meter_stop": 5000}])
        with self.assertRaisesRegex(UserError, "already settled"):
            self.open_form(order.action_open_settle(), self.user).save().action_confirm()

    def test_handling_adjusts_an_abnormal_order(self):
        order = self.run_session()      # 10 kWh in the flat band: 13.00
        order.with_user(self.user).action_mark_abnormal()
        with self.open_form(order.action_open_handle(), self.user) as form:
            self.assertEqual((form.current_amount_total, form.amount_electricity, form.amount_service),
                             (13.0, 7.0, 6.0))
            form.method = "adjust"
            form.energy_kwh = 8.0
            form.amount_electricity = 5.6
            form.amount_service = 4.8
            form.note = "meter checked on site"
        form.record.action_confirm()
        self.assertRecordValues(order, [{"state": "completed", "energy_kwh": 8.0, "energy_flat": 8.0,
                                         "amount_electricity": 5.6, "amount_service": 4.8, "amount_total": 10.4}])
        self.assertRecordValues(order.handling_ids, [{"method": "adjust", "state": "done", "user_id": self.user.id,
                                                      "note": "meter checked on site", "energy_kwh": 8.0,
                                                      "amount_electricity": 5.6, "amount_service": 4.8}])

    def test_handling_voids_after_the_second_review(self):
        self.company.charge_abnormal_review = True
        order = self.run_session()
        order.with_user(self.user).action_mark_abnormal()
        with self.open_form(order.action_open_handle(), self.user) as form:
            form.method = "void"
            form.note = "test charge by the installer"
        form.record.action_confirm()
        handling = order.handling_ids
        self.assertRecordValues(handling, [{"method": "void", "state": "to_review", "user_id": self.user.id}])
        self.assertRecordValues(order, [{"state": "abnormal", "review_pending": True}])
        handling.with_user(self.manager).action_approve()
        self.assertRecordValues(handling, [{"state": "done", "reviewer_id": self.manager.id}])
        self.assertRecordValues(order, [{"state": "voided", "review_pending": False}])

    def test_handling_refuses_what_a_user_cannot_mean(self):
        order = self.run_session()
        order.with_user(self.user).action_mark_abnormal()
        for figures, message in (({"note": ""}, "Explain"), ({"amount_service": -1.0}, "cannot be negative"),
                                 ({"amount_service": 0.005}, "decimal")):
            with self.subTest(figures=figures):
                form = self.open_form(order.action_open_handle(), self.user)
                form.method = "adjust"
                form.note = "agreed"
                for name, value in figures.items():
                    setattr(form, name, value)
                with self.assertRaisesRegex(UserError, message):
                    form.save().action_confirm()
        self.assertRecordValues(order, [{"state": "abnormal", "amount_total": 13.0}])
        self.assertFalse(order.handling_ids)
