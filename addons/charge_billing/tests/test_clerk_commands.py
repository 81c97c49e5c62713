from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.charge_device.tests.common import FakePublisher

from .common import ChargeBillingCase


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestClerkCommands(ChargeBillingCase):
    """A Charging User starts charges and makes reservations from the back office:
    the commands are published after the commit without the clerk writing them."""

    def setUp(self):
        super().setUp()
        self.customer = self.env["res.partner"].create({"name": "Wang Fang"})
        (self.connector1 | self.connector2).write({"status": "available"})

    def test_clerk_starts_a_charge_through_the_wizard(self):
        context = {"active_model": "charge.connector", "active_id": self.connector2.id}
        form = Form(self.env["charge.order.start"].with_user(self.user).with_context(context))
        form.partner_id = self.customer
        action = form.save().action_start()
        order = self.env["charge.order"].browse(action["res_id"])
        command = order.start_command_id
        self.assertRecordValues(command, [{"action": "RemoteStartTransaction", "state": "queued",
                                           "user_id": self.user.id, "connector_id": self.connector2.id}])
        publisher = FakePublisher()
        self.publish_after_commit(publisher)
        self.assertRecordValues(order, [{"state": "starting", "start_method": "backoffice"}])
        self.assertEqual(command.state, "sent")
        self.assertEqual(len(publisher.published), 1)
        with self.assertRaises(AccessError):
            command.with_user(self.user).write({"state": "accepted"})

    def test_clerk_makes_a_reservation(self):
        form = Form(self.env["charge.reservation"].with_user(self.user))
        form.connector_id = self.connector1
        form.partner_id = self.customer
        form.id_tag = "CARD0001"
        reservation = form.save()
        reservation.action_reserve()
        command = reservation.command_ids
        self.assertRecordValues(command, [{"action": "ReserveNow", "state": "queued", "user_id": self.user.id}])
        self.publish_after_commit(FakePublisher())
        self.assertEqual(command.state, "sent")
        self.assertEqual(reservation.state, "reserved")
        # cancelling it sends CancelReservation the same way
        reservation.with_user(self.user).action_cancel()
        self.publish_after_commit(FakePublisher())
        cancel = reservation.command_ids.filtered(lambda c: c.action == "CancelReservation")
        self.assertRecordValues(cancel, [{"state": "sent", "user_id": self.user.id}])
        self.assertEqual(reservation.state, "cancelled")
