from decimal import Decimal

from odoo import api, models

from odoo.addons.charge_billing.models.charge_order import OPEN_STATES
from odoo.addons.charge_device.tools.ocpp_values import parse_time

from ..tools.authorization import StartFacts, decide
from .member_messages import reason_text


class ChargeDeviceBus(models.AbstractModel):
    """Members' starts: the card, VIN or app tag resolves to a member (and a
    group), and :func:`..tools.authorization.decide` gives the answer. Tags
    that are no member's go to the lower modules (back-office starts, the
    pile's own list). While charging, meter values drive the running-cost stop."""
    _inherit = "charge.device.bus"

    @api.model
    def _charge_authorize(self, pile, id_tag):
        owner = self.env["charge.card"]._resolve_tag(pile.company_id, id_tag, pile)
        if owner is None:
            return super()._charge_authorize(pile, id_tag)
        decision = self._member_decision(pile, id_tag, owner)
        stage = self.env.context.get("charge_auth_stage", "authorize")
        if not decision.accepted and stage != "stop":
            self._log_refusal(pile, id_tag, owner, decision, stage)
        return {"status": decision.status}

    @api.model
    def _member_decision(self, pile, id_tag, owner, starting_order=None):
        return decide(self._start_facts(pile, id_tag, owner, starting_order))

    @api.model
    def _start_facts(self, pile, id_tag, owner, starting_order=None):
        card, member, group, wallet = owner["card"], owner["partner"], owner["group"], owner["wallet"]
        Order = self.env["charge.order"].sudo()
        # the order this start belongs to (a remote start waiting for the pile) is not "another" session
        this = starting_order or Order.search([("pile_id", "=", pile.id), ("id_tag", "=", id_tag),
                                               ("state", "=", "starting")], limit=1)
        open_domain = [("state", "in", OPEN_STATES), ("id", "not in", this.ids)]
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
            limits=limits, offline_start=self._started_offline(pile),
        )

    @api.model
    def _started_offline(self, pile):
        """True when the StartTransaction being handled began before the pile
        last came back online: a start made online reaches the platform at
        once, so one that was uploaded on reconnecting was made offline."""
        started = self.env.context.get("charge_start_time")
        if not started:
            return False
        return bool(self.env["charge.device.event"].sudo().search_count(
            [("pile_id", "=", pile.id), ("event", "=", "online"), ("date", ">=", started)], limit=1))

    @api.model
    def _log_refusal(self, pile, id_tag, owner, decision, stage):
        env = self.env(context=dict(self.env.context, lang=pile.company_id.partner_id.lang or
                                    self.env.context.get("lang")))
        self.env["charge.authorization"].sudo().create({
            "pile_id": pile.id if pile else False, "company_id": (pile.company_id or self.env.company).id,
            "id_tag": id_tag, "card_id": owner["card"].id, "partner_id": owner["partner"].id,
            "group_id": owner["group"].id, "stage": stage, "status": decision.status, "reason": decision.reason,
            "reason_text": reason_text(env, decision.reason, decision.params),
        })

    # Handlers ---------------------------------------------------------------------------

    def _ocpp_authorize(self, pile, payload):
        return super(ChargeDeviceBus, self.with_context(charge_auth_stage="authorize"))._ocpp_authorize(
            pile, payload)

    def _ocpp_start_transaction(self, pile, payload):
        started = parse_time(payload["timestamp"])
        bus = self.with_context(charge_auth_stage="start", charge_start_time=started)
        return super(ChargeDeviceBus, bus)._ocpp_start_transaction(pile, payload)

    def _ocpp_stop_transaction(self, pile, payload):
        # the answer to a stop says whether the tag is still good; a refusal there is no refused start
        return super(ChargeDeviceBus, self.with_context(charge_auth_stage="stop"))._ocpp_stop_transaction(
            pile, payload)

    def _meter_values(self, items):
        super()._meter_values(items)
        sessions = {(item.frame.payload.get("transactionId"), item.pile["id"]) for item in items}
        ids = [transaction for transaction, _pile in sessions if transaction]
        if not ids:
            return
        orders = self.env["charge.order"].sudo().search([
            ("session_id", "in", ids), ("wallet_id", "!=", False), ("state", "=", "charging"),
            ("payment_state", "=", "to_pay"), ("funds_stop_sent", "=", False)])
        orders._watch_running_cost()
