import json

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChargeDeviceCase


@tagged("post_install", "-at_install")
class TestBusStatus(ChargeDeviceCase):

    def test_status_notifications_update_connectors(self):
        self.status(1, "Charging")
        self.status(2, "Preparing")
        self.assertEqual((self.connector1.status, self.connector2.status), ("charging", "preparing"))
        self.status(0, "Available")
        self.assertEqual(self.pile.device_status, "available")

    def test_open_views_are_told_of_new_statuses(self):
        channel = self.env.ref("charge_base.group_charge_user")
        before = self.env["bus.bus"].search_count([])
        self.status(1, "Charging")
        notes = self.env["bus.bus"].search([], order="id desc", limit=self.env["bus.bus"].search_count([]) - before)
        self.assertEqual(len(notes), 1)
        self.assertIn("charge_connector_status", notes.message)
        self.assertIn(str(self.pile.id), notes.message)
        self.assertEqual(json.loads(notes.channel)[-2:], ["res.groups", channel.id])

    def test_the_last_status_of_a_batch_wins(self):
        frames = [({"connectorId": 1, "status": status, "errorCode": "NoError"}, "StatusNotification", None,
                   None, "test") for status in ("Preparing", "Charging", "Finishing")]
        self.send_many(frames)
        self.assertEqual(self.connector1.status, "finishing")

    def test_faults_raise_alarms_counted_until_cleared(self):
        self.status(1, "Faulted", "GroundFailure", vendor_error_code="0065")
        alarms = self.env["charge.alarm"].search([("pile_id", "=", self.pile.id)])
        self.assertEqual(self.connector1.status, "faulted")
        self.assertEqual(self.connector1.vendor_error_code, "0065")
        codes = set(alarms.mapped("code"))
        self.assertEqual(len(codes), len(alarms), "one alarm per fault")
        # the vendor bitmask 65 = no earth (1) + emergency stop (64), plus the OCPP code
        self.assertEqual(len(alarms), 3)
        self.assertEqual(set(alarms.mapped("connector_id")), {self.connector1})

        self.status(1, "Faulted", "GroundFailure", vendor_error_code="0065")
        self.assertEqual(set(alarms.mapped("count")), {2})
        self.assertEqual(self.env["charge.alarm"].search_count([("pile_id", "=", self.pile.id)]), 3)

        self.status(1, "Available")
        self.assertEqual(set(alarms.mapped("state")), {"done"})
        self.assertEqual(set(alarms.mapped("handling")), {"auto"})

    def test_a_recovered_connector_closes_only_its_device_alarms(self):
        self.status(1, "Faulted", "GroundFailure")
        self.status(2, "Faulted", "GroundFailure")
        other = self.create_pile("BUS00002")
        other.action_commission()
        other_connector = other.connector_ids.filtered(lambda c: c.number == 1)
        Alarm = self.env["charge.alarm"]
        ground = self.env["charge.alarm.type"].search([("code", "=", "2003")])
        platform = self.env.ref("charge_device.alarm_type_5003")
        elsewhere = Alarm._raise(other, ground, connector=other_connector)
        not_from_the_pile = Alarm._raise(self.pile, platform, connector=self.connector1)
        first, second = (Alarm.search([("connector_id", "=", c.id), ("type_id", "=", ground.id)])
                         for c in (self.connector1, self.connector2))

        self.status(1, "Available")
        self.assertEqual(first.state, "done")
        self.assertEqual(first.handling, "auto")
        self.assertEqual((second.state, elsewhere.state, not_from_the_pile.state), ("todo", "todo", "todo"))

    def test_recovered_connectors_without_alarms_cost_one_query(self):
        # most statuses a listener writes say "no error": their open alarms are looked up at once
        self.env.flush_all()
        with self.assertQueryCount(1):
            self.env["charge.alarm"]._close_recovered([(self.pile.id, 1), (self.pile.id, 2)])

    def test_alarm_handling(self):
        self.status(2, "Faulted", "HighTemperature")
        alarm = self.env["charge.alarm"].search([("pile_id", "=", self.pile.id)])
        alarm.with_user(self.user).action_start()
        self.assertEqual(alarm.state, "in_progress")
        with self.assertRaises(UserError):
            alarm.with_user(self.user).action_done()
        alarm.with_user(self.user).write({"handling": "onsite", "note": "Fan replaced"})
        alarm.with_user(self.user).action_done()
        self.assertEqual((alarm.state, alarm.handled_by), ("done", self.user))
