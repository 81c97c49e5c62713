from odoo.tests import tagged

from .common import ChargeDeviceCase


@tagged("post_install", "-at_install")
class TestCommandLabels(ChargeDeviceCase):
    """A clerk reads what a command does, in their language; the pile still gets the OCPP action."""

    def test_command_names_are_labels(self):
        self.pile.with_user(self.user).action_sync_clock()
        command = self.pile.command_ids
        self.assertEqual(command.action, "TriggerMessage")
        self.assertEqual(command._frame().action, "TriggerMessage")
        self.assertEqual(command.display_name, "Request a Report → BUS00001")
        labels = dict(command._fields["action"]._description_selection(self.env))
        self.assertTrue(all(label != action for action, label in labels.items()), labels)

    def test_command_names_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["charge_device"], ["zh_CN"], overwrite=True)
        self.pile.action_get_configuration()
        command = self.pile.command_ids.with_context(lang="zh_CN")
        self.assertEqual(command.display_name, "读取配置 → BUS00001")
        labels = dict(command._fields["action"]._description_selection(command.env))
        self.assertEqual(labels["RemoteStopTransaction"], "远程停止")
        self.assertFalse([label for label in labels.values() if label.isascii()], labels)
