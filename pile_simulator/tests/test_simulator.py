"""Unit tests of the pile simulator (pure Python, no broker, no database, no
Odoo; run by pytest: ``pytest pile_simulator``).

The pile runs on a ManualLoop (time moves only when the test says so) and a
MemoryTransport whose peer is a fake platform; payloads are checked with
jsonschema against the OCPP 1.6 schemas of the ``ocpp`` package.
"""
import importlib.util
import json
import os
import random
from decimal import Decimal

import jsonschema

from unittest import TestCase

from pile_simulator import (
    AuthorizationRejected, CallFailed, CallTimeout, ConstantCurve, DcCurve, Electrical, ManualLoop,
    MemoryTransport, Scenario, SchemaValidator, Session, Vehicle, VirtualPile, curve_for, frames,
)
from pile_simulator.configuration import Configuration, default_keys
from pile_simulator.curves import random_vehicle

SCHEMA_DIR = os.path.join(
    os.path.dirname(importlib.util.find_spec("ocpp").origin), "v16", "schemas")
START = 1_790_000_000.0  # 2026-09-21T...Z
SERIAL = "SIM0001"


def schema_errors(action, payload, response=False):
    """Messages of the schema errors of ``payload`` (empty when valid)."""
    path = os.path.join(SCHEMA_DIR, f"{action}{'Response' if response else ''}.json")
    with open(path, encoding="utf-8-sig") as file:
        schema = json.load(file, parse_float=Decimal)
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    return [error.message for error in validator.iter_errors(payload)]


def started(transaction_id, status="Accepted"):
    """A StartTransaction reply."""
    return {"transactionId": transaction_id, "idTagInfo": {"status": status}}


class FakePlatform:
    """Answers a pile's CALLs as the platform would. Actions in ``hold`` are
    not answered (their frames go to ``held``); ``replies`` overrides the
    payload per action."""

    def __init__(self):
        self.next_transaction = 1000
        self.hold = set()
        self.held = []
        self.replies = {}
        self.calls = []

    def __call__(self, text):
        try:
            frame = frames.parse(text)
        except frames.FrameError:
            return None
        if not isinstance(frame, frames.Call):
            return None
        self.calls.append(frame)
        if frame.action in self.hold:
            self.held.append(frame)
            return None
        return self.answer(frame)

    def answer(self, frame, payload=None):
        return frames.call_result(frame.message_id, payload if payload is not None else self.reply(frame))

    def reply(self, frame):
        if frame.action in self.replies:
            return self.replies[frame.action]
        now = frames.format_time(START)
        if frame.action == "BootNotification":
            return {"status": "Accepted", "currentTime": now, "interval": 300}
        if frame.action == "Heartbeat":
            return {"currentTime": now}
        if frame.action in ("Authorize", "StopTransaction"):
            return {"idTagInfo": {"status": "Accepted"}}
        if frame.action == "StartTransaction":
            self.next_transaction += 1
            return {"transactionId": self.next_transaction, "idTagInfo": {"status": "Accepted"}}
        if frame.action == "DataTransfer":
            return {"status": "Accepted"}
        return {}


class SimulatorCase(TestCase):

    def make_pile(self, platform=None, connectors=2, **options):
        self.platform = platform or FakePlatform()
        self.loop = ManualLoop()
        self.transport = MemoryTransport(self.loop, peer=self.platform, up_topic=f"charge/{SERIAL}/up")
        settings = dict(connectors=connectors, loop=self.loop, transport=self.transport, strict=True,
                        seed=7, start_time=START, max_power_kw=60)
        settings.update(options)
        self.pile = VirtualPile(SERIAL, "secret", **settings)
        self.answered = {}  # messageId of a platform command -> its action
        return self.pile

    def boot(self, **options):
        pile = self.make_pile(**options)
        pile.start()
        self.loop.run_until_idle()
        self.assertTrue(pile.booted)
        return pile

    def actions(self):
        return [call.action for call in self.transport.calls()]

    def statuses(self, connector=None):
        return [(call.payload["connectorId"], call.payload["status"])
                for call in self.transport.calls("StatusNotification")
                if connector is None or call.payload["connectorId"] == connector]

    def command(self, action, payload, message_id=None):
        """Deliver a platform CALL; returns the pile's reply frame."""
        message_id = message_id or frames.new_message_id()
        self.transport.deliver(frames.call(message_id, action, payload))
        self.loop.run_until_idle()
        replies = [frame for frame in self.transport.replies() if frame.message_id == message_id]
        self.assertTrue(replies, f"no reply to {action}")
        self.answered[message_id] = action
        return replies[-1]

    def charge(self, connector=1, id_tag="CARD0001", vehicle=None):
        future = self.pile.start_charging(connector, id_tag, vehicle=vehicle)
        self.loop.run_until_idle()
        return future

    def send_local_list(self, version, entries, update_type="Full"):
        """SendLocalList of ``entries`` (id tag -> idTagInfo, or None for none); the reply status."""
        items = [{"idTag": id_tag} if info is None else {"idTag": id_tag, "idTagInfo": info}
                 for id_tag, info in entries.items()]
        payload = {"listVersion": version, "updateType": update_type, "localAuthorizationList": items}
        return self.command("SendLocalList", payload).payload["status"]


class TestPowerCurves(TestCase):

    def test_dc_ramp_hold_taper(self):
        curve = DcCurve(120_000)
        self.assertEqual(curve.power_w(0, 20), 0)
        self.assertAlmostEqual(curve.power_w(15, 20), 60_000)
        self.assertAlmostEqual(curve.power_w(30, 20), 120_000)
        self.assertAlmostEqual(curve.power_w(600, 80), 120_000)
        self.assertAlmostEqual(curve.power_w(600, 90), 120_000 * 0.55)
        self.assertAlmostEqual(curve.power_w(600, 100), 12_000)
        powers = [curve.power_w(600, soc) for soc in range(80, 101)]
        self.assertEqual(powers, sorted(powers, reverse=True))

    def test_ac_and_ebike_are_constant(self):
        ac = curve_for("car", False, 22_000)
        self.assertIsInstance(ac, ConstantCurve)
        self.assertEqual(ac.power_w(0, 10), 7000)
        self.assertEqual(ac.power_w(3600, 99), 7000)
        self.assertEqual(curve_for("car", False, 3500).power_w(5, 50), 3500)
        ebike = curve_for("ebike", False, 300)
        self.assertEqual(ebike.power_w(0, 5), 300)
        self.assertIsInstance(curve_for("car", True, 60_000), DcCurve)

    def test_session_energy_soc_and_meter(self):
        vehicle = Vehicle(capacity_wh=50_000, soc=20, target_soc=90, max_power_w=200_000)
        session = Session(1, "TAG", 1_000_000, START, vehicle, DcCurve(60_000), Electrical("car", True, 60_000))
        meters, socs = [], []
        for minute in range(1, 121):
            session.advance_to(START + minute * 60, 60_000)
            meters.append(session.meter_wh)
            socs.append(session.vehicle.soc)
        self.assertEqual(meters, sorted(meters), "the register never goes back")
        self.assertEqual(socs, sorted(socs))
        self.assertAlmostEqual(vehicle.soc, 90, places=6)
        self.assertTrue(session.full)
        # 70 % of 50 kWh, to the Wh
        self.assertAlmostEqual(session.energy_wh, 35_000, delta=1)
        self.assertEqual(session.meter_wh, 1_035_000)
        self.assertEqual(session.power_w, 0)
        # the first minute: 30 s ramp (15 s at full power on average) then 30 s at 60 kW
        first = Session(1, "TAG", 0, START, Vehicle(50_000, 20, 90, 200_000), DcCurve(60_000),
                        Electrical("car", True, 60_000))
        first.advance_to(START + 60, 60_000)
        self.assertAlmostEqual(first.energy_wh, 60_000 * 45 / 3600, delta=60_000 * 5 / 3600)

    def test_session_respects_cap_and_vehicle_limit(self):
        session = Session(1, "TAG", 0, START, Vehicle(80_000, 10, 80, 50_000), DcCurve(120_000),
                          Electrical("car", True, 120_000))
        session.advance_to(START + 600, 120_000)
        self.assertAlmostEqual(session.power_w, 50_000)
        session.advance_to(START + 1200, 30_000)
        self.assertAlmostEqual(session.power_w, 30_000)

    def test_sample_values(self):
        session = Session(2, "TAG", 5000, START, Vehicle(600, 50, 100, 300), ConstantCurve(300),
                          Electrical("ebike", False, 300))
        session.advance_to(START + 600, 300)
        sample = session.sample(frames.format_time(START + 600))
        values = {item["measurand"]: item for item in sample["sampledValue"]}
        self.assertEqual(values["Energy.Active.Import.Register"]["value"], "5050")
        self.assertEqual(values["Energy.Active.Import.Register"]["unit"], "Wh")
        self.assertEqual(values["Power.Active.Import"]["value"], "300")
        self.assertEqual(values["Voltage"]["value"], "220.0")
        self.assertEqual(values["Current.Import"]["value"], "1.4")
        self.assertEqual(values["SoC"]["unit"], "Percent")
        self.assertEqual(values["Temperature"]["unit"], "Celsius")

    def test_random_vehicles_are_plausible(self):
        rng = random.Random(3)
        for _ in range(50):
            bike = random_vehicle("ebike", False, rng)
            self.assertLess(bike.max_power_w, 500)
            self.assertLess(bike.soc, bike.target_soc)
            car = random_vehicle("car", True, rng)
            self.assertGreater(car.capacity_wh, 30_000)
            self.assertLess(car.soc, car.target_soc)


class TestFrames(TestCase):

    def test_round_trip(self):
        text = frames.call("id-1", "Heartbeat", {})
        self.assertEqual(text, '[2,"id-1","Heartbeat",{}]')
        self.assertEqual(frames.parse(text), frames.Call("id-1", "Heartbeat", {}))
        self.assertEqual(frames.parse(frames.call_result("id-1", {"a": 1})), frames.CallResult("id-1", {"a": 1}))
        error = frames.parse(frames.call_error("id-1", "NotImplemented", "nope"))
        self.assertEqual((error.code, error.description, error.details), ("NotImplemented", "nope", {}))
        self.assertLessEqual(len(frames.new_message_id()), 36)

    def test_bad_frames(self):
        for text, message_id in (("not json", "-1"), ("{}", "-1"), ('[2,"x"]', "-1"),
                                 ('[9,"x",{}]', "x"), ('[2,"x","Heartbeat",[]]', "x"),
                                 ('[2,"' + "y" * 40 + '","Heartbeat",{}]', "y" * 36), (b"\xff", "-1")):
            with self.assertRaises(frames.FrameError, msg=text) as caught:
                frames.parse(text)
            self.assertEqual(caught.exception.message_id, message_id)

    def test_times(self):
        self.assertEqual(frames.format_time(0), "1970-01-01T00:00:00.000Z")
        self.assertEqual(frames.parse_time("2026-11-21T08:00:00Z"),
                         frames.parse_time("2026-11-21T16:00:00+08:00"))
        self.assertEqual(frames.parse_time(frames.format_time(START)), START)
        with self.assertRaises(ValueError):
            frames.parse_time("yesterday")

    def test_validator_refuses_bad_payloads(self):
        validator = SchemaValidator(SCHEMA_DIR)
        self.assertTrue(validator.available)
        validator.check("Heartbeat", {})
        cases = (
            ("StatusNotification", {"connectorId": 1, "status": "Available"}, "OccurenceConstraintViolation"),
            ("StatusNotification", {"connectorId": "1", "errorCode": "NoError", "status": "Available"},
             "TypeConstraintViolation"),
            ("StatusNotification", {"connectorId": 1, "errorCode": "Oops", "status": "Available"},
             "PropertyConstraintViolation"),
            ("Authorize", {"idTag": "X" * 21}, "PropertyConstraintViolation"),
            ("Heartbeat", {"extra": 1}, "FormationViolation"),
        )
        for action, payload, code in cases:
            with self.assertRaises(Exception, msg=action) as caught:
                validator.check(action, payload)
            self.assertEqual(caught.exception.code, code, payload)
        self.assertFalse(validator.is_valid("BootNotification", {"status": "Accepted"}, response=True))


class TestPileFrames(SimulatorCase):

    def test_boot_sequence(self):
        pile = self.boot(connectors=2)
        boot = self.transport.calls("BootNotification")[0].payload
        self.assertEqual(boot["chargePointVendor"], "ChargeOpsSim")
        self.assertTrue(boot["chargePointModel"] and boot["firmwareVersion"] and boot["iccid"])
        self.assertEqual(self.actions()[:4], ["BootNotification"] + ["StatusNotification"] * 3)
        self.assertEqual(self.statuses(), [(0, "Available"), (1, "Available"), (2, "Available")])
        # heartbeats at the interval from the reply
        self.loop.advance(300)
        self.assertEqual(self.actions().count("Heartbeat"), 1)
        self.loop.advance(300)
        self.assertEqual(self.actions().count("Heartbeat"), 2)
        self.assertEqual(pile.config.get("HeartbeatInterval"), "300")

    def test_boot_pending_then_accepted(self):
        platform = FakePlatform()
        platform.replies["BootNotification"] = {"status": "Pending", "currentTime": frames.format_time(START),
                                                "interval": 20}
        pile = self.make_pile(platform)
        pile.start()
        self.loop.run_until_idle()
        self.assertFalse(pile.booted)
        self.assertEqual(self.send_local_list(1, {"CARD0001": {"status": "Accepted"}}), "Accepted")
        self.charge()  # offline authorization: the StartTransaction waits for the boot
        self.loop.advance(10)
        self.assertEqual(self.actions(), ["BootNotification"])
        del platform.replies["BootNotification"]
        self.loop.advance(20)
        self.assertTrue(pile.booted)
        self.assertEqual(self.actions()[:3], ["BootNotification", "BootNotification", "StartTransaction"])

    def test_every_frame_matches_the_schemas(self):
        """Run through most of what a pile sends and answers; validate it all."""
        pile = self.boot(connectors=2, meter_interval=30)
        self.charge(1, "CARD0001")
        self.loop.advance(120)
        self.command("TriggerMessage", {"requestedMessage": "MeterValues", "connectorId": 1})
        self.command("TriggerMessage", {"requestedMessage": "MeterValues", "connectorId": 2})
        self.command("TriggerMessage", {"requestedMessage": "StatusNotification"})
        self.command("TriggerMessage", {"requestedMessage": "Heartbeat"})
        self.command("TriggerMessage", {"requestedMessage": "BootNotification"})
        self.command("TriggerMessage", {"requestedMessage": "FirmwareStatusNotification"})
        self.command("TriggerMessage", {"requestedMessage": "DiagnosticsStatusNotification"})
        self.command("RemoteStartTransaction", {"idTag": "APP0001", "connectorId": 2})
        self.loop.advance(60)
        transaction = pile.snapshot()["connectors"][2]["transaction_id"]
        self.command("RemoteStopTransaction", {"transactionId": transaction})
        self.command("GetConfiguration", {})
        self.command("GetConfiguration", {"key": ["HeartbeatInterval", "Nope"]})
        self.command("ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "15"})
        self.command("ChangeAvailability", {"connectorId": 2, "type": "Inoperative"})
        self.command("UnlockConnector", {"connectorId": 1})
        self.command("DataTransfer", {"vendorId": "charge_ops", "messageId": "SetHotline",
                                      "data": json.dumps({"hotline": "400-800-6688"})})
        pile.inject_fault(2, "HighTemperature", "0005", info="cabinet 71C")
        pile.clear_fault(2)
        self.loop.advance(30)  # connector 1 is Finishing after the unlock
        self.charge(1, "CARD0002")
        self.loop.advance(60)
        pile.stop_charging(1, "Local")
        self.command("Reset", {"type": "Hard"})
        self.loop.advance(60)
        expiry = frames.format_time(pile.sim_now() + 900)
        self.command("ReserveNow", {"connectorId": 1, "expiryDate": expiry, "idTag": "APP0002",
                                    "reservationId": 5})
        self.charge(1, "APP0002")  # StartTransaction with reservationId
        self.command("ReserveNow", {"connectorId": 2, "expiryDate": expiry, "idTag": "APP0003",
                                    "reservationId": 6, "parentIdTag": "GROUP01"})  # Unavailable
        self.command("CancelReservation", {"reservationId": 6})
        self.send_local_list(3, {"CARD0001": {"status": "Accepted", "expiryDate": expiry,
                                              "parentIdTag": "FLEET01"}, "CARD0009": {"status": "Blocked"}})
        self.send_local_list(4, {"CARD0009": None}, update_type="Differential")
        self.command("GetLocalListVersion", {})
        pile.send_call("DataTransfer", {"vendorId": "charge_ops", "messageId": "Hello", "data": "{}"}, check=True)
        self.loop.run_until_idle()

        sent = self.transport.frames()
        calls = [frame for frame in sent if isinstance(frame, frames.Call)]
        self.assertGreater(len(calls), 40)
        seen = set()
        for call in calls:
            seen.add(call.action)
            self.assertEqual(schema_errors(call.action, call.payload), [], (call.action, call.payload))
        self.assertLessEqual({"BootNotification", "StatusNotification", "Authorize", "StartTransaction",
                              "MeterValues", "StopTransaction", "Heartbeat", "DataTransfer",
                              "FirmwareStatusNotification", "DiagnosticsStatusNotification"}, seen)
        delivered = {}
        for text in self.transport.sent:
            frame = frames.parse(text)
            if isinstance(frame, frames.CallResult):
                delivered[frame.message_id] = frame.payload
        self.assertGreaterEqual(len(delivered), 15)
        for message_id, action in self.answered.items():
            if message_id not in delivered:
                continue  # answered with a CALLERROR
            self.assertEqual(schema_errors(action, delivered[message_id], response=True), [], action)
        self.assertIn(5, [call.payload.get("reservationId") for call in self.transport.calls("StartTransaction")])
        # the stop reasons used
        reasons = {call.payload["reason"] for call in self.transport.calls("StopTransaction")}
        self.assertLessEqual({"Remote", "UnlockCommand", "Local"}, reasons)

    def test_meter_values_content(self):
        pile = self.boot(connectors=1, meter_interval=60)
        future = self.charge(1, "CARD0001", Vehicle(60_000, 30, 80, 100_000))
        self.assertEqual(future.result(0), 1001)
        self.loop.advance(600)
        samples = self.transport.calls("MeterValues")
        self.assertEqual(len(samples), 10)
        energies = [int(next(v["value"] for v in s.payload["meterValue"][0]["sampledValue"]
                             if v["measurand"] == "Energy.Active.Import.Register")) for s in samples]
        self.assertEqual(energies, sorted(energies))
        self.assertTrue(all(s.payload["transactionId"] == 1001 for s in samples))
        start = self.transport.calls("StartTransaction")[0].payload
        self.assertLess(start["meterStart"], energies[0])
        # speed 1: ten minutes at up to 60 kW
        self.assertAlmostEqual(energies[-1] - start["meterStart"], 60_000 * (600 - 15) / 3600, delta=100)
        measurands = {v["measurand"] for v in samples[-1].payload["meterValue"][0]["sampledValue"]}
        self.assertEqual(measurands, {"Energy.Active.Import.Register", "Power.Active.Import", "Current.Import",
                                      "Voltage", "SoC", "Temperature"})
        self.command("ChangeConfiguration", {"key": "MeterValuesSampledData",
                                             "value": "Energy.Active.Import.Register,SoC"})
        self.loop.advance(60)
        last = self.transport.calls("MeterValues")[-1].payload
        measurands = {v["measurand"] for v in last["meterValue"][0]["sampledValue"]}
        self.assertEqual(measurands, {"Energy.Active.Import.Register", "SoC"})
        pile.stop_charging(1)
        self.loop.run_until_idle()
        stop = self.transport.calls("StopTransaction")[0].payload
        self.assertEqual(stop["transactionId"], 1001)
        self.assertEqual(stop["reason"], "Local")
        self.assertEqual(stop["idTag"], "CARD0001")
        self.assertGreaterEqual(stop["meterStop"], energies[-1])
        self.assertEqual(stop["transactionData"][0]["sampledValue"][0]["context"], "Transaction.End")
        self.assertEqual(self.statuses(1)[-2:], [(1, "Charging"), (1, "Finishing")])
        self.loop.advance(30)
        self.assertEqual(self.statuses(1)[-1], (1, "Available"))

    def test_accelerated_session_ends_full(self):
        pile = self.boot(connectors=1, speed=60, meter_interval=60)
        self.charge(1, "CARD0001", Vehicle(40_000, 50, 80, 150_000))
        self.loop.advance(60)  # an hour of charging in a minute
        self.assertEqual(self.transport.calls("StopTransaction")[0].payload["reason"], "EVDisconnected")
        stop = self.transport.calls("StopTransaction")[0].payload
        start = self.transport.calls("StartTransaction")[0].payload
        self.assertAlmostEqual(stop["meterStop"] - start["meterStart"], 12_000, delta=1)
        # simulated time ran 60 times faster than the loop
        elapsed = frames.parse_time(stop["timestamp"]) - frames.parse_time(start["timestamp"])
        self.assertGreater(elapsed, 12 * 60)  # 12 kWh at 60 kW, plus the ramp and the unplug
        self.assertLess(elapsed, 20 * 60)
        self.assertIn((1, "SuspendedEV"), self.statuses(1))
        self.assertEqual(self.statuses(1)[-1], (1, "Available"))
        self.assertEqual(pile.stats.snapshot()["transactions"][0]["reason"], "EVDisconnected")


class TestCallDelivery(SimulatorCase):

    def test_unanswered_call_is_retried_with_the_same_message_id(self):
        platform = FakePlatform()
        pile = self.boot(platform=platform, call_timeout=10, call_attempts=3)
        platform.hold.add("DataTransfer")
        future = pile.send_call("DataTransfer", {"vendorId": "charge_ops", "messageId": "Ping"})
        self.loop.run_until_idle()
        self.loop.advance(10)
        self.loop.advance(10)
        sent = [text for text in self.transport.sent if '"DataTransfer"' in text]
        self.assertEqual(len(sent), 3)
        self.assertEqual(len(set(sent)), 1, "a retry is the same frame, same messageId")
        self.loop.advance(10)
        self.assertIsInstance(future.exception(0), CallTimeout)
        self.assertEqual(len([t for t in self.transport.sent if '"DataTransfer"' in t]), 3)
        self.assertEqual(pile.stats.snapshot()["retries"], {"DataTransfer": 2})
        # the next call has a new id
        platform.hold.clear()
        again = pile.send_call("DataTransfer", {"vendorId": "charge_ops", "messageId": "Ping"})
        self.loop.run_until_idle()
        self.assertEqual(again.result(0), {"status": "Accepted"})
        self.assertNotEqual(frames.parse(self.transport.sent[-1]).message_id, platform.held[0].message_id)

    def test_late_answer_and_duplicate_answers(self):
        platform = FakePlatform()
        pile = self.boot(platform=platform)
        platform.hold.add("Heartbeat")
        future = pile.send_call("Heartbeat", {})
        self.loop.run_until_idle()
        self.loop.advance(10)  # retried once
        held = platform.held[0]
        self.transport.deliver(platform.answer(held))
        self.transport.deliver(platform.answer(held))  # the answer to the retry
        self.loop.run_until_idle()
        self.assertEqual(future.result(0), {"currentTime": frames.format_time(START)})
        stats = pile.stats.snapshot()
        self.assertEqual(len(stats["unmatched"]), 1)
        self.assertEqual(stats["unmatched"][0]["message_id"], held.message_id)
        self.assertEqual(pile.stats.reply_to(held.message_id)[0], "Heartbeat")

    def test_one_call_in_flight(self):
        platform = FakePlatform()
        self.boot(platform=platform)
        platform.hold.add("Authorize")
        self.charge(1, "CARD0001")
        self.charge(2, "CARD0002")
        # Preparing of 1, then its Authorize is in flight: nothing else leaves
        self.assertEqual(self.actions()[4:], ["StatusNotification", "Authorize"])
        self.transport.deliver(platform.answer(platform.held[0], {"idTagInfo": {"status": "Accepted"}}))
        self.loop.run_until_idle()
        self.assertEqual(self.actions()[4:],
                         ["StatusNotification", "Authorize", "StatusNotification", "Authorize"])
        self.assertEqual(self.statuses()[-1], (2, "Preparing"))

    def test_transaction_calls_are_queued_offline_in_order(self):
        platform = FakePlatform()
        pile = self.boot(platform=platform, connectors=1, meter_interval=60)
        self.send_local_list(1, {"CARD0001": {"status": "Accepted"}})
        self.transport.link_down()
        future = self.charge(1, "CARD0001")   # offline: authorised by the local list
        self.loop.advance(180)                 # three samples
        pile.stop_charging(1, "Local")
        self.loop.advance(60)
        self.assertEqual(self.actions().count("StartTransaction"), 0)
        self.assertFalse(future.done())
        platform.hold.add("StartTransaction")
        self.transport.link_up()
        self.loop.run_until_idle()
        # only the StartTransaction leaves: the rest waits for its transactionId
        self.assertEqual(self.actions()[-1], "StartTransaction")
        self.assertEqual(self.actions().count("MeterValues"), 0)
        start = platform.held[0]
        self.transport.deliver(platform.answer(start, started(4242)))
        self.loop.run_until_idle()
        self.assertEqual(future.result(0), 4242)
        after = [call for call in self.transport.calls() if call.action in frames.TRANSACTION_ACTIONS]
        self.assertEqual([c.action for c in after],
                         ["StartTransaction", "MeterValues", "MeterValues", "MeterValues", "StopTransaction"])
        self.assertTrue(all(c.payload["transactionId"] == 4242 for c in after[1:]))
        stamps = [frames.parse_time(c.payload["meterValue"][0]["timestamp"]) for c in after[1:4]]
        self.assertEqual(stamps, sorted(stamps))
        # the statuses that changed while offline are reported once back
        self.assertEqual(self.statuses(1)[-1], (1, "Available"))

    def test_stop_before_start_answer_waits_for_the_transaction_id(self):
        platform = FakePlatform()
        pile = self.boot(platform=platform, connectors=1)
        platform.hold.add("StartTransaction")
        self.charge(1, "CARD0001")
        pile.stop_charging(1, "Local")
        self.loop.advance(5)
        self.assertEqual(self.actions().count("StopTransaction"), 0)
        self.transport.deliver(platform.answer(platform.held[0], started(77)))
        self.loop.run_until_idle()
        stop = self.transport.calls("StopTransaction")
        self.assertEqual(len(stop), 1)
        self.assertEqual(stop[0].payload["transactionId"], 77)

    def test_in_flight_transaction_call_resent_with_same_id_after_reconnect(self):
        platform = FakePlatform()
        self.boot(platform=platform, connectors=1)
        platform.hold.add("StartTransaction")
        self.charge(1, "CARD0001")
        first = [t for t in self.transport.sent if '"StartTransaction"' in t]
        self.transport.link_down()
        self.loop.advance(30)
        self.transport.link_up()
        self.loop.run_until_idle()
        again = [t for t in self.transport.sent if '"StartTransaction"' in t]
        self.assertEqual(len(again), 2)
        self.assertEqual(again[0], again[1])
        self.assertEqual(first[0], again[0])

    def test_non_transaction_calls_are_dropped_offline(self):
        platform = FakePlatform()
        pile = self.boot(platform=platform)
        platform.hold.add("Heartbeat")
        future = pile.send_call("Heartbeat", {})
        self.loop.run_until_idle()
        self.transport.link_down()
        self.assertEqual(future.exception(0).code, "Dropped")
        self.transport.link_up()
        self.loop.run_until_idle()
        self.assertEqual(self.actions().count("Heartbeat"), 1)

    def test_internal_error_on_transaction_call_is_retried_with_a_new_id(self):
        platform = FakePlatform()
        pile = self.boot(platform=platform, connectors=1)
        platform.hold.add("StartTransaction")
        self.charge(1, "CARD0001")
        first = platform.held[0]
        self.transport.deliver(frames.call_error(first.message_id, "InternalError", "database busy"))
        self.loop.run_until_idle()
        self.assertEqual(len(platform.held), 1)
        self.loop.advance(10)  # TransactionMessageRetryInterval
        self.assertEqual(len(platform.held), 2)
        second = platform.held[1]
        self.assertNotEqual(first.message_id, second.message_id)
        self.assertEqual(first.payload, second.payload)
        self.assertEqual(pile.stats.snapshot()["call_errors"][0]["code"], "InternalError")

    def test_call_error_fails_the_future(self):
        platform = FakePlatform()
        pile = self.boot(platform=platform)
        platform.hold.add("DataTransfer")
        future = pile.send_call("DataTransfer", {"vendorId": "x"})
        self.loop.run_until_idle()
        self.transport.deliver(frames.call_error(platform.held[0].message_id, "FormationViolation", "bad"))
        self.loop.run_until_idle()
        self.assertIsInstance(future.exception(0), CallFailed)
        self.assertEqual(future.exception(0).code, "FormationViolation")

    def test_invalid_reply_is_reported(self):
        platform = FakePlatform()
        platform.replies["StartTransaction"] = {"transactionId": "abc"}
        pile = self.boot(platform=platform, connectors=1)
        future = self.charge(1, "CARD0001")
        self.assertIsInstance(future.exception(0), CallFailed)
        invalid = pile.stats.snapshot()["invalid_results"]
        self.assertEqual(invalid[0]["action"], "StartTransaction")


class TestCharging(SimulatorCase):

    def test_card_swipe(self):
        pile = self.boot(connectors=2)
        future = self.charge(2, "CARD0001")
        self.assertEqual(future.result(0), 1001)
        self.assertEqual(self.actions()[4:], ["StatusNotification", "Authorize", "StartTransaction",
                                              "StatusNotification"])
        self.assertEqual(self.statuses(2), [(2, "Available"), (2, "Preparing"), (2, "Charging")])
        self.assertEqual(pile.stats.transaction_ids, [1001])
        with self.assertRaises(Exception):
            pile.start_charging(2, "CARD0002").result(0)  # busy
        with self.assertRaises(ValueError):
            pile.start_charging(1, "X" * 21)

    def test_rejected_card(self):
        platform = FakePlatform()
        platform.replies["Authorize"] = {"idTagInfo": {"status": "Blocked"}}
        pile = self.boot(platform=platform, connectors=1)
        future = self.charge(1, "BLOCKED1")
        self.assertIsInstance(future.exception(0), AuthorizationRejected)
        self.assertEqual(future.exception(0).status, "Blocked")
        self.assertNotIn("StartTransaction", self.actions())
        self.assertEqual(self.statuses(1)[-1], (1, "Available"))
        self.assertEqual(pile.stats.snapshot()["counters"]["session_failed"], 1)

    def test_invalid_id_tag_in_start_reply_deauthorizes(self):
        platform = FakePlatform()
        platform.replies["StartTransaction"] = {"transactionId": 5, "idTagInfo": {"status": "Invalid"}}
        self.boot(platform=platform, connectors=1)
        self.charge(1, "CARD0001")
        self.assertEqual(self.transport.calls("StopTransaction")[0].payload["reason"], "DeAuthorized")

    def test_remote_start_and_stop(self):
        pile = self.boot(connectors=2)
        reply = self.command("RemoteStartTransaction", {"idTag": "APP0001"})
        self.assertEqual(reply.payload, {"status": "Accepted"})
        # reply first, then Preparing, StartTransaction (no Authorize by default), Charging
        texts = self.transport.sent
        reply_index = next(i for i, t in enumerate(texts) if frames.parse(t).message_id == reply.message_id)
        after = [frames.parse(t) for t in texts[reply_index + 1:]]
        self.assertEqual([(f.action, f.payload.get("status")) for f in after],
                         [("StatusNotification", "Preparing"), ("StartTransaction", None),
                          ("StatusNotification", "Charging")])
        self.assertEqual(after[1].payload["connectorId"], 1)
        transaction = pile.snapshot()["connectors"][1]["transaction_id"]
        self.assertEqual(self.command("RemoteStopTransaction", {"transactionId": 999}).payload,
                         {"status": "Rejected"})
        self.assertEqual(self.command("RemoteStopTransaction", {"transactionId": transaction}).payload,
                         {"status": "Accepted"})
        stop = self.transport.calls("StopTransaction")[0].payload
        self.assertEqual((stop["transactionId"], stop["reason"]), (transaction, "Remote"))
        self.assertNotIn("idTag", stop)
        # connector 2 busy too -> a remote start on a busy connector is rejected
        self.command("RemoteStartTransaction", {"idTag": "APP0002", "connectorId": 2})
        self.assertEqual(self.command("RemoteStartTransaction", {"idTag": "APP0003", "connectorId": 2}).payload,
                         {"status": "Rejected"})
        self.assertEqual(self.command("RemoteStartTransaction", {"idTag": "APP0003", "connectorId": 9}).payload,
                         {"status": "Rejected"})

    def test_remote_start_with_authorize_remote_tx_requests(self):
        self.boot(connectors=1)
        self.command("ChangeConfiguration", {"key": "AuthorizeRemoteTxRequests", "value": "true"})
        self.command("RemoteStartTransaction", {"idTag": "APP0001", "connectorId": 1})
        self.assertEqual(self.actions()[-3:], ["Authorize", "StartTransaction", "StatusNotification"])

    def test_power_shared_between_connectors(self):
        pile = self.boot(connectors=2, max_power_kw=60)
        self.charge(1, "CARD0001", Vehicle(80_000, 10, 90, 200_000))
        self.charge(2, "CARD0002", Vehicle(80_000, 10, 90, 200_000))
        self.loop.advance(120)
        powers = [c.get("power_w") for c in pile.snapshot()["connectors"][1:]]
        self.assertEqual(powers, [30_000, 30_000])

    def end_frames(self, connector, transaction):
        """The statuses of ``connector`` and the StopTransaction of ``transaction``
        after it last reported Charging, in the order sent: (action, status)."""
        calls = [call for call in self.transport.calls()
                 if call.action == "StatusNotification" and call.payload["connectorId"] == connector
                 or call.action == "StopTransaction" and call.payload["transactionId"] == transaction]
        last_charging = max(i for i, call in enumerate(calls) if call.payload.get("status") == "Charging")
        return [(call.action, call.payload.get("status")) for call in calls[last_charging + 1:]]

    def test_end_frames_in_the_order_asked(self):
        stop, finishing, available = (("StopTransaction", None), ("StatusNotification", "Finishing"),
                                      ("StatusNotification", "Available"))
        cases = [
            (None, [stop, finishing]),  # the default: what most piles do
            ("finishing_stop", [finishing, stop]),
            ("stop_available", [stop, available]),  # unplugged at once
        ]
        for end_frames, expected in cases:
            with self.subTest(end_frames):
                options = {"end_frames": end_frames} if end_frames else {}
                pile = self.boot(connectors=1, finishing_seconds=120, **options)
                transaction = self.charge(1, "CARD0001").result(0)
                self.loop.advance(60)
                stopped = pile.stop_charging(1, "Local")
                self.loop.run_until_idle()
                stopped.result(0)
                self.assertEqual(self.end_frames(1, transaction), expected)
                self.loop.advance(120)  # the driver unplugs after finishing_seconds
                self.assertEqual(self.end_frames(1, transaction),
                                 expected if available in expected else expected + [available])
        # per stop, over the pile's own order; a cable pulled out never gives Finishing
        pile = self.boot(connectors=2, end_frames="finishing_stop")
        first = self.charge(1, "CARD0001").result(0)
        second = self.charge(2, "CARD0002").result(0)
        self.loop.advance(60)
        pile.stop_charging(1, "Local", end_frames="stop_finishing")
        pile.stop_charging(2, "EVDisconnected")
        self.loop.run_until_idle()
        self.assertEqual(self.end_frames(1, first), [stop, finishing])
        self.assertEqual(self.end_frames(2, second), [stop, available])
        with self.assertRaises(ValueError):
            self.make_pile(end_frames="whatever")
        with self.assertRaises(ValueError):
            pile.stop_charging(1, "Local", end_frames="whatever")


class TestCommands(SimulatorCase):

    def test_unknown_and_unsupported_actions(self):
        self.boot()
        reply = self.command("MakeCoffee", {})
        self.assertIsInstance(reply, frames.CallError)
        self.assertEqual(reply.code, "NotImplemented")
        self.assertEqual(self.command("ClearCache", {}).code, "NotSupported")

    def test_invalid_command_payload_gets_call_error(self):
        self.boot()
        self.assertEqual(self.command("RemoteStartTransaction", {"connectorId": 1}).code,
                         "OccurenceConstraintViolation")
        self.assertEqual(self.command("Reset", {"type": "Warm"}).code, "PropertyConstraintViolation")
        self.assertEqual(self.command("UnlockConnector", {"connectorId": "1"}).code, "TypeConstraintViolation")
        self.assertTrue(self.pile.booted, "the pile did not reset")

    def test_malformed_down_frames(self):
        pile = self.boot()
        self.transport.deliver("garbage")
        self.transport.deliver('[2,"abc","Reset"]')
        self.loop.run_until_idle()
        snapshot = pile.stats.snapshot()
        self.assertEqual(len(snapshot["malformed"]), 2)
        errors = [f for f in self.transport.replies() if isinstance(f, frames.CallError)]
        self.assertEqual([(e.message_id, e.code) for e in errors], [("abc", "FormationViolation")])

    def test_duplicate_command_is_answered_again_without_effect(self):
        pile = self.boot(connectors=1)
        first = self.command("RemoteStartTransaction", {"idTag": "APP0001"}, message_id="cmd-1")
        self.loop.advance(5)
        second = self.command("RemoteStartTransaction", {"idTag": "APP0001"}, message_id="cmd-1")
        self.assertEqual(first, second)
        self.assertEqual(self.actions().count("StartTransaction"), 1)
        self.assertEqual(pile.stats.snapshot()["commands"]["RemoteStartTransaction"], 2)

    def test_hard_reset(self):
        pile = self.boot(connectors=2)
        self.charge(1, "CARD0001")
        self.loop.advance(60)
        self.assertEqual(self.command("Reset", {"type": "Hard"}).payload, {"status": "Accepted"})
        self.loop.advance(1)
        self.assertFalse(pile.connected)
        self.assertEqual(self.transport.calls("StopTransaction"), [])
        self.loop.advance(5)
        self.assertTrue(pile.booted)
        self.assertEqual(self.actions().count("BootNotification"), 2)
        stops = self.transport.calls("StopTransaction")
        self.assertEqual([s.payload["reason"] for s in stops], ["HardReset"])
        actions = self.actions()
        self.assertEqual(actions[actions.index("BootNotification", 1) + 1], "StopTransaction",
                         "a hard reset stops the session after the new boot")
        self.assertEqual(self.statuses(1)[-1], (1, "Available"))

    def test_soft_reset_sends_stop_before_rebooting(self):
        pile = self.boot(connectors=1)
        self.charge(1, "CARD0001")
        self.command("Reset", {"type": "Soft"})
        self.loop.run_until_idle()
        actions = self.actions()
        self.assertEqual(self.transport.calls("StopTransaction")[0].payload["reason"], "SoftReset")
        self.loop.advance(5)
        self.assertTrue(pile.booted)
        actions = self.actions()
        last_boot = len(actions) - 1 - actions[::-1].index("BootNotification")
        self.assertLess(actions.index("StopTransaction"), last_boot)

    def test_change_availability(self):
        pile = self.boot(connectors=2)
        self.assertEqual(self.command("ChangeAvailability", {"connectorId": 2, "type": "Inoperative"}).payload,
                         {"status": "Accepted"})
        self.assertEqual(self.statuses(2)[-1], (2, "Unavailable"))
        self.assertIsNotNone(pile.start_charging(2, "CARD0001").exception(0))
        self.command("ChangeAvailability", {"connectorId": 2, "type": "Operative"})
        self.assertEqual(self.statuses(2)[-1], (2, "Available"))
        # with a session: scheduled, applied when the session ends
        self.charge(1, "CARD0001")
        self.assertEqual(self.command("ChangeAvailability", {"connectorId": 1, "type": "Inoperative"}).payload,
                         {"status": "Scheduled"})
        pile.stop_charging(1)
        self.loop.advance(30)
        self.assertEqual(self.statuses(1)[-1], (1, "Unavailable"))
        # the whole pile
        self.command("ChangeAvailability", {"connectorId": 0, "type": "Inoperative"})
        self.assertIn((0, "Unavailable"), self.statuses(0))
        self.assertEqual(self.statuses(2)[-1], (2, "Unavailable"))
        self.assertEqual(self.command("ChangeAvailability", {"connectorId": 7, "type": "Operative"}).payload,
                         {"status": "Rejected"})

    def test_unlock_connector(self):
        self.boot(connectors=1)
        self.charge(1, "CARD0001")
        self.assertEqual(self.command("UnlockConnector", {"connectorId": 1}).payload, {"status": "Unlocked"})
        self.assertEqual(self.transport.calls("StopTransaction")[0].payload["reason"], "UnlockCommand")
        self.assertEqual(self.command("UnlockConnector", {"connectorId": 3}).payload, {"status": "NotSupported"})

    def test_trigger_message(self):
        self.boot(connectors=2)
        before = len(self.transport.calls())
        self.assertEqual(self.command("TriggerMessage", {"requestedMessage": "StatusNotification",
                                                          "connectorId": 2}).payload, {"status": "Accepted"})
        self.assertEqual(self.statuses()[-1], (2, "Available"))
        self.command("TriggerMessage", {"requestedMessage": "Heartbeat"})
        self.command("TriggerMessage", {"requestedMessage": "BootNotification"})
        self.command("TriggerMessage", {"requestedMessage": "MeterValues", "connectorId": 1})
        self.assertEqual([c.action for c in self.transport.calls()[before:]],
                         ["StatusNotification", "Heartbeat", "BootNotification", "MeterValues"])
        meter = self.transport.calls("MeterValues")[0].payload
        self.assertNotIn("transactionId", meter)
        self.assertEqual(meter["meterValue"][0]["sampledValue"][0]["context"], "Trigger")
        reply = self.command("TriggerMessage", {"requestedMessage": "Heartbeat", "connectorId": 5})
        self.assertEqual(reply.payload, {"status": "Rejected"})

    def test_configuration(self):
        pile = self.boot()
        keys = {k["key"]: k for k in self.command("GetConfiguration", {}).payload["configurationKey"]}
        self.assertEqual(keys["NumberOfConnectors"],
                         {"key": "NumberOfConnectors", "readonly": True, "value": "2"})
        reply = self.command("GetConfiguration", {"key": ["HeartbeatInterval", "Bogus"]}).payload
        self.assertEqual(reply, {
            "configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}],
            "unknownKey": ["Bogus"],
        })

        def change(key, value):
            return self.command("ChangeConfiguration", {"key": key, "value": value}).payload["status"]

        self.assertEqual(change("HeartbeatInterval", "60"), "Accepted")
        self.assertEqual(change("HeartbeatInterval", "soon"), "Rejected")
        self.assertEqual(change("NumberOfConnectors", "4"), "Rejected")
        self.assertEqual(change("Bogus", "1"), "NotSupported")
        self.assertEqual(change("MeterValuesSampledData", "Energy.Active.Import.Register,Nonsense"), "Rejected")
        before = self.actions().count("Heartbeat")
        self.loop.advance(60)
        self.assertEqual(self.actions().count("Heartbeat"), before + 1)
        self.assertEqual(pile.config.get("HeartbeatInterval"), "60")

    def test_data_transfer(self):
        pile = self.boot(connectors=2)

        def transfer(message_id, data, vendor="charge_ops"):
            text = data if isinstance(data, str) else json.dumps(data)
            return self.command("DataTransfer", {"vendorId": vendor, "messageId": message_id,
                                                 "data": text}).payload

        self.assertEqual(transfer("SetQRCode", {"connectorId": 2, "url": "https://q.example/2"}),
                         {"status": "Accepted"})
        self.assertEqual(transfer("SetHotline", {"hotline": "400-800-6688"}), {"status": "Accepted"})
        tariff = {"effectiveFrom": "2026-11-22T00:00:00+08:00",
                  "periods": [{"start": "00:00", "price": "1.20000"}]}
        self.assertEqual(transfer("SetTariff", tariff), {"status": "Accepted"})
        self.assertEqual(pile.qr_codes, {2: "https://q.example/2"})
        self.assertEqual(pile.hotline, "400-800-6688")
        self.assertEqual(pile.tariff, tariff)
        self.assertEqual(transfer("SetQRCode", {"connectorId": 9, "url": "x"})["status"], "Rejected")
        self.assertEqual(transfer("SetQRCode", "{not json")["status"], "Rejected")
        self.assertEqual(transfer("Dance", {}), {"status": "UnknownMessageId"})
        self.assertEqual(transfer("SetQRCode", {}, vendor="acme"), {"status": "UnknownVendorId"})


class TestReservations(SimulatorCase):

    def reserve(self, connector=1, id_tag="CARD0001", reservation_id=1, seconds=900, **extra):
        """ReserveNow for ``seconds`` of the pile's (simulated) time; the reply status."""
        payload = {"connectorId": connector, "idTag": id_tag, "reservationId": reservation_id,
                   "expiryDate": frames.format_time(self.pile.sim_now() + seconds), **extra}
        return self.command("ReserveNow", payload).payload["status"]

    def cancel(self, reservation_id):
        return self.command("CancelReservation", {"reservationId": reservation_id}).payload["status"]

    def test_reserve_now_accepted(self):
        pile = self.boot(connectors=2)
        self.assertIn("Reservation", pile.config.get("SupportedFeatureProfiles"))
        self.assertEqual(pile.config.get("ReserveConnectorZeroSupported"), "false")
        reply = self.command("ReserveNow", {"connectorId": 1, "idTag": "CARD0001", "reservationId": 11,
                                            "expiryDate": frames.format_time(pile.sim_now() + 900)})
        self.assertEqual(reply.payload, {"status": "Accepted"})
        # the reply first, then the connector reports Reserved
        texts = self.transport.sent
        reply_index = next(i for i, t in enumerate(texts) if frames.parse(t).message_id == reply.message_id)
        after = [frames.parse(t) for t in texts[reply_index + 1:]]
        self.assertEqual([(f.action, f.payload["connectorId"], f.payload["status"]) for f in after],
                         [("StatusNotification", 1, "Reserved")])
        connector = pile.snapshot()["connectors"][1]
        self.assertEqual((connector["status"], connector["reservation_id"], connector["reserved_for"]),
                         ("Reserved", 11, "CARD0001"))
        # the same reservationId again replaces the reservation, here on another connector
        self.assertEqual(self.reserve(2, "CARD0002", 11), "Accepted")
        self.assertEqual(self.statuses()[-2:], [(1, "Available"), (2, "Reserved")])
        self.assertEqual(pile.snapshot()["connectors"][2]["reserved_for"], "CARD0002")
        self.assertNotIn("reservation_id", pile.snapshot()["connectors"][1])
        # and on the same connector (a new expiry, a new tag) without a status change
        before = len(self.statuses())
        self.assertEqual(self.reserve(2, "CARD0003", 11, seconds=1800), "Accepted")
        self.assertEqual(len(self.statuses()), before)
        self.assertEqual(pile.snapshot()["connectors"][2]["reserved_for"], "CARD0003")
        # connector 0 (not supported), an unknown connector, an expiry already past
        self.assertEqual(self.reserve(0, reservation_id=12), "Rejected")
        self.assertEqual(self.reserve(9, reservation_id=12), "Rejected")
        self.assertEqual(self.reserve(1, reservation_id=12, seconds=-60), "Rejected")
        self.assertEqual(self.statuses(1)[-1], (1, "Available"))

    def test_reserve_now_on_a_busy_faulted_or_unavailable_connector(self):
        pile = self.boot(connectors=2)
        self.charge(1, "CARD0001")
        self.assertEqual(self.reserve(1, "CARD0002", 1), "Occupied")
        self.assertEqual(self.reserve(2, "CARD0002", 2), "Accepted")
        self.assertEqual(self.reserve(2, "CARD0003", 3), "Occupied", "reserved for another reservation")
        self.assertEqual(self.cancel(2), "Accepted")
        pile.inject_fault(2, "GroundFailure", "5")
        self.loop.run_until_idle()
        self.assertEqual(self.reserve(2, "CARD0002", 4), "Faulted")
        pile.clear_fault(2)
        self.command("ChangeAvailability", {"connectorId": 2, "type": "Inoperative"})
        self.assertEqual(self.reserve(2, "CARD0002", 5), "Unavailable")
        self.assertEqual(self.statuses(2)[-1], (2, "Unavailable"))
        invalid = self.command("ReserveNow", {"connectorId": 2, "idTag": "CARD0002", "reservationId": 6})
        self.assertEqual(invalid.code, "OccurenceConstraintViolation")

    def test_cancel_reservation(self):
        pile = self.boot(connectors=2)
        self.assertEqual(self.reserve(2, "CARD0001", 21), "Accepted")
        self.assertEqual(self.cancel(99), "Rejected")
        self.assertEqual(self.statuses(2)[-1], (2, "Reserved"))
        self.assertEqual(self.cancel(21), "Accepted")
        self.assertEqual(self.statuses(2)[-2:], [(2, "Reserved"), (2, "Available")])
        self.assertEqual(self.cancel(21), "Rejected", "already cancelled")
        self.assertNotIn("reservation_id", pile.snapshot()["connectors"][2])
        # the expiry timer went with it
        self.loop.advance(1000)
        self.assertEqual(self.statuses(2)[-1], (2, "Available"))
        self.assertEqual(pile.stats.snapshot()["counters"].get("reservation_expired"), None)

    def test_reservation_expires(self):
        pile = self.boot(connectors=1)
        self.assertEqual(self.reserve(1, "CARD0001", 31, seconds=600), "Accepted")
        self.loop.advance(599)
        self.assertEqual(self.statuses(1)[-1], (1, "Reserved"))
        self.loop.advance(2)
        self.assertEqual(self.statuses(1)[-2:], [(1, "Reserved"), (1, "Available")])
        self.assertEqual(self.cancel(31), "Rejected", "an expired reservation is gone")
        self.assertEqual(pile.stats.snapshot()["counters"]["reservation_expired"], 1)
        # the reservation survives a power cut: its timer is set again at power up,
        # on the clock of the new BootNotification (the fake platform's moves back)
        expiry = pile.sim_now() + 600
        self.command("ReserveNow", {"connectorId": 1, "idTag": "CARD0001", "reservationId": 32,
                                    "expiryDate": frames.format_time(expiry)})
        pile.power_off()
        self.loop.advance(300)
        pile.power_on()
        self.loop.run_until_idle()
        self.assertEqual(self.statuses(1)[-1], (1, "Reserved"))
        self.loop.advance(expiry - pile.sim_now() - 1)
        self.assertEqual(self.statuses(1)[-1], (1, "Reserved"))
        self.loop.advance(2)
        self.assertEqual(self.statuses(1)[-1], (1, "Available"))

    def test_reservation_expiry_follows_the_speed(self):
        self.boot(connectors=1, speed=60)
        self.assertEqual(self.reserve(1, "CARD0001", 41, seconds=600), "Accepted")
        self.loop.advance(9.9)  # ten simulated minutes are ten seconds at speed 60
        self.assertEqual(self.statuses(1)[-1], (1, "Reserved"))
        self.loop.advance(0.2)
        self.assertEqual(self.statuses(1)[-1], (1, "Available"))
        expired = frames.parse_time(self.transport.calls("StatusNotification")[-1].payload["timestamp"])
        self.assertAlmostEqual(expired - START, 600, delta=15)

    def test_reserving_tag_starts_with_the_reservation_id(self):
        pile = self.boot(connectors=2)
        self.assertEqual(self.reserve(2, "CARD0001", 51), "Accepted")
        future = self.charge(2, "CARD0001")
        self.assertEqual(future.result(0), 1001)
        start = self.transport.calls("StartTransaction")[0].payload
        self.assertEqual((start["connectorId"], start["idTag"], start["reservationId"]), (2, "CARD0001", 51))
        self.assertEqual(self.statuses(2), [(2, "Available"), (2, "Reserved"), (2, "Preparing"),
                                            (2, "Charging")])
        self.assertEqual(self.cancel(51), "Rejected", "the reservation is used up")
        pile.stop_charging(2)
        self.loop.advance(1000)  # past the expiry: nothing more happens
        self.assertEqual(self.statuses(2)[-2:], [(2, "Finishing"), (2, "Available")])
        # a remote start without connectorId takes the connector reserved for its id tag
        self.assertEqual(self.reserve(2, "APP0001", 52), "Accepted")
        self.assertEqual(self.command("RemoteStartTransaction", {"idTag": "APP0001"}).payload,
                         {"status": "Accepted"})
        start = self.transport.calls("StartTransaction")[-1].payload
        self.assertEqual((start["connectorId"], start["idTag"], start["reservationId"]), (2, "APP0001", 52))
        # a start on a connector that is not reserved carries no reservationId
        self.charge(1, "CARD0002")
        self.assertNotIn("reservationId", self.transport.calls("StartTransaction")[-1].payload)

    def test_another_tag_cannot_start_on_a_reserved_connector(self):
        pile = self.boot(connectors=2)
        self.assertEqual(self.reserve(1, "CARD0001", 61), "Accepted")
        before = self.actions()
        future = self.charge(1, "CARD0002")
        self.assertIn("reserved", str(future.exception(0)))
        self.assertEqual(self.actions(), before, "no Authorize, no StartTransaction, no status change")
        self.assertEqual(self.command("RemoteStartTransaction", {"idTag": "APP0001", "connectorId": 1}).payload,
                         {"status": "Rejected"})
        # without a connectorId, another connector is taken
        self.command("RemoteStartTransaction", {"idTag": "APP0001"})
        self.assertEqual(self.transport.calls("StartTransaction")[-1].payload["connectorId"], 2)
        self.assertEqual(pile.snapshot()["connectors"][1]["status"], "Reserved")
        self.assertEqual(self.cancel(61), "Accepted")

    def test_parent_id_tag_reservation(self):
        platform = FakePlatform()
        pile = self.boot(platform=platform, connectors=1)
        self.assertEqual(self.reserve(1, "CARD0001", 71, parentIdTag="FLEET01"), "Accepted")
        # a tag of another group: Authorize tells its parent, the start is refused
        platform.replies["Authorize"] = {"idTagInfo": {"status": "Accepted", "parentIdTag": "FLEET02"}}
        self.assertIn("reserved", str(self.charge(1, "CARD0002").exception(0)))
        self.assertEqual(self.statuses(1)[-2:], [(1, "Preparing"), (1, "Reserved")])
        # a tag of the same group may use the reservation
        platform.replies["Authorize"] = {"idTagInfo": {"status": "Accepted", "parentIdTag": "FLEET01"}}
        self.charge(1, "CARD0003")
        start = self.transport.calls("StartTransaction")[0].payload
        self.assertEqual((start["idTag"], start["reservationId"]), ("CARD0003", 71))
        self.assertEqual(pile.snapshot()["connectors"][1]["status"], "Charging")


class TestLocalAuthList(SimulatorCase):

    def list_version(self):
        return self.command("GetLocalListVersion", {}).payload["listVersion"]

    def offline_charge(self, connector, id_tag):
        """Swipe ``id_tag`` while the pile is offline; returns the Future."""
        self.assertFalse(self.pile.connected)
        return self.charge(connector, id_tag)

    def test_full_then_differential_update(self):
        pile = self.boot(connectors=1)
        self.assertIn("LocalAuthListManagement", pile.config.get("SupportedFeatureProfiles"))
        self.assertEqual((self.list_version(), pile.local_list_version, pile.local_list), (0, 0, {}))
        expiry = frames.format_time(pile.sim_now() + 86_400)
        self.assertEqual(self.send_local_list(1, {
            "CARD0001": {"status": "Accepted", "expiryDate": expiry, "parentIdTag": "FLEET01"},
            "CARD0002": {"status": "Blocked"},
        }), "Accepted")
        self.assertEqual(self.list_version(), 1)
        self.assertEqual(pile.local_list, {"CARD0001": "Accepted", "CARD0002": "Blocked"})
        # a differential update adds, changes, and deletes the entries without idTagInfo
        self.assertEqual(self.send_local_list(2, {
            "CARD0003": {"status": "Accepted"}, "CARD0001": {"status": "Expired"}, "CARD0002": None,
        }, update_type="Differential"), "Accepted")
        self.assertEqual(pile.local_list, {"CARD0001": "Expired", "CARD0003": "Accepted"})
        snapshot = pile.snapshot()
        self.assertEqual((snapshot["local_list_version"], snapshot["local_list"]),
                         (2, {"CARD0001": "Expired", "CARD0003": "Accepted"}))
        # a full update replaces the whole list, under any version
        self.assertEqual(self.send_local_list(1, {"CARD0004": {"status": "Accepted"}}), "Accepted")
        self.assertEqual((self.list_version(), pile.local_list), (1, {"CARD0004": "Accepted"}))
        # deleting a tag the list does not hold is no error; deleting the last one empties it: version 0
        self.assertEqual(self.send_local_list(2, {"CARD0004": None, "CARD0005": None},
                                              update_type="Differential"), "Accepted")
        self.assertEqual((self.list_version(), pile.local_list), (0, {}))
        self.assertEqual(self.send_local_list(7, {"CARD0006": {"status": "Accepted"}}), "Accepted")
        self.assertEqual(self.send_local_list(8, {}), "Accepted")
        self.assertEqual((self.list_version(), pile.local_list), (0, {}), "an empty full list clears it")
        for message_id, action in self.answered.items():
            reply = next(f for f in self.transport.replies() if f.message_id == message_id)
            self.assertEqual(schema_errors(action, reply.payload, response=True), [], action)

    def test_version_mismatch_and_failed_updates(self):
        pile = self.boot(connectors=1)
        self.assertEqual(self.send_local_list(5, {"CARD0001": {"status": "Accepted"}}), "Accepted")
        change = {"CARD0002": {"status": "Accepted"}}
        self.assertEqual(self.send_local_list(5, change, update_type="Differential"), "VersionMismatch")
        self.assertEqual(self.send_local_list(4, change, update_type="Differential"), "VersionMismatch")
        # a full update needs the idTagInfo of every tag, each tag once, a version above 0
        self.assertEqual(self.send_local_list(6, {"CARD0002": None}), "Failed")
        duplicate = {"listVersion": 6, "updateType": "Full", "localAuthorizationList": [
            {"idTag": "CARD0002", "idTagInfo": {"status": "Accepted"}},
            {"idTag": "CARD0002", "idTagInfo": {"status": "Blocked"}}]}
        self.assertEqual(self.command("SendLocalList", duplicate).payload, {"status": "Failed"})
        self.assertEqual(self.send_local_list(0, change), "Failed")
        # the pile's limits
        pile.config.set("SendLocalListMaxLength", "2")
        pile.config.set("LocalAuthListMaxLength", "3")
        three = {f"CARD100{n}": {"status": "Accepted"} for n in range(3)}
        self.assertEqual(self.send_local_list(6, three), "Failed", "more than SendLocalListMaxLength")
        self.assertEqual(self.send_local_list(6, dict(list(three.items())[:2]),
                                              update_type="Differential"), "Accepted")
        one_more = {"CARD2000": {"status": "Accepted"}}
        self.assertEqual(self.send_local_list(7, one_more, update_type="Differential"), "Failed",
                         "more than LocalAuthListMaxLength")
        self.assertEqual((self.list_version(), sorted(pile.local_list)),
                         (6, ["CARD0001", "CARD1000", "CARD1001"]))
        # a payload outside the schema gets a CALLERROR
        self.assertEqual(self.command("SendLocalList", {"listVersion": 8}).code,
                         "OccurenceConstraintViolation")
        self.assertEqual(self.command("GetLocalListVersion", {"all": True}).code, "FormationViolation")

    def test_disabled_list_is_not_supported(self):
        pile = self.boot(connectors=1)
        self.send_local_list(1, {"CARD0001": {"status": "Accepted"}})
        self.assertEqual(self.command("ChangeConfiguration", {"key": "LocalAuthListEnabled", "value": "false"}
                                      ).payload, {"status": "Accepted"})
        self.assertEqual(self.send_local_list(2, {"CARD0002": {"status": "Accepted"}}), "NotSupported")
        self.assertEqual(self.list_version(), -1)
        pile.disconnect()
        refused = self.offline_charge(1, "CARD0001")
        self.assertEqual(refused.exception(0).status, "Invalid", "a disabled list authorizes no one")
        pile.reconnect()
        self.loop.run_until_idle()
        self.command("ChangeConfiguration", {"key": "LocalAuthListEnabled", "value": "true"})
        self.assertEqual(self.list_version(), 1, "the list was kept")

    def test_list_survives_a_reboot(self):
        pile = self.boot(connectors=1)
        self.send_local_list(4, {"CARD0001": {"status": "Accepted"}, "CARD0002": {"status": "Blocked"}})
        self.command("Reset", {"type": "Hard"})
        self.loop.advance(5)
        self.assertEqual(self.actions().count("BootNotification"), 2)
        pile.power_off()
        self.loop.advance(60)
        pile.power_on()
        self.loop.run_until_idle()
        self.assertEqual(self.actions().count("BootNotification"), 3)
        self.assertEqual(self.list_version(), 4)
        self.assertEqual(pile.local_list, {"CARD0001": "Accepted", "CARD0002": "Blocked"})

    def test_offline_start_is_sent_with_its_time_after_reconnect(self):
        platform = FakePlatform()
        pile = self.boot(platform=platform, connectors=1, meter_interval=60)
        self.send_local_list(1, {"CARD0001": {"status": "Accepted",
                                              "expiryDate": frames.format_time(pile.sim_now() + 3600)}})
        pile.disconnect()
        self.loop.advance(100)
        swiped_at = pile.sim_now()
        sent_before = len(self.transport.sent)
        future = self.offline_charge(1, "CARD0001")
        self.assertFalse(future.done())
        self.assertEqual(pile.snapshot()["connectors"][1]["status"], "Charging")
        self.loop.advance(150)                 # two samples
        pile.stop_charging(1, "Local")
        self.loop.advance(600)
        self.assertEqual(len(self.transport.sent), sent_before, "nothing leaves while offline")
        platform.hold.add("StartTransaction")
        pile.reconnect()
        self.loop.run_until_idle()
        start = platform.held[0]
        self.assertEqual(start.payload["idTag"], "CARD0001")
        self.assertEqual(start.payload["timestamp"], frames.format_time(swiped_at))
        self.transport.deliver(platform.answer(start, started(4343)))
        self.loop.run_until_idle()
        self.assertEqual(future.result(0), 4343)
        self.assertNotIn("Authorize", self.actions())
        after = [call for call in self.transport.calls() if call.action in frames.TRANSACTION_ACTIONS]
        self.assertEqual([c.action for c in after],
                         ["StartTransaction", "MeterValues", "MeterValues", "StopTransaction"])
        self.assertTrue(all(c.payload["transactionId"] == 4343 for c in after[1:]))
        stop = after[-1].payload
        self.assertEqual(frames.parse_time(stop["timestamp"]), swiped_at + 150)
        self.assertEqual(pile.stats.transaction_ids, [4343])

    def test_offline_refusals(self):
        pile = self.boot(connectors=1)
        soon = frames.format_time(pile.sim_now() + 60)
        self.send_local_list(1, {"CARD0001": {"status": "Blocked"}, "CARD0002": {"status": "Invalid"},
                                 "CARD0003": {"status": "Accepted", "expiryDate": soon}})
        pile.disconnect()
        self.loop.advance(120)
        before = len(self.transport.sent)
        for id_tag, status in (("CARD0001", "Blocked"), ("CARD0002", "Invalid"), ("CARD0003", "Expired"),
                               ("CARD0404", "Invalid")):
            error = self.offline_charge(1, id_tag).exception(0)
            self.assertIsInstance(error, AuthorizationRejected, id_tag)
            self.assertEqual(error.status, status, id_tag)
            self.assertEqual(pile.snapshot()["connectors"][1]["status"], "Available")
        self.assertEqual(pile.stats.snapshot()["counters"]["session_failed"], 4)
        pile.reconnect()
        self.loop.run_until_idle()
        sent = [frames.parse(text) for text in self.transport.sent[before:]]
        self.assertFalse([f.action for f in sent if isinstance(f, frames.Call)
                          and f.action in ("Authorize", "StartTransaction")])
        # AllowOfflineTxForUnknownId lets unknown tags (not refused ones) start offline
        pile.config.set("AllowOfflineTxForUnknownId", "true")
        pile.disconnect()
        self.assertEqual(self.offline_charge(1, "CARD0001").exception(0).status, "Blocked")
        self.assertFalse(self.offline_charge(1, "CARD0404").done())
        self.assertEqual(pile.snapshot()["connectors"][1]["id_tag"], "CARD0404")

    def test_offline_authorize_without_answer_uses_the_list(self):
        platform = FakePlatform()
        self.boot(platform=platform, connectors=2)
        self.send_local_list(1, {"CARD0001": {"status": "Accepted"}})
        platform.hold.add("Authorize")
        known = self.charge(1, "CARD0001")
        unknown = self.charge(2, "CARD0404")
        self.transport.link_down()   # the Authorize in flight and the queued one are dropped
        self.loop.run_until_idle()
        self.assertEqual(unknown.exception(0).status, "Invalid")
        self.assertFalse(known.done())
        self.assertEqual(self.pile.snapshot()["connectors"][1]["status"], "Charging")

    def test_local_pre_authorize(self):
        pile = self.boot(connectors=2)
        self.send_local_list(1, {"CARD0001": {"status": "Accepted"}, "CARD0002": {"status": "Blocked"}})
        self.charge(1, "CARD0001")
        self.assertEqual(self.actions().count("Authorize"), 1, "online: Authorize by default")
        pile.stop_charging(1)
        self.loop.advance(60)
        self.command("ChangeConfiguration", {"key": "LocalPreAuthorize", "value": "true"})
        before = self.actions()
        self.assertEqual(self.charge(1, "CARD0001").result(0), 1002)
        self.assertEqual(self.actions()[len(before):],
                         ["StatusNotification", "StartTransaction", "StatusNotification"])
        # tags the list refuses or does not know still go through Authorize
        self.charge(2, "CARD0002")
        self.assertEqual(self.actions().count("Authorize"), 2)


class TestMisbehaviour(SimulatorCase):

    def test_fault_and_clear(self):
        pile = self.boot(connectors=2)
        self.charge(1, "CARD0001")
        pile.inject_fault(1, "GroundFailure", "5")
        self.loop.run_until_idle()
        faulted = [call.payload for call in self.transport.calls("StatusNotification")
                   if call.payload["status"] == "Faulted"]
        self.assertEqual(len(faulted), 1)
        self.assertEqual((faulted[0]["connectorId"], faulted[0]["errorCode"], faulted[0]["vendorErrorCode"]),
                         (1, "GroundFailure", "5"))
        self.assertEqual(self.transport.calls("StopTransaction")[0].payload["reason"], "Other")
        self.assertIsNotNone(pile.start_charging(1, "CARD0002").exception(0))
        pile.clear_fault(1)
        self.loop.run_until_idle()
        self.assertEqual(self.statuses(1)[-1], (1, "Available"))
        with self.assertRaises(ValueError):
            pile.inject_fault(1, "Meltdown")

    def test_pile_fault_stops_every_session(self):
        pile = self.boot(connectors=2)
        self.charge(1, "CARD0001")
        self.charge(2, "CARD0002")
        pile.inject_fault(0, "PowerSwitchFailure", "0001", stop_reason="EmergencyStop")
        self.loop.run_until_idle()
        reasons = [c.payload["reason"] for c in self.transport.calls("StopTransaction")]
        self.assertEqual(reasons, ["EmergencyStop", "EmergencyStop"])
        self.assertIn((0, "Faulted"), self.statuses(0))

    def test_power_loss(self):
        pile = self.boot(connectors=1)
        self.charge(1, "CARD0001")
        self.loop.advance(120)
        meter_before = pile.snapshot()["connectors"][1]["register_wh"]
        pile.power_off()
        self.assertFalse(pile.connected)
        self.loop.advance(600)
        pile.power_on()
        self.loop.run_until_idle()
        stop = self.transport.calls("StopTransaction")[0].payload
        self.assertEqual(stop["reason"], "PowerLoss")
        self.assertEqual(stop["meterStop"], meter_before)
        self.assertEqual(stop["transactionId"], 1001)
        self.assertEqual(self.actions().count("BootNotification"), 2)

    def test_disconnect_and_reconnect(self):
        pile = self.boot(connectors=1)
        pile.disconnect()
        self.assertFalse(pile.connected)
        self.loop.advance(60)
        self.assertFalse(pile.connected, "an aborted link stays down until reconnect()")
        pile.reconnect()
        self.loop.run_until_idle()
        self.assertTrue(pile.connected)
        self.assertEqual(self.actions().count("BootNotification"), 1, "no reboot after a network loss")

    def test_raw_and_duplicate_frames(self):
        pile = self.boot()
        pile.send_raw("{oops")
        self.assertEqual(self.transport.sent[-1], "{oops")
        message_id = pile.send_duplicate_last()
        self.assertEqual(self.transport.sent[-1], self.transport.sent[-3])
        self.loop.run_until_idle()
        self.assertEqual(pile.stats.snapshot()["unmatched"][-1]["message_id"], message_id)

    def test_publish_under_another_serial(self):
        pile = self.boot()
        self.transport.refused_topics.add("charge/OTHER01/up")
        future = pile.publish_as("OTHER01", frames.call("x", "Heartbeat", {}))
        self.assertEqual(future.result(0), 135)
        self.assertEqual(self.transport.other_topics[0][0], "charge/OTHER01/up")


class TestScenario(TestCase):

    def test_sessions_over_many_piles(self):
        loop = ManualLoop()
        platform = FakePlatform()
        piles = []
        for index in range(5):
            serial = f"SIMS{index:04d}"
            transport = MemoryTransport(loop, peer=platform, up_topic=f"charge/{serial}/up")
            pile = VirtualPile(serial, "pw", connectors=2, loop=loop, transport=transport, seed=index,
                               speed=120, start_time=START, kind="ebike" if index % 2 else "car")
            pile.start()
            piles.append(pile)
        loop.run_until_idle()
        scenario = Scenario(loop, piles, sessions=25, id_tags=["CARD0001", "CARD0002"],
                            rng=random.Random(1), spread=10)
        scenario.start()
        for _ in range(600):
            loop.advance(1)
            if scenario.done.is_set():
                break
        result = scenario.result()
        self.assertTrue(result["finished"], result)
        self.assertEqual((result["launched"], result["started"], result["stopped"]), (25, 25, 25))
        self.assertGreater(result["energy_kwh"], 0)
        self.assertGreater(result["waits_for_free_connector"], 0)  # 25 sessions, 10 connectors
        total = sum(p.stats.energy_wh for p in piles)
        self.assertAlmostEqual(total / 1000, result["energy_kwh"], places=3)


class TestConfiguration(TestCase):

    def test_store(self):
        changes = []
        config = Configuration(default_keys(3), lambda key, value: changes.append((key, value)))
        self.assertEqual(config.change("TransactionMessageAttempts", "0"), "Rejected")
        self.assertEqual(config.change("LocalAuthorizeOffline", "FALSE"), "Accepted")
        self.assertFalse(config.get_bool("LocalAuthorizeOffline"))
        self.assertEqual(changes, [("LocalAuthorizeOffline", "false")])
        self.assertEqual(config.describe(["NumberOfConnectors"])["configurationKey"][0]["value"], "3")
