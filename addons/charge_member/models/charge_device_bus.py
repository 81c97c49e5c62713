from decimal import Decimal

from odoo import api, models

from odoo.addons.charge_billing.models.charge_order import OPEN_STATES

from ..tools.authorization import Decision, StartFacts, decide
from .member_messages import reason_text


class ChargeDeviceBus(models.AbstractModel):
    """Members' starts: the card, VIN or app tag resolves to a member (and a
    group), and :func:`..tools.authorization.decide` gives the answer. Tags
    that are no member's go to the lower modules (back-office starts, the
    pile's own list). While charging, meter values drive the running-cost stop."""
    _inherit = "charge.device.bus"

    @api.model
    def _charge_authorize(self, pile, id_tag, stage="authorize", start_time=None, connector=None):
        owner = self.env["charge.card"]._resolve_tag(pile.company_id, id_tag, pile)
        if owner is None:
            return super()._charge_authorize(pile, id_tag, stage=stage, start_time=start_time, connector=connector)
        if stage == "stop":
            # the answer to a StopTransaction only refreshes the pile's cache of the tag: its standing, not a
            # start decision (the wallet's balance waits for the settle queue's payment of this very charge)
            return {"status": decide(self._standing_facts(owner)).status}
        decision = self._member_decision(pile, id_tag, owner, start_time=start_time)
        if not decision.accepted:
            self._log_refusal(pile, id_tag, owner, decision, stage)
        return {"status": decision.status}

    @api.model
    def _charge_authorize_stops(self, requests):
        """The batch of :meth:`_charge_authorize` at the stop: the members'
        tags resolved together, company by company (``charge.card.
        _resolve_tags``), their standing as for one stop; the other tags go
        to the lower modules."""
        by_company, owners = {}, {}
        for pile, id_tag in requests:
            by_company.setdefault(pile.company_id, []).append((pile, id_tag))
        for company, pairs in by_company.items():
            owners.update(self.env["charge.card"]._resolve_tags(company, pairs, wallets=False))
        infos = {(pile.id, id_tag): {"status": decide(self._standing_facts(owners[pile.id, id_tag])).status}
                 for pile, id_tag in requests if owners.get((pile.id, id_tag)) is not None}
        return {**infos, **super()._charge_authorize_stops(
            [(pile, id_tag) for pile, id_tag in requests if (pile.id, id_tag) not in infos])}

    @api.model
    def _charge_refused(self, pile, id_tag, refusal, stage, connector=None):
        """A member's start refused for the pile's state is one of their Refused Starts too."""
        super()._charge_refused(pile, id_tag, refusal, stage, connector=connector)
        owner = self.env["charge.card"]._resolve_tag(pile.company_id, id_tag, pile)
        if owner is not None:
            self._log_refusal(pile, id_tag, owner, Decision(refusal.status, refusal.reason, refusal.params), stage)

    @api.model
    def _member_decision(self, pile, id_tag, owner, starting_order=None, start_time=None):
        """The decision for ``owner``'s start with ``id_tag``; ``start_time``: when
        the pile says the transaction started (a StartTransaction)."""
        return decide(self._start_facts(pile, id_tag, owner, starting_order, start_time=start_time))

    @api.model
    def _standing_facts(self, owner):
        """The facts of the tag's standing alone (its card, member and
        group), without the ones of a start (open sessions, limits, funds)."""
        card, member, group = owner["card"], owner["partner"], owner["group"]
        membership = bool(group.member_ids.filtered(lambda m: m.partner_id == member)) if group and member else True
        return StartFacts(
            card_state=card.state if card else None, card_type=card.card_type if card else "auth",
            card_blacklisted=bool(card.blacklisted), card_whitelisted=bool(card.whitelisted),
            member_status=member.charge_status if member else None, has_payer=bool(member or group),
            group_archived=bool(group) and not group.active, group_member=membership,
        )

    @api.model
    def _start_facts(self, pile, id_tag, owner, starting_order=None, start_time=None):
        card, member, group, wallet = owner["card"], owner["partner"], owner["group"], owner["wallet"]
        Order = self.env["charge.order"].sudo()
        # the order this start belongs to (a remote start waiting for the pile) is not "another" session
        this = starting_order or Order.search([("pile_id", "=", pile.id), ("id_tag", "=", id_tag),
                                               ("state", "=", "starting")], limit=1)
        # an order whose charge ended and waits for the settle queue is no open session any more (its running
        # amount still counts in what the wallet can spend until it is paid, as while it charged)
        open_domain = [("state", "in", OPEN_STATES), ("settle_pending", "=", False), ("id", "not in", this.ids)]
        if member:
            open_sessions = Order.search_count(open_domain + [("partner_id", "=", member.id)])
            allowed = member.charge_max_sessions
        else:
            open_sessions = Order.search_count(open_domain + [("card_id", "=", card.id)]) if card else 0
            allowed = 1
        company = pile.company_id
        limits, membership = None, True
        if group and member:
            line = group.member_ids.filtered(lambda m: m.partner_id == member)[:1]
            membership = bool(line)
            limits = line._usage(exclude_orders=this) if line else None
        available = wallet._spendable(exclude_orders=this) if wallet else None
        return StartFacts(
            card_state=card.state if card else None, card_type=card.card_type if card else "auth",
            card_blacklisted=bool(card.blacklisted), card_whitelisted=bool(card.whitelisted),
            member_status=member.charge_status if member else None,
            has_payer=bool(member or group),
            group_archived=bool(group) and not group.active, group_member=membership,
            open_sessions=open_sessions, allowed_sessions=allowed,
            available=available, minimum=Decimal(str(company.charge_min_start_amount)),
            limits=limits, offline_start=self._started_offline(pile, start_time),
        )

    @api.model
    def _started_offline(self, pile, started):
        """True when a StartTransaction that began at ``started`` began before
        the pile last came back online: a start made online reaches the
        platform at once, so one that was uploaded on reconnecting was made offline."""
        if not started:
            return False
        return bool(self.env["charge.device.event"].sudo().search_count(
            [("pile_id", "=", pile.id), ("event", "=", "online"), ("date", ">=", started)], limit=1))

    @api.model
    def _log_refusal(self, pile, id_tag, owner, decision, stage):
        env = self._operator_env(pile)
        self.env["charge.authorization"].sudo().create({
            "pile_id": pile.id if pile else False, "company_id": (pile.company_id or self.env.company).id,
            "id_tag": id_tag, "card_id": owner["card"].id, "partner_id": owner["partner"].id,
            "group_id": owner["group"].id, "stage": stage, "status": decision.status, "reason": decision.reason,
            "reason_text": reason_text(env, decision.reason, decision.params),
        })

    # Handlers ---------------------------------------------------------------------------

    def _meter_values(self, items):
        progress = super()._meter_values(items)
        ids = [transaction for transaction, _pile in progress]
        if not ids:
            return progress
        orders = self.env["charge.order"].sudo().search([
            ("session_id", "in", ids), ("wallet_id", "!=", False), ("state", "=", "charging"),
            ("payment_state", "=", "to_pay"), ("funds_stop_sent", "=", False)])
        orders._watch_running_cost()
        return progress
