import json

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import ChargeBillingCase, iso, utc


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestAbnormalOrders(ChargeBillingCase):
    """Every rule of the manual flags a real order; the handling wizard and
    the second review decide what becomes of it."""

    def assertAbnormal(self, order, code):
        self.assertEqual(order.state, "abnormal")
        self.assertIn(code, order.anomaly_ids.mapped("code"))

    def test_rules_found_from_what_the_pile_reports(self):
        cases = {
            "over_500_kwh": dict(start="2026-11-21 01:00", stop="2026-11-21 10:00", meter_stop=600000),
            "start_too_old": dict(start="2026-08-01 01:00", stop="2026-08-01 02:00"),
            "over_24_hours": dict(start="2026-11-19 10:00", stop="2026-11-20 11:00"),
            "over_10_kwh_per_minute": dict(start="2026-11-21 10:00", stop="2026-11-21 10:05", meter_stop=60000),
            "energy_without_duration": dict(start="2026-11-21 10:00", stop="2026-11-21 10:00"),
            "meter_backwards": dict(samples=[("2026-11-21 00:30", 12000)], meter_stop=10000),
            "meter_stop_below_start": dict(meter_start=5000, meter_stop=4000),
        }
        for offset, (code, session) in enumerate(cases.items(), start=1):
            with self.subTest(code):
                # a distinct meter start per case: the same start twice is the same session
                session.setdefault("meter_start", 0)
                session.setdefault("meter_stop", 10000)
                session["meter_start"] += offset
                session["meter_stop"] += offset
                self.assertAbnormal(self.run_session(**session), code)

    def test_meter_going_backwards_is_flagged_not_priced(self):
        order = self.run_session(samples=[("2026-11-21 00:30", 12000)], meter_stop=10000)
        self.assertTrue(order.meter_backwards)
        self.assertFalse(order.line_ids)
        self.assertEqual(order.amount_total, 0)

    def test_meter_ending_below_its_start_delivers_no_energy(self):
        # the register went back below the session's start (a meter reset): never a negative energy on the books
        order = self.run_session(meter_start=5000, samples=[("2026-11-21 00:30", 5500)], meter_stop=4001)
        self.assertTrue(order.meter_backwards)
        self.assertRecordValues(order, [{"energy_kwh": 0.0, "amount_total": 0.0, "state": "abnormal"}])

    def test_soc_moving_without_energy(self):
        reply = self.start(meter_start=1000, timestamp=iso("2026-11-21 10:00"))
        transaction = reply.payload["transactionId"]
        self.send({"connectorId": 1, "transactionId": transaction, "meterValue": [
            {"timestamp": iso("2026-11-21 10:05"), "sampledValue": [{"value": "30", "measurand": "SoC", "unit": "Percent"}]},
            {"timestamp": iso("2026-11-21 10:20"), "sampledValue": [{"value": "35", "measurand": "SoC", "unit": "Percent"}]},
        ]}, "MeterValues")
        self.stop(transaction, 1000, timestamp=iso("2026-11-21 10:30"))
        self.assertAbnormal(self.env["charge.order"].search([("session_id", "=", transaction)]), "soc_without_energy")

    def test_pile_amount_far_from_ours(self):
        self.company.charge_pile_amount_tolerance = 0.5
        reply = self.start(meter_start=0, timestamp=iso("2026-11-21 10:00"))
        transaction = reply.payload["transactionId"]
        answer = self.send({"vendorId": "charge_ops", "messageId": "TransactionAmount",
                            "data": json.dumps({"transactionId": transaction, "amount": "30.00"})}, "DataTransfer")
        self.assertEqual(answer.payload["status"], "Accepted")
        self.stop(transaction, 10000, timestamp=iso("2026-11-21 11:00"))  # 10 kWh flat: 13.00
        order = self.env["charge.order"].search([("session_id", "=", transaction)])
        self.assertAbnormal(order, "pile_amount_mismatch")
        self.assertIn("30.0", order.anomaly_ids.description)

    def test_rules_on_figures_a_pile_cannot_send_directly(self):
        order = self.run_session()
        self.assertEqual(order.state, "completed")
        cases = {
            "band_sum": {"energy_valley": 9.0},
            "negative_amount": {"amount_service": -1.0},
            "negative_energy": {"energy_kwh": -1.0, "energy_valley": -1.0},
            "amount_without_energy": {"energy_kwh": 0.0, "energy_valley": 0.0},
            # the device bus replaces a stop time more than 15 minutes ahead by the receive time
            "end_in_future": {"stop_date": utc("2026-11-21 12:30")},
            # the device bus ends a session stopped before its start at its start
            "negative_duration": {"stop_date": utc("2026-11-20 23:00")},
        }
        for code, figures in cases.items():
            with self.subTest(code):
                with self.env.cr.savepoint() as savepoint:
                    order.write(figures)
                    order._check_and_close()
                    self.assertAbnormal(order, code)
                    savepoint.rollback()

    def test_stop_dated_before_the_start_ends_at_the_start(self):
        order = self.run_session(start="2026-11-21 10:00", stop="2026-11-21 09:00", meter_stop=10000)
        self.assertEqual(order.session_id.stop_date, order.session_id.start_date)
        self.assertEqual(order.duration_minutes, 0)
        self.assertAbnormal(order, "energy_without_duration")

    def test_manual_mark_and_translated_reasons(self):
        order = self.run_session()
        order.action_mark_abnormal()
        self.assertAbnormal(order, "manual")
        self.assertIn(self.env.user.name, order.anomaly_ids.description)

    # handling ------------------------------------------------------------------

    def handle(self, order, method, user=None, **values):
        wizard = self.env["charge.order.handle"].with_user(user or self.env.user).with_context(
            active_id=order.id).create({"order_id": order.id, "method": method, **values})
        return wizard.action_confirm()

    def test_settle_directly(self):
        order = self.run_session(start="2026-11-21 01:00", stop="2026-11-21 10:00", meter_stop=600000)
        self.handle(order, "settle", note="Checked with the customer")
        self.assertEqual(order.state, "completed")
        self.assertEqual(order.energy_kwh, 600.0)

    def test_adjust_keeps_bands_adding_up(self):
        order = self.run_session(start="2026-11-21 01:00", stop="2026-11-21 10:00", meter_stop=600000)
        with self.assertRaisesRegex(UserError, "note"):
            self.handle(order, "adjust", energy_kwh=60)
        self.handle(order, "adjust", energy_kwh=60, amount_electricity=30, amount_service=20,
                    note="Meter replaced; the customer agreed on 60 kWh")
        self.assertEqual(order.state, "completed")
        self.assertEqual((order.energy_kwh, order.amount_total), (60.0, 50.0))
        bands = order.energy_sharp + order.energy_peak + order.energy_flat + order.energy_valley + order.energy_standard
        self.assertAlmostEqual(bands, 60.0, places=3)
        self.assertEqual(order.handling_ids.state, "done")

    def test_void_excludes_the_order_from_statistics(self):
        order = self.run_session(start="2026-11-21 01:00", stop="2026-11-21 10:00", meter_stop=600000)
        self.handle(order, "void", note="Test session of the installer")
        self.assertEqual(order.state, "voided")
        analysis = self.env.ref("charge_billing.charge_order_analysis_action")
        domain = eval(analysis.domain)  # noqa: S307 - a literal domain of our own action
        self.assertNotIn(order, self.env["charge.order"].search(domain))

    def test_second_review_by_another_user(self):
        self.company.charge_abnormal_review = True
        reviewer = new_test_user(self.env, login="charge_reviewer", groups="charge_base.group_charge_manager",
                                 company_id=self.company.id, company_ids=[self.company.id])
        order = self.run_session(start="2026-11-21 01:00", stop="2026-11-21 10:00", meter_stop=600000)
        self.handle(order, "void", user=self.manager, note="Looks like a test")
        handling = order.handling_ids
        self.assertEqual((handling.state, order.state, order.review_pending), ("to_review", "abnormal", True))
        with self.assertRaisesRegex(UserError, "awaiting review"):
            self.handle(order, "settle")
        with self.assertRaisesRegex(UserError, "another user"):
            handling.with_user(self.manager).action_approve()
        with self.assertRaises(AccessError):
            handling.with_user(self.user).action_approve()
        handling.with_user(reviewer).action_refuse()
        self.assertEqual((handling.state, order.state), ("refused", "abnormal"))
        self.handle(order, "settle", user=self.user, note="Real session after all")
        second = order.handling_ids - handling
        second.with_user(reviewer).action_approve()
        self.assertEqual((second.state, second.reviewer_id, order.state), ("done", reviewer, "completed"))
