import json
from unittest.mock import patch

from odoo.tests import tagged

from ..tools import ocpp_frames
from .common import ChargeDeviceCase


@tagged("post_install", "-at_install")
class TestStopBatch(ChargeDeviceCase):
    """The StopTransactions of a batch are processed together
    (charge_device_bus_stops.py) and end exactly as one by one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pile2 = cls.create_pile("BUS00002")
        cls.pile2.write({"online": True})
        cls.pile2.action_commission()

    def stop_frame(self, message_id, transaction_id, meter_stop, serial="BUS00001", timestamp="2026-11-21T08:30:00Z",
                   id_tag="CARD0001", **extra):
        payload = {"transactionId": transaction_id, "meterStop": meter_stop, "timestamp": timestamp,
                   "reason": "Local", **extra}
        if id_tag:
            payload["idTag"] = id_tag
        return (f"test/{serial}/up", json.dumps([2, message_id, "StopTransaction", payload]))

    def sessions_started(self):
        """Four sessions: two on the bus pile, two on the second pile, the last already stopped."""
        a = self.start(connector=1, timestamp="2026-11-21T08:00:00Z").payload["transactionId"]
        b = self.start(connector=2, timestamp="2026-11-21T08:01:00Z").payload["transactionId"]
        self.meter(b, 4200, connector=2)
        c = self.start(connector=1, timestamp="2026-11-21T08:02:00Z", serial="BUS00002").payload["transactionId"]
        d = self.start(connector=2, timestamp="2026-11-21T08:03:00Z", serial="BUS00002").payload["transactionId"]
        self.stop(d, 3000, serial="BUS00002")
        return a, b, c, d

    def mixed_batch(self, a, b, c, d):
        data = [{"timestamp": "2026-11-21T08:20:00Z", "sampledValue": [
            {"value": "2500", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]
        normal = self.stop_frame("x1", a, 5000, transactionData=data)
        return [
            normal,
            self.stop_frame("x2", b, 2 ** 40),                                # meterStop out of range
            self.stop_frame("x3", 999999, 100),                               # unknown transaction
            self.stop_frame("x4", c, 100),                                    # another pile's transaction
            self.stop_frame("x5", d, 9000, serial="BUS00002"),                # already stopped
            normal,                                                           # delivered twice
            self.stop_frame("x6", c, 1500, serial="BUS00002", timestamp="2026-11-21T07:00:00Z",
                            id_tag="NOBODY"),                                 # before its start, unknown tag
            self.stop_frame("x7", c, 7000, serial="BUS00002", id_tag=None),  # a second stop of it, no tag
        ]

    def outcome(self, transactions, batch, per_frame):
        """Process ``batch`` (together, or one by one when ``per_frame``) in a
        savepoint rolled back after; return the replies and what was written."""
        Bus = type(self.env["charge.device.bus"])
        savepoint = self.env.cr.savepoint()
        try:
            handled = []
            handle_one = Bus._handle_one

            def record(bus, item):
                handled.append(item.frame.action)
                return handle_one(bus, item)

            with patch.object(Bus, "_handle_one", record):
                if per_frame:
                    with patch.object(Bus, "_set_based_stops", lambda bus, items: []):
                        replies = self.env["charge.device.bus"]._process_batch(batch)
                else:
                    replies = self.env["charge.device.bus"]._process_batch(batch)
            self.env.flush_all()
            sessions = self.env["charge.session"].browse(transactions)
            fields = ["state", "stop_date", "meter_stop", "meter_last", "stop_reason", "stop_id_tag", "energy_kwh"]
            written = {
                "sessions": sessions.read(fields),
                "samples": sorted(self.env["charge.meter.value"].search([("session_id", "in", transactions)]).mapped(
                    lambda v: (v.session_id.id, v.energy_wh, str(v.timestamp)))),
                "log": self.env["charge.device.message"].search(
                    [("message_id", "in", ["x1", "x2", "x3", "x4", "x5", "x6", "x7"])], order="id").mapped(
                    lambda m: (m.serial, m.message_id, m.error_code, m.reply)),
            }
            return [(topic, ocpp_frames.decode(text).payload) for topic, text in replies], written, handled
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    def test_a_mixed_batch_of_stops_ends_as_one_by_one(self):
        a, b, c, d = transactions = self.sessions_started()
        batch = self.mixed_batch(*transactions)
        alone = self.outcome(transactions, batch, per_frame=True)
        together = self.outcome(transactions, batch, per_frame=False)
        self.assertEqual(alone[2], ["StopTransaction"] * 7, "one by one, each stop through its handler")
        self.assertEqual(together[2], [], "together, no stop goes through the per-frame handler")
        self.assertEqual(together[0], alone[0])
        self.assertEqual(together[1], alone[1])
        # and what that outcome is
        replies, written, _handled = together
        accepted, invalid = {"idTagInfo": {"status": "Accepted"}}, {"idTagInfo": {"status": "Invalid"}}
        self.assertEqual([payload for _topic, payload in replies],
                         [accepted] * 4 + [invalid, accepted, invalid, {}], "CARD0001 is on the bus pile's list only")
        sessions = {row["id"]: row for row in written["sessions"]}
        self.assertEqual((sessions[a]["state"], sessions[a]["meter_stop"]), ("finished", 5000))
        self.assertEqual((sessions[b]["state"], sessions[b]["meter_stop"], sessions[b]["meter_last"]),
                         ("finished", 4200, 4200), "an out-of-range meterStop keeps the last register")
        self.assertEqual((sessions[c]["state"], sessions[c]["meter_stop"], str(sessions[c]["stop_date"])),
                         ("finished", 1500, "2026-11-21 08:02:00"),
                         "the first stop of the batch closes it, at its start; the second finds it stopped")
        self.assertEqual(sessions[c]["stop_id_tag"], "NOBODY")
        self.assertEqual((sessions[d]["meter_stop"]), 3000, "an already stopped session is left as it was")
        self.assertIn((a, 2500.0, "2026-11-21 08:20:00"), written["samples"])
        self.assertEqual(len(written["log"]), 7, "the frame delivered twice is logged once")

    def test_a_batch_that_fails_together_is_processed_one_by_one(self):
        a, b, c, d = transactions = self.sessions_started()
        batch = self.mixed_batch(*transactions)
        alone = self.outcome(transactions, batch, per_frame=True)
        Bus = type(self.env["charge.device.bus"])
        with patch.object(Bus, "_charge_authorize_stops", side_effect=RuntimeError("boom")), \
                self.assertLogs("odoo.addons.charge_device.models.charge_device_bus_stops", "ERROR"):
            fallen_back = self.outcome(transactions, batch, per_frame=False)
        self.assertEqual(fallen_back[2], ["StopTransaction"] * 7)
        self.assertEqual(fallen_back[:2], alone[:2])

    def test_the_queries_of_a_batch_of_stops_do_not_grow_with_its_size(self):
        piles = self.pile | self.pile2
        for number in range(3, 7):
            pile = self.create_pile(f"BUS0000{number}")
            pile.action_commission()
            piles |= pile
        transactions = []
        for pile in piles:
            for connector in (1, 2):
                self.env["charge.pile.id.tag"].create({"pile_id": pile.id, "tag": f"TAG{pile.serial}{connector}"})
                reply = self.start(connector=connector, id_tag=f"TAG{pile.serial}{connector}", serial=pile.serial)
                transactions.append((pile.serial, connector, reply.payload["transactionId"]))

        def queries(some):
            batch = [self.stop_frame(f"q{serial}{connector}", transaction, 5000, serial=serial,
                                     id_tag=f"TAG{serial}{connector}") for serial, connector, transaction in some]
            self.env.flush_all()
            self.env.invalidate_all()
            savepoint = self.env.cr.savepoint()
            try:
                before = self.env.cr.sql_log_count
                replies = self.env["charge.device.bus"]._process_batch(batch)
                self.env.flush_all()
                count = self.env.cr.sql_log_count - before
                self.assertEqual([ocpp_frames.decode(text).payload["idTagInfo"]["status"] for _t, text in replies],
                                 ["Accepted"] * len(some))
                self.assertEqual(set(self.env["charge.session"].browse([t for _s, _c, t in some]).mapped("state")),
                                 {"finished"})
                return count
            finally:
                savepoint.close(rollback=True)
                self.env.invalidate_all()

        two, twelve = queries(transactions[:2]), queries(transactions)
        self.assertLess(twelve - two, 10, f"2 stops cost {two} queries, 12 stops {twelve}: at most 1 per stop more")
