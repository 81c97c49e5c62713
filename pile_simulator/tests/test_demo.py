"""The endless demo of ``make run`` (DemoScenario) on a ManualLoop against a
fake platform that accepts the members' cards and refuses a lost one."""
import random
from unittest import TestCase

from pile_simulator import DemoScenario, ManualLoop, MemoryTransport, VirtualPile
from pile_simulator.tests.test_simulator import START, FakePlatform

CAR_CARDS = ["SZ00010001", "SZ00040001", "SZ00050001"]
EBIKE_CARDS = ["EB00010001", "EB00020001"]
LOST = "PC00000002"


class DemoPlatform(FakePlatform):
    """Accepts every card but the lost one (Blocked)."""

    def reply(self, frame):
        if frame.action == "Authorize" and frame.payload["idTag"] == LOST:
            return {"idTagInfo": {"status": "Blocked"}}
        return super().reply(frame)


class TestDemoScenario(TestCase):

    def setUp(self):
        self.loop = ManualLoop()
        self.platform = DemoPlatform()
        self.events = []
        self.piles = {}
        # OFF1: a pile that cannot charge (stopped, draft...): no card for it
        for serial, kind, connectors in (("CAR1", "car", 2), ("CAR2", "car", 2), ("EB1", "ebike", 4),
                                         ("OFF1", "car", 2)):
            transport = MemoryTransport(self.loop, peer=self.platform, up_topic=f"charge/{serial}/up")
            pile = VirtualPile(serial, "pw", connectors=connectors, kind=kind, loop=self.loop, transport=transport,
                               seed=3, start_time=START, strict=True)
            pile.subscribe(lambda pile, kind, data: self.events.append(
                (pile.serial, kind, dict(data, at=self.loop.time()))))
            pile.start()
            self.piles[serial] = pile
        self.loop.run_until_idle()
        tags = {"CAR1": CAR_CARDS, "CAR2": CAR_CARDS, "EB1": EBIKE_CARDS}
        self.demo = DemoScenario(self.loop, self.piles.values(), tags, random.Random(5), refused=[LOST],
                                 busy_share=1.0, warmup=45, first_refusal=20, refusal_every=120, first_fault=40,
                                 fault_every=200, occupancy_share=0.5)
        self.demo.start()

    def run_for(self, seconds):
        for _ in range(int(seconds)):
            self.loop.advance(1)

    def charging(self):
        return {(serial, c.number): c.session.id_tag for serial, pile in self.piles.items()
                for c in pile._charge_points() if c.session is not None}

    def calls(self, action):
        return [call for call in self.platform.calls if call.action == action]

    def test_stations_charge_within_a_minute_with_the_cards_of_their_kind(self):
        self.run_for(60)
        charging = self.charging()
        # three car cards for four car connectors, two e-bike cards for four e-bike connectors
        self.assertEqual(sum(1 for serial, _n in charging if serial != "EB1"), 3, charging)
        self.assertEqual(sum(1 for serial, _n in charging if serial == "EB1"), 2, charging)
        for (serial, _number), tag in charging.items():
            self.assertIn(tag, EBIKE_CARDS if serial == "EB1" else CAR_CARDS)
        self.assertEqual(len(set(charging.values())), len(charging), "a card charges once at a time")
        self.assertEqual(len(self.calls("StartTransaction")), 5)

    def test_it_keeps_going_with_occupancies_a_refused_card_and_a_fault(self):
        self.run_for(40 * 60)
        result = self.demo.result()
        # sessions of 1.5-4 minutes (cars) and 5.5-9 (e-bikes), pauses of 0.5-3 minutes: many rounds
        self.assertGreater(result["stopped"], 15, result)
        self.assertEqual(result["failed"], 0, result)
        stops = [data for _serial, kind, data in self.events if kind == "transaction_stopped"]
        self.assertEqual({data["reason"] for data in stops}, {"Local"})
        for serial, kind, data in self.events:
            if kind == "transaction_stopped":
                low, high = (5.5, 9) if serial == "EB1" else (1.5, 4)
                self.assertTrue(low * 60 - 1 <= data["duration_s"] <= high * 60 + 1, data)
        # car drivers who leave the gun in (see test_an_occupancy_keeps_the_gun_in_for_minutes)
        self.assertGreater(result["occupancies"], 0)
        # the lost card was swiped and refused, and never charged
        self.assertGreaterEqual(result["refusals"], 10, result)
        self.assertEqual(result["refusal_statuses"], {"Blocked": result["refusals"]})
        self.assertNotIn(LOST, {call.payload["idTag"] for call in self.calls("StartTransaction")})
        # refusals and faults only on the piles of the demo: a refusal is the card's, not the pile's
        self.assertNotIn("OFF1", {serial for serial, kind, data in self.events
                                  if kind in ("session_started", "session_failed", "status")
                                  and data.get("status", "Faulted") != "Available"})
        # faults: Faulted with an error code, then the connector recovers
        faulted = [call.payload for call in self.calls("StatusNotification") if call.payload["status"] == "Faulted"]
        self.assertGreaterEqual(len(faulted), 5)
        self.assertEqual({payload["errorCode"] for payload in faulted}, {"HighTemperature"})
        self.assertEqual(result["faults"], len(faulted))
        recovered = [serial for serial, kind, data in self.events
                     if kind == "status" and data["status"] == "Available" and data["error_code"] == "NoError"]
        self.assertTrue(recovered)

    def test_an_occupancy_keeps_the_gun_in_for_minutes(self):
        self.run_for(40 * 60)
        # per connector: the time of each StopTransaction's Finishing, and of the Available after it
        spans = []
        opened = {}
        for serial, kind, data in self.events:
            key = (serial, data.get("connector"))
            if kind == "status" and data["status"] == "Finishing":
                opened[key] = data["at"]
            elif kind == "status" and key in opened:
                spans.append(data["at"] - opened.pop(key))
        self.assertTrue(spans)
        self.assertTrue(any(span >= 120 for span in spans), spans)    # 2-5 minutes: an occupancy
        self.assertTrue(any(span <= 45 for span in spans), spans)     # the others unplug within 45 s

    def test_cancel_stops_new_sessions(self):
        self.run_for(60)
        self.loop.run_sync(self.demo.cancel)
        started = len(self.calls("StartTransaction"))
        self.run_for(30 * 60)
        self.assertEqual(len(self.calls("StartTransaction")), started)
        self.assertEqual(self.charging(), {}, "the drivers still stop their sessions")

    def test_a_demo_needs_cards(self):
        with self.assertRaises(ValueError):
            DemoScenario(self.loop, self.piles.values(), {"CAR1": []}, random.Random(1))

    def test_a_card_refused_by_the_platform_is_not_retried_in_a_loop(self):
        self.platform.replies["Authorize"] = {"idTagInfo": {"status": "Invalid"}}
        self.run_for(10 * 60)
        result = self.demo.result()
        self.assertEqual(result["started"], 0)
        self.assertGreater(result["failed"], 0)
        # each connector tries again only after a pause, not every second
        self.assertLess(len(self.calls("Authorize")), 8 * 10, result)
