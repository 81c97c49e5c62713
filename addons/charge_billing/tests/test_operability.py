from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChargeBillingCase, iso


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestBillingOperability(ChargeBillingCase):
    """A pile out of operation bills nothing: its refused start makes an
    abnormal order that is never settled, and the back office cannot start a
    charge on it."""

    def back_office_start(self, connector=None):
        connector = connector or self.connector2
        partner = self.env["res.partner"].create({"name": "Li Lei"})
        return self.env["charge.order.start"].create({"connector_id": connector.id, "partner_id": partner.id})

    def test_a_start_on_a_stopped_pile_is_refused_and_its_order_never_billed(self):
        self.pile.action_stop()
        reply = self.start(meter_start=0, timestamp=iso("2026-11-21 11:00"))
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Blocked")
        order = self.env["charge.order"].search([("session_id", "=", reply.payload["transactionId"])])
        self.assertEqual((order.state, order.abnormal_type), ("abnormal", "control"))
        self.assertEqual(order.anomaly_ids.code, "start_rejected")
        # the pile charged anyway and reports the stop: the session closes, the order stays unbilled
        self.stop(reply.payload["transactionId"], 10000, timestamp=iso("2026-11-21 11:30"))
        self.assertEqual(order.session_id.state, "finished")
        self.assertEqual(order.state, "abnormal")

    def test_the_back_office_cannot_start_a_charge_on_a_pile_out_of_operation(self):
        self.connector2.status = "available"
        wizard = self.back_office_start()
        self.station.operating_state = "stopped"
        with self.assertRaisesRegex(UserError, "the station is not operating"):
            wizard.action_start()
        self.station.operating_state = "operating"
        self.pile.action_stop()
        with self.assertRaisesRegex(UserError, "the pile is stopped"):
            wizard.action_start()
        self.assertFalse(self.env["charge.order"].search([("pile_id", "=", self.pile.id)]))
        self.assertFalse(self.pile.command_ids, "nothing was sent")

    def test_the_back_office_cannot_start_on_an_unavailable_connector(self):
        self.status(2, "Unavailable")
        with self.assertRaisesRegex(UserError, "connector 2 is unavailable"):
            self.back_office_start().action_start()

    def test_a_back_office_tag_is_refused_once_the_pile_stopped(self):
        """The pile's state goes before the back-office order that accepts its tag."""
        self.connector2.status = "available"
        action = self.back_office_start().action_start()
        order = self.env["charge.order"].browse(action["res_id"])
        self.pile.action_stop()
        reply = self.start(connector=2, id_tag=order.id_tag, meter_start=0, timestamp=iso("2026-11-21 11:59"))
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Blocked")
        self.assertEqual((order.state, order.abnormal_type), ("abnormal", "control"))
