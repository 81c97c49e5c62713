import json

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChargeDeviceCase


@tagged("post_install", "-at_install")
class TestBusOperability(ChargeDeviceCase):
    """Only a pile in operation, in an approved and operating station and an
    active area, charges, and only on a connector that can: Authorize,
    StartTransaction and remote starts are refused otherwise (idTagInfo
    Blocked), with the reason in the pile's log. Boots are refused to retired
    piles only (alarm 5002)."""

    def authorize(self, id_tag="CARD0001", serial=None):
        return self.send({"idTag": id_tag}, "Authorize", serial=serial).payload["idTagInfo"]["status"]

    def refused_events(self, pile=None):
        return self.env["charge.device.event"].search([("pile_id", "=", (pile or self.pile).id),
                                                       ("event", "=", "refused")])

    def remote_start(self, connector=None, id_tag="CARD0001"):
        connector = connector or self.connector1
        return self.env["charge.command.wizard"].with_user(self.user).create({
            "pile_id": connector.pile_id.id, "command": "remote_start", "connector_id": connector.id,
            "id_tag": id_tag,
        }).action_send()

    def assertRefusedEverywhere(self, reason_text, pile=None, serial=None, connector=1):
        """Authorize, StartTransaction and a remote start are refused, each
        refusal from the pile logged with ``reason_text``."""
        pile = pile or self.pile
        serial = serial or pile.serial
        before = len(self.refused_events(pile))
        self.assertEqual(self.authorize(serial=serial), "Blocked")
        reply = self.start(connector=connector, serial=serial)
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Blocked")
        session = self.env["charge.session"].browse(reply.payload["transactionId"])
        self.assertFalse(session.authorized, "the refused start is recorded as one")
        events = self.refused_events(pile)
        self.assertEqual(len(events), before + 2)
        for event in events[:2]:
            self.assertIn(reason_text, event.note)
        commands = len(pile.command_ids)
        with self.assertRaisesRegex(UserError, reason_text):
            self.remote_start(pile.connector_ids.filtered(lambda c: c.number == connector))
        self.assertEqual(len(pile.command_ids), commands, "nothing was sent")
        return session

    # the pile in operation ----------------------------------------------------------

    def test_a_pile_in_operation_charges(self):
        self.assertEqual(self.authorize(), "Accepted")
        self.assertEqual(self.start().payload["idTagInfo"]["status"], "Accepted")
        self.remote_start(self.connector2)
        self.assertEqual(self.pile.command_ids.action, "RemoteStartTransaction")
        self.assertFalse(self.refused_events())

    # the pile's life cycle -----------------------------------------------------------

    def test_a_draft_pile_boots_and_reports_but_does_not_charge(self):
        draft = self.create_pile("BUS00002")
        self.env["charge.pile.id.tag"].create({"pile_id": draft.id, "tag": "CARD0001"})
        reply = self.boot(serial=draft.serial)
        self.assertEqual(reply.payload["status"], "Accepted")
        self.assertEqual(draft.boot_vendor, "TestVendor")
        self.send({"connectorId": 1, "status": "Available", "errorCode": "NoError"}, "StatusNotification",
                  serial=draft.serial)
        self.assertEqual(draft.connector_ids.filtered(lambda c: c.number == 1).status, "available")
        self.assertRefusedEverywhere("not commissioned", pile=draft)
        # once commissioned it charges
        draft.action_commission()
        self.assertEqual(self.authorize(serial=draft.serial), "Accepted")

    def test_a_stopped_pile_does_not_charge(self):
        self.pile.action_stop()
        self.assertEqual(self.boot().payload["status"], "Accepted", "a stopped pile still reports")
        session = self.assertRefusedEverywhere("stopped")
        # the pile ends the refused transaction: its StopTransaction finds the session
        self.stop(session.id, 1000)
        self.assertEqual(session.state, "finished")

    def test_a_retired_pile_does_not_charge_and_its_boot_raises_alarm_5002(self):
        self.pile.action_stop()
        self.pile.with_user(self.manager).action_retire()
        self.assertRefusedEverywhere("retired")
        self.assertEqual(self.boot().payload["status"], "Rejected")
        self.assertEqual(self.boot().payload["status"], "Rejected")
        alarm = self.env["charge.alarm"].search([("pile_id", "=", self.pile.id), ("code", "=", "5002")])
        self.assertEqual((len(alarm), alarm.count, alarm.state), (1, 2, "todo"))
        self.assertIn("retired", alarm.detail)
        self.assertEqual(self.env["charge.device.event"].search_count(
            [("pile_id", "=", self.pile.id), ("event", "=", "rejected")]), 2)

    def test_an_accepted_boot_closes_alarm_5002(self):
        alarm_type = self.env.ref("charge_device.alarm_type_5002")
        alarm = self.env["charge.alarm"]._raise(self.pile, alarm_type, detail="retired by mistake")
        self.assertEqual(self.boot().payload["status"], "Accepted")
        self.assertEqual((alarm.state, alarm.handling), ("done", "auto"))

    # the station and the area --------------------------------------------------------

    def test_a_station_not_approved_does_not_charge(self):
        self.station.approval_state = "to_approve"
        self.assertRefusedEverywhere("not approved")

    def test_a_station_not_operating_does_not_charge(self):
        self.station.operating_state = "stopped"   # the pile left commissioned: its station alone decides
        self.assertEqual(self.pile.state, "commissioned")
        self.assertRefusedEverywhere("not operating")

    def test_an_archived_area_does_not_charge(self):
        area = self.env["charge.area"].create({"station_id": self.station.id, "name": "B1"})
        self.pile.area_id = area
        area.action_archive()
        self.assertRefusedEverywhere("archived")

    # connectors ----------------------------------------------------------------------

    def test_an_unavailable_connector_does_not_charge_the_others_do(self):
        self.status(1, "Unavailable")
        self.assertEqual(self.authorize(), "Accepted", "Authorize names no connector: connector 2 can charge")
        reply = self.start(connector=1)
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Blocked")
        self.assertIn("connector 1", self.refused_events().note)
        with self.assertRaisesRegex(UserError, "unavailable"):
            self.remote_start(self.connector1)
        self.assertEqual(self.start(connector=2).payload["idTagInfo"]["status"], "Accepted")
        # with no connector left that can charge, Authorize is refused too
        self.status(2, "Unavailable")
        self.assertEqual(self.authorize(), "Blocked")
        self.assertIn("no connector", self.refused_events()[0].note)

    def test_a_pile_unavailable_as_a_whole_does_not_charge(self):
        self.status(0, "Unavailable")
        self.assertRefusedEverywhere("unavailable")

    def test_a_connector_made_inoperative_does_not_charge_until_made_operative(self):
        def change_availability(number, kind, answer="Accepted"):
            command = self.pile._send_command("ChangeAvailability", {"connectorId": number, "type": kind})
            self.send(json.dumps([3, command.message_id, {"status": answer}]))

        change_availability(1, "Inoperative", answer="Scheduled")   # busy: it will be, once the session ends
        self.assertFalse(self.connector1.operative)
        self.assertTrue(self.connector2.operative)
        self.assertEqual(self.connector1.status, "offline", "the pile has not reported Unavailable yet")
        self.assertEqual(self.start(connector=1).payload["idTagInfo"]["status"], "Blocked")
        self.assertIn("inoperative", self.refused_events().note)
        change_availability(1, "Operative")
        self.assertEqual(self.start(connector=1, meter_start=2000).payload["idTagInfo"]["status"], "Accepted")
        # connector 0: the whole pile
        change_availability(0, "Inoperative")
        self.assertEqual(set(self.pile.connector_ids.mapped("operative")), {False})
        self.assertEqual(self.authorize(), "Blocked")
        # a refused command changes nothing
        change_availability(0, "Operative", answer="Rejected")
        self.assertEqual(set(self.pile.connector_ids.mapped("operative")), {False})

    def test_a_stop_is_never_refused_for_the_pile_state(self):
        session_id = self.start().payload["transactionId"]
        self.pile.action_stop()
        reply = self.stop(session_id, 5000)
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Accepted")
        self.assertEqual(self.env["charge.session"].browse(session_id).state, "finished")
