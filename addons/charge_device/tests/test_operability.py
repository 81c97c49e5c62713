from odoo.tests import BaseCase, tagged

from ..models.operability_messages import MESSAGES
from ..tools.operability import OCPP_STATUS, REASONS, ConnectorFacts, PileFacts, refusal


def pile(**values):
    values.setdefault("state", "commissioned")
    values.setdefault("connectors", (ConnectorFacts(1), ConnectorFacts(2)))
    return PileFacts(**values)


def reason(facts, connector=None):
    found = refusal(facts, connector)
    return found.reason if found else None


@tagged("at_install", "-post_install")
class TestOperability(BaseCase):
    """Which pile and connector may start a charge: no database involved."""

    def test_a_pile_in_operation_charges_on_any_connector(self):
        self.assertIsNone(refusal(pile()))
        self.assertIsNone(refusal(pile(), 2))
        for status in ("available", "preparing", "charging", "finishing", "reserved", "faulted", "offline"):
            with self.subTest(status=status):
                self.assertIsNone(refusal(pile(connectors=(ConnectorFacts(1, status),)), 1))

    def test_life_cycle_of_the_pile(self):
        self.assertEqual(reason(pile(state="draft")), "pile_draft")
        self.assertEqual(reason(pile(state="stopped"), 1), "pile_stopped")
        self.assertEqual(reason(pile(state="retired")), "pile_retired")
        self.assertEqual(reason(pile(state="something_new")), "pile_not_commissioned")
        self.assertEqual(reason(pile(active=False)), "pile_archived")

    def test_station_and_area(self):
        self.assertEqual(reason(pile(station_active=False, station_operating=False)), "station_archived")
        self.assertEqual(reason(pile(station_approved=False)), "station_not_approved")
        self.assertEqual(reason(pile(station_operating=False)), "station_not_operating")
        found = refusal(pile(area_active=False, area="B1"), 1)
        self.assertEqual((found.reason, found.params), ("area_archived", {"area": "B1"}))

    def test_the_pile_comes_before_its_station_and_connectors(self):
        facts = pile(state="stopped", station_operating=False, area_active=False,
                     connectors=(ConnectorFacts(1, "unavailable"),))
        self.assertEqual(reason(facts, 1), "pile_stopped")

    def test_connectors(self):
        facts = pile(connectors=(ConnectorFacts(1, "unavailable"), ConnectorFacts(2, "available", operative=False),
                                 ConnectorFacts(3)))
        found = refusal(facts, 1)
        self.assertEqual((found.reason, found.params), ("connector_unavailable", {"connector": 1}))
        self.assertEqual(reason(facts, 2), "connector_inoperative")
        self.assertEqual(reason(facts, 7), "connector_unknown")
        self.assertIsNone(refusal(facts, 3))
        self.assertIsNone(refusal(facts), "Authorize: connector 3 can charge")
        self.assertEqual(reason(pile(connectors=facts.connectors[:2])), "no_connector")
        self.assertEqual(reason(pile(connectors=())), "no_connector")
        self.assertEqual(reason(pile(device_status="unavailable"), 1), "pile_unavailable")

    def test_every_reason_is_blocked_and_worded(self):
        self.assertEqual(refusal(pile(state="draft")).status, OCPP_STATUS)
        self.assertEqual(OCPP_STATUS, "Blocked")
        self.assertEqual(set(MESSAGES), set(REASONS))
