from odoo.tests import HttpCase, tagged

from odoo.addons.charge_base.tests.common import ChargeScenario
from odoo.addons.charge_base.tests.rpc import ChargeRpcMixin


@tagged("post_install", "-at_install")
class TestCommandRights(ChargeRpcMixin, ChargeScenario, HttpCase):
    """Over RPC, users send commands through the actions; nobody writes one."""

    def test_users_send_commands_but_never_write_them(self):
        pile = self.create_pile("RPC00001")
        self.rpc(self.user, "charge.pile", "action_sync_clock", [pile.id])
        command = pile.command_ids
        self.assertRecordValues(command, [{"action": "TriggerMessage", "state": "queued", "user_id": self.user.id}])
        for user in (self.user, self.manager):
            self.assertRpcRefused(user, "charge.device.command", "write", [command.id], {"state": "accepted"})
            self.assertRpcRefused(user, "charge.device.command", "write", [command.id], {"response": "{}"})
        self.assertEqual(command.state, "queued")
