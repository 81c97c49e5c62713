from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.charge_device.tests.common import FakePublisher

from .common import ChargeMemberCase


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestClerkStart(ChargeMemberCase):
    """A Charging User starts a member's charge from the back office, paid by the
    group's wallet: the order is bound to it and the command goes out after the commit."""

    def test_clerk_starts_a_member_charge_on_the_group_wallet(self):
        self.connector1.status = "available"
        context = {"active_model": "charge.connector", "active_id": self.connector1.id}
        form = Form(self.env["charge.order.start"].with_user(self.user).with_context(context))
        form.partner_id = self.wang
        form.payer = "group"
        form.group_id = self.fleet
        action = form.save().action_start()
        order = self.env["charge.order"].browse(action["res_id"])
        self.assertRecordValues(order, [{"state": "starting", "id_tag": self.wang.charge_app_tag,
                                         "wallet_id": self.fleet_wallet.id, "group_id": self.fleet.id}])
        command = order.start_command_id
        self.assertRecordValues(command, [{"state": "queued", "user_id": self.user.id}])
        self.publish_after_commit(FakePublisher())
        self.assertEqual(command.state, "sent")
        with self.assertRaises(AccessError):
            command.with_user(self.user).write({"state": "accepted"})
