"""Who may start charging: the decision behind an OCPP ``idTagInfo``.

The models gather the facts about an id tag (its card, its member, the
paying wallet, the group limits); :func:`decide` gives the OCPP status and
the reason code, which the platform logs and translates. OCPP 1.6 knows
Accepted, Blocked, Expired, Invalid and ConcurrentTx; a refusal for money
or limits is Blocked.
"""
from dataclasses import dataclass
from decimal import Decimal

ACCEPTED, BLOCKED, EXPIRED, INVALID, CONCURRENT = "Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"

# reason code -> OCPP status
REASONS = {
    "accepted": ACCEPTED,
    "offline_whitelist": ACCEPTED,
    "stored_value": ACCEPTED,
    "unknown_tag": INVALID,
    "unbound": INVALID,
    "card_lost": BLOCKED,
    "card_blacklisted": BLOCKED,
    "card_replaced": EXPIRED,
    "card_cancelled": EXPIRED,
    "member_frozen": BLOCKED,
    "member_blacklisted": BLOCKED,
    "group_archived": BLOCKED,
    "not_group_member": BLOCKED,
    "concurrent": CONCURRENT,
    "day_count": BLOCKED,
    "month_count": BLOCKED,
    "day_amount": BLOCKED,
    "month_amount": BLOCKED,
    "insufficient_funds": BLOCKED,
}


@dataclass(frozen=True)
class Limits:
    """A group member's limits (0: none) and what they used of the group wallet."""
    day_count: int = 0
    month_count: int = 0
    day_amount: Decimal = Decimal(0)
    month_amount: Decimal = Decimal(0)
    used_day_count: int = 0
    used_month_count: int = 0
    used_day_amount: Decimal = Decimal(0)
    used_month_amount: Decimal = Decimal(0)

    def exceeded(self):
        """The first limit reached, or None."""
        for code, limit, used in (("day_count", self.day_count, self.used_day_count),
                                  ("month_count", self.month_count, self.used_month_count),
                                  ("day_amount", self.day_amount, self.used_day_amount),
                                  ("month_amount", self.month_amount, self.used_month_amount)):
            if limit and used >= limit:
                return code, limit, used
        return None

    def amount_left(self):
        """What the member may still spend from the group wallet, or None when unlimited."""
        left = [Decimal(str(limit)) - Decimal(str(used))
                for limit, used in ((self.day_amount, self.used_day_amount),
                                    (self.month_amount, self.used_month_amount)) if limit]
        return max(min(left), Decimal(0)) if left else None


@dataclass(frozen=True)
class StartFacts:
    """What is known about a start request. ``card_state`` is None when the
    tag is not a card (an app start); ``member_status`` None when no member
    is bound; ``available`` is the paying wallet's balance plus credit limit
    (None for a stored-value card, whose money the pile handles)."""
    card_state: str = None
    card_type: str = "auth"
    card_blacklisted: bool = False
    card_whitelisted: bool = False
    member_status: str = None
    has_payer: bool = True
    group_archived: bool = False
    group_member: bool = True
    open_sessions: int = 0
    allowed_sessions: int = 1
    available: Decimal = None
    minimum: Decimal = Decimal(1)
    limits: Limits = None
    offline_start: bool = False


@dataclass(frozen=True)
class Decision:
    status: str
    reason: str
    params: dict

    @property
    def accepted(self):
        return self.status == ACCEPTED


def _decision(reason, **params):
    return Decision(REASONS[reason], reason, params)


def decide(facts):
    """The decision for ``facts``; the first rule that refuses wins."""
    card_refusal = _card_refusal(facts)
    if card_refusal:
        return card_refusal
    if facts.offline_start and facts.card_whitelisted:
        # the pile let a white-listed card charge while it was offline: the fee is taken now
        return _decision("offline_whitelist")
    if not facts.has_payer:
        return _decision("unbound")
    if facts.member_status == "frozen":
        return _decision("member_frozen")
    if facts.member_status == "blacklisted":
        return _decision("member_blacklisted")
    if facts.group_archived:
        return _decision("group_archived")
    if not facts.group_member:
        return _decision("not_group_member")
    if facts.allowed_sessions and facts.open_sessions >= facts.allowed_sessions:
        return _decision("concurrent", open=facts.open_sessions, allowed=facts.allowed_sessions)
    if facts.card_state and facts.card_type == "stored_value":
        return _decision("stored_value")
    if facts.limits:
        exceeded = facts.limits.exceeded()
        if exceeded:
            code, limit, used = exceeded
            return _decision(code, limit=str(limit), used=str(used))
    available = available_amount(facts)
    if available is not None and available < facts.minimum:
        return _decision("insufficient_funds", available=str(available), minimum=str(facts.minimum))
    return _decision("accepted")


def _card_refusal(facts):
    if facts.card_state is None:
        return None
    if facts.card_blacklisted:
        return _decision("card_blacklisted")
    if facts.card_state == "lost":
        return _decision("card_lost")
    if facts.card_state == "replaced":
        return _decision("card_replaced")
    if facts.card_state == "cancelled":
        return _decision("card_cancelled")
    return None


def available_amount(facts):
    """What the start may spend: the wallet's available amount, capped by
    what the group member has left under the amount limits."""
    if facts.available is None:
        return None
    available = Decimal(str(facts.available))
    left = facts.limits.amount_left() if facts.limits else None
    return available if left is None else min(available, left)
