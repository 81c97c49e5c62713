from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSimulatorCast(TransactionCase):
    """The drivers of the demo simulator (make run) swipe cards the platform
    accepts on the piles they charge at: members' cards, not the piles' own
    lists (a fleet card listed on one pile is Invalid on the others), the
    e-bike riders' on the e-bike station; and one card it refuses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        stations = cls.env["charge.station"].search([("code", "in", ("SZ-NS-001", "SZ-QH-002", "SZ-FT-E01"))])
        cls.piles = cls.env["charge.pile"].search([("station_id", "in", stations.ids), ("state", "!=", "retired")])
        cls.cast = cls.piles._simulator_cast()

    def answer(self, pile, tag):
        return self.env["charge.device.bus"]._charge_authorize(pile, tag)["status"]

    def test_every_card_of_the_demo_is_accepted_where_it_is_swiped(self):
        tags = self.cast["tags"]
        self.assertGreaterEqual(len(tags), 8, "the demo charges on most piles of its three stations")
        for serial, cards in tags.items():
            pile = self.piles.filtered(lambda p, serial=serial: p.serial == serial)
            self.assertTrue(cards, serial)
            for card in cards:
                self.assertEqual(self.answer(pile, card), "Accepted", f"{card} on {serial}")
        # one driver at a time per card: enough members to keep several connectors charging
        car = {card for serial, cards in tags.items() for card in cards
               if self.piles.filtered(lambda p, serial=serial: p.serial == serial).kind == "car"}
        ebike = {card for serial, cards in tags.items() for card in cards} - car
        self.assertGreaterEqual(len(car), 5)
        self.assertGreaterEqual(len(ebike), 5)
        Card = self.env["charge.card"]
        self.assertTrue(all(Card.search([("name", "=", card)]).partner_id for card in car | ebike),
                        "every demo charge has a member")
        self.assertEqual(Card.search([("name", "in", list(ebike))]).category_id,
                         self.env.ref("charge_member.card_category_ebike"))

    def test_piles_that_cannot_charge_get_no_driver(self):
        for pile in self.piles.filtered(lambda p: p.state != "commissioned"):
            self.assertNotIn(pile.serial, self.cast["tags"])
        self.assertNotIn(self.env.ref("charge_base.pile_qh_dc1").serial, self.cast["tags"])  # stopped

    def test_the_refused_cards_are_refused_and_logged(self):
        refused = self.cast["refused"]
        self.assertIn(self.env.ref("charge_member.card_taxi_lost").name, refused)
        self.assertIn(self.env.ref("charge_member.card_zhao_qiang").name, refused)
        pile = self.env.ref("charge_base.pile_bay_ac1")
        Refused = self.env["charge.authorization"]
        before = Refused.search_count([])
        for card in refused:
            self.assertNotEqual(self.answer(pile, card), "Accepted", card)
        self.assertEqual(Refused.search_count([]), before + len(refused), "a clerk sees each refusal")
