from contextlib import contextmanager
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.test_cursor import TestCursor

from odoo.addons.charge_base.tests.rpc import ChargeRpcMixin
from odoo.addons.charge_device.tests.common import FakePublisher

from .common import ChargeMemberCase


def _commit_then_run_postcommit(cr):
    """``TestCursor.commit`` that runs the post-commit hooks as a real cursor
    does (the test cursor drops them): the request's response waits for them,
    so an error there is the error dialog the user sees."""
    cr.flush()
    if cr._savepoint:
        cr._savepoint.close(rollback=cr.readonly)
        cr._savepoint = None
    cr.clear()
    cr.prerollback.clear()
    cr.postrollback.clear()
    cr.postcommit.run()


@tagged("post_install", "-at_install")
class TestCommandButtonsRpc(ChargeRpcMixin, ChargeMemberCase, HttpCase):
    """Every button of the charge forms that sends a device command, clicked the way
    the web client does (/web/dataset/call_button, wizards saved with web_save), by
    a Charging User, a Charging Manager and the administrator: no error reaches the
    user, the command is recorded with its outcome (sent, or failed with the bus down),
    and the user still cannot write a command."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(cls.env, login="charge_admin", company_id=cls.company.id,
                                  company_ids=[cls.company.id],
                                  groups="base.group_system,charge_base.group_charge_manager")
        cls.company.charge_hotline = "400-800-8000"
        cls.dc_model.cap_offline_whitelist = True
        cls.bus = FakePublisher()

    def setUp(self):
        super().setUp()
        self.bus.published.clear()
        self.bus.fail = False
        Command = type(self.env["charge.device.command"])
        self.startPatcher(patch.object(TestCursor, "commit", _commit_then_run_postcommit))
        self.startPatcher(patch.object(Command, "_publisher", lambda _self: self.bus))
        (self.connector1 | self.connector2).write({"status": "available"})

    # The web client's calls --------------------------------------------------------

    def click(self, user, record, method, context=None):
        """A button of type object on ``record``'s form, as the web client calls it."""
        self.env.flush_all()
        self.authenticate(user.login, user.login)
        result = self.make_jsonrpc_request("/web/dataset/call_button", {
            "model": record._name, "method": method, "args": [record.ids],
            "kwargs": {"context": {"lang": "en_US", **(context or {})}},
        })
        self.env.invalidate_all()
        return result

    def wizard(self, user, model, values, method, context=None):
        """A wizard saved with the values typed (web_save) then its button clicked."""
        self.env.flush_all()
        self.authenticate(user.login, user.login)
        context = {"lang": "en_US", **(context or {})}
        saved = self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": "web_save", "args": [[], values],
            "kwargs": {"context": context, "specification": {"id": {}}},
        })
        wizard = self.env[model].browse(saved[0]["id"])
        return self.click(user, wizard, method, context)

    @contextmanager
    def sends(self, user, action, pile=None, count=1, state="sent"):
        """The block sends ``count`` command(s) ``action`` as ``user``, recorded as ``state``."""
        Command = self.env["charge.device.command"]
        before = Command.search([]).ids
        yield
        commands = Command.search([("id", "not in", before)])
        self.assertEqual(len(commands), count, f"{action} sent by {user.login}")
        self.assertEqual(set(commands.mapped("action")), {action})
        self.assertEqual(commands.pile_id, pile or self.pile)
        self.assertEqual(set(commands.mapped("state")), {state}, commands.mapped("error"))
        self.assertEqual(commands.user_id, user)
        self.assertEqual(len(self.bus.published), count if state == "sent" else 0)
        self.bus.published.clear()
        self.assertRpcRefused(user, "charge.device.command", "write", commands.ids, {"state": "accepted"})

    def running_order(self, day=21):
        reply = self.start(connector=1, id_tag="CARD0001", meter_start=0, timestamp=f"2026-11-{day}T08:00:00Z")
        order = self.env["charge.order"].search([("session_id", "=", reply.payload["transactionId"])])
        self.assertEqual(order.state, "charging")
        return order

    # The buttons -------------------------------------------------------------------

    def test_pile_and_connector_buttons(self):
        for user in (self.user, self.manager, self.admin):
            for method in ("action_trigger_status", "action_sync_clock", "action_get_configuration",
                           "action_push_hotline"):
                action = "GetConfiguration" if method == "action_get_configuration" else (
                    "DataTransfer" if method == "action_push_hotline" else "TriggerMessage")
                with self.sends(user, action):
                    self.click(user, self.pile, method)
            # the pile's answer closes the clerk's command and records what it read
            command = self.pile.command_ids.filtered(lambda c: c.action == "GetConfiguration")[:1]
            self.send(f'[3,"{command.message_id}",{{"configurationKey":[{{"key":"HeartbeatInterval",'
                      f'"readonly":false,"value":"{user.id}"}}]}}]')
            self.assertEqual(command.state, "accepted")
            self.assertIn(f'"value": "{user.id}"', self.pile.configuration)
            with self.sends(user, "DataTransfer", count=2):
                self.click(user, self.pile, "action_push_qr_codes")
            with self.sends(user, "SendLocalList"):
                self.click(user, self.pile, "action_push_local_list")
            with self.sends(user, "TriggerMessage"):
                self.click(user, self.connector2, "action_refresh_status")
            with self.sends(user, "UnlockConnector"):
                self.click(user, self.connector2, "action_unlock")

    def test_command_wizards(self):
        for user in (self.user, self.manager, self.admin):
            with self.sends(user, "RemoteStartTransaction"):
                self.wizard(user, "charge.command.wizard", {"card_id": self.card.id},
                            "action_send", {"default_pile_id": self.pile.id, "default_command": "remote_start",
                                            "default_connector_id": self.connector2.id})
            with self.sends(user, "RemoteStartTransaction"):
                self.wizard(user, "charge.command.wizard", {"id_tag": "CARD0001"}, "action_send",
                            {"default_pile_id": self.pile.id, "default_command": "remote_start",
                             "default_connector_id": self.connector2.id})
            with self.sends(user, "ChangeAvailability"):
                self.wizard(user, "charge.command.wizard", {"connector_id": self.connector2.id}, "action_send",
                            {"default_pile_id": self.pile.id, "default_command": "availability"})
        for user in (self.manager, self.admin):  # the Reboot and Change Configuration buttons are a manager's
            with self.sends(user, "Reset"):
                self.wizard(user, "charge.command.wizard", {}, "action_send",
                            {"default_pile_id": self.pile.id, "default_command": "reset"})
            with self.sends(user, "ChangeConfiguration"):
                self.wizard(user, "charge.command.wizard", {"config_key": "HeartbeatInterval",
                                                            "config_value": "60"}, "action_send",
                            {"default_pile_id": self.pile.id, "default_command": "configuration"})

    def test_start_a_charge_then_stop_it(self):
        for day, user in enumerate((self.user, self.manager, self.admin), 21):
            for values in ({"partner_id": self.li.id}, {"card_id": self.card.id, "partner_id": self.li.id},
                           {"partner_id": self.env["res.partner"].create({"name": "Walk-in"}).id}):
                with self.sends(user, "RemoteStartTransaction"):
                    action = self.wizard(user, "charge.order.start", values, "action_start",
                                         {"active_model": "charge.connector", "active_id": self.connector2.id})
                order = self.env["charge.order"].browse(action["res_id"])
                self.assertRecordValues(order, [{"state": "starting", "partner_id": values["partner_id"],
                                                 "card_id": values.get("card_id", False)}])
                self.assertEqual(order.start_command_id.state, "sent")
                # stopped before the pile started: the order fails, no command
                self.click(user, order, "action_stop")
                self.assertEqual(order.state, "abnormal")
            order = self.running_order(day)
            with self.sends(user, "RemoteStopTransaction"):
                self.click(user, order, "action_stop")
            self.assertRecordValues(order, [{"state": "stopping", "stop_command_id": order.stop_command_id.id}])
            with self.sends(user, "RemoteStopTransaction"):
                self.click(user, self.connector1, "action_remote_stop")
            self.stop(order.session_id.id, 5000, timestamp=f"2026-11-{day}T08:30:00Z")
            self.assertEqual(order.state, "completed")

    def test_reservations(self):
        for user in (self.user, self.manager, self.admin):
            self.env.flush_all()
            self.authenticate(user.login, user.login)
            saved = self.make_jsonrpc_request("/web/dataset/call_kw", {
                "model": "charge.reservation", "method": "web_save",
                "args": [[], {"connector_id": self.connector2.id, "partner_id": self.li.id, "id_tag": "CARD1001"}],
                "kwargs": {"specification": {"id": {}}},
            })
            reservation = self.env["charge.reservation"].browse(saved[0]["id"])
            with self.sends(user, "ReserveNow"):
                self.click(user, reservation, "action_reserve")
            with self.sends(user, "CancelReservation"):
                self.click(user, reservation, "action_cancel")
            self.assertEqual(reservation.state, "cancelled")

    def test_tariff_pushes(self):
        for user in (self.manager, self.admin):  # the push buttons are a manager's
            with self.sends(user, "DataTransfer"):
                self.click(user, self.pile, "action_push_tariff")
            with self.sends(user, "DataTransfer"):
                self.click(user, self.tou, "action_push_now")
            with self.sends(user, "DataTransfer"):
                self.click(user, self.tou.current_version_id, "action_push_now")

    def test_bus_down(self):
        """The bus unreachable: the command is recorded as failed, and the user gets no error."""
        self.bus.fail = True
        for user in (self.user, self.manager, self.admin):
            with self.sends(user, "TriggerMessage", state="failed"):
                self.click(user, self.connector2, "action_refresh_status")
            with self.sends(user, "RemoteStartTransaction", state="failed"):
                action = self.wizard(user, "charge.order.start", {"partner_id": self.li.id}, "action_start",
                                     {"active_model": "charge.connector", "active_id": self.connector2.id})
            # the start never left: its order fails at once instead of waiting for the pile
            order = self.env["charge.order"].browse(action["res_id"])
            self.assertRecordValues(order, [{"state": "abnormal", "abnormal_type": "control"}])
        order = self.running_order()
        for count, user in enumerate((self.user, self.manager, self.admin), 1):
            with self.sends(user, "RemoteStopTransaction", state="failed"):
                self.click(user, order, "action_stop")
            # the stop never left: the order is still running, and says so
            self.assertEqual(order.state, "charging")
            self.assertEqual(len(order.message_ids.filtered(lambda m: "did not stop" in (m.body or ""))), count)

    def test_a_failure_after_the_commit_is_no_error_of_the_user(self):
        """The command is queued and committed: a failure in recording its publication is
        logged for the operator, never shown to the clerk, who would send it again."""
        Command = type(self.env["charge.device.command"])
        with patch.object(Command, "_publish", side_effect=RuntimeError("disk full")), \
                self.assertLogs("odoo.addons.charge_device.models.charge_device_command", "ERROR") as logs:
            self.click(self.user, self.connector2, "action_refresh_status")
        self.assertIn("disk full", logs.output[0])
        self.assertRecordValues(self.pile.command_ids[:1], [{"action": "TriggerMessage", "state": "queued",
                                                             "user_id": self.user.id}])
