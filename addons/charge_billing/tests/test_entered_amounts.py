from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import ChargeBillingCase


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestEnteredAmounts(ChargeBillingCase):
    """Amounts typed in billing's wizards are refused, never rounded, and
    stay under the company's maximum per operation."""

    def handle_form(self, order):
        form = Form(self.env["charge.order.handle"].with_user(self.user).with_context(active_id=order.id))
        form.method = "adjust"
        form.note = "Meter replaced; the customer agreed on 60 kWh"
        form.energy_kwh = 60
        return form

    def test_adjusted_figures_are_checked_as_typed(self):
        order = self.run_session(start="2026-11-21 01:00", stop="2026-11-21 10:00", meter_stop=600000)
        self.assertEqual(order.state, "abnormal")
        for values, message in (
            ({"amount_electricity": 30.005}, "Electricity: 30.005 has more than 2 decimals"),
            ({"amount_service": 1234.567}, "Service: 1234.567 has more than 2 decimals"),
            ({"amount_occupancy": -1}, "Occupancy: the amount cannot be negative|cannot be negative"),
            ({"amount_electricity": 1e12}, "allowed per operation"),
            ({"amount_electricity": 30000, "amount_service": 20000.01},
             "Adjusted total: 50000.01 is more than the 50000.00 allowed per operation"),
        ):
            form = self.handle_form(order)
            for name, value in values.items():
                setattr(form, name, value)
            wizard = form.save()
            with self.assertRaisesRegex(UserError, message):
                wizard.action_confirm()
            self.assertEqual(order.state, "abnormal")
        form = self.handle_form(order)
        form.amount_electricity = 30.01
        form.amount_service = 19.99
        form.amount_occupancy = 0
        form.save().action_confirm()
        self.assertRecordValues(order, [{"state": "completed", "energy_kwh": 60.0, "amount_electricity": 30.01,
                                         "amount_service": 19.99, "amount_total": 50.0}])

    def test_prepaid_amount_is_checked_as_typed(self):
        self.connector2.write({"status": "available"})
        customer = self.env["res.partner"].create({"name": "Wang Fang"})
        Start = self.env["charge.order.start"].with_user(self.user)
        for amount, message in ((0.005, "0.005 has more than 2 decimals"), (1e12, "allowed per operation")):
            wizard = Start.create({"connector_id": self.connector2.id, "partner_id": customer.id,
                                   "prepaid_amount": amount})
            with self.assertRaisesRegex(UserError, message):
                wizard.action_start()
        self.assertFalse(self.env["charge.order"].search([("connector_id", "=", self.connector2.id)]))
