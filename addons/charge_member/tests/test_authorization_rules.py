from decimal import Decimal as D

from odoo.tests import BaseCase, tagged

from ..tools.authorization import REASONS, Limits, StartFacts, available_amount, decide


@tagged("at_install", "-post_install")
class TestAuthorizationRules(BaseCase):
    """The decision matrix, without the database."""

    def assertDecision(self, facts, status, reason):
        decision = decide(facts)
        self.assertEqual((decision.status, decision.reason), (status, reason))
        self.assertEqual(REASONS[reason], status)

    def test_matrix(self):
        ok = dict(card_state="active", member_status="normal", available=D("50"))
        self.assertDecision(StartFacts(**ok), "Accepted", "accepted")
        self.assertDecision(StartFacts(**dict(ok, card_state="lost")), "Blocked", "card_lost")
        self.assertDecision(StartFacts(**dict(ok, card_state="replaced")), "Expired", "card_replaced")
        self.assertDecision(StartFacts(**dict(ok, card_state="cancelled")), "Expired", "card_cancelled")
        self.assertDecision(StartFacts(**dict(ok, card_blacklisted=True)), "Blocked", "card_blacklisted")
        self.assertDecision(StartFacts(**dict(ok, has_payer=False, member_status=None)), "Invalid", "unbound")
        self.assertDecision(StartFacts(**dict(ok, member_status="frozen")), "Blocked", "member_frozen")
        self.assertDecision(StartFacts(**dict(ok, member_status="blacklisted")), "Blocked", "member_blacklisted")
        self.assertDecision(StartFacts(**dict(ok, open_sessions=1)), "ConcurrentTx", "concurrent")
        self.assertDecision(StartFacts(**dict(ok, open_sessions=1, allowed_sessions=2)), "Accepted", "accepted")
        self.assertDecision(StartFacts(**dict(ok, available=D("0.99"))), "Blocked", "insufficient_funds")
        self.assertDecision(StartFacts(**dict(ok, available=D("0.99"), card_type="stored_value")), "Accepted",
                            "stored_value")
        self.assertDecision(StartFacts(**dict(ok, group_member=False)), "Blocked", "not_group_member")
        self.assertDecision(StartFacts(**dict(ok, group_archived=True)), "Blocked", "group_archived")

    def test_offline_start_of_a_white_listed_card_is_accepted_whatever_the_balance(self):
        facts = dict(card_state="active", member_status="normal", available=D("-20"), offline_start=True)
        self.assertDecision(StartFacts(card_whitelisted=True, **facts), "Accepted", "offline_whitelist")
        self.assertDecision(StartFacts(card_whitelisted=False, **facts), "Blocked", "insufficient_funds")
        # a lost card stays refused, offline or not
        self.assertDecision(StartFacts(card_whitelisted=True, **dict(facts, card_state="lost")), "Blocked",
                            "card_lost")

    def test_group_limits(self):
        base = dict(card_state="active", member_status="normal", available=D("100"))
        self.assertDecision(StartFacts(limits=Limits(day_count=2, used_day_count=2), **base), "Blocked",
                            "day_count")
        self.assertDecision(StartFacts(limits=Limits(month_count=10, used_month_count=9), **base), "Accepted",
                            "accepted")
        self.assertDecision(StartFacts(limits=Limits(day_amount=D("30"), used_day_amount=D("30")), **base),
                            "Blocked", "day_amount")
        self.assertDecision(StartFacts(limits=Limits(month_amount=D("30"), used_month_amount=D("29.5")), **base),
                            "Blocked", "insufficient_funds")
        # zero means no limit
        self.assertDecision(StartFacts(limits=Limits(used_day_count=99, used_month_amount=D("9999")), **base),
                            "Accepted", "accepted")

    def test_available_amount_is_capped_by_the_amount_left(self):
        facts = StartFacts(available=D("100"), limits=Limits(day_amount=D("30"), used_day_amount=D("12"),
                                                             month_amount=D("50"), used_month_amount=D("40")))
        self.assertEqual(available_amount(facts), D("10"))
        self.assertIsNone(available_amount(StartFacts(available=None)))
