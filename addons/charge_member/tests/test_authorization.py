from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ChargeMemberCase, iso
from odoo.addons.charge_billing.tests.common import utc


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestAuthorization(ChargeMemberCase):
    """The authorisation matrix through the bus, with the refusals logged."""

    def refusal(self, id_tag):
        return self.env["charge.authorization"].search([("id_tag", "=", id_tag)], limit=1)

    def test_member_card_accepted_and_started_order_bound_to_the_wallet(self):
        self.assertEqual(self.authorize("CARD1001"), "Accepted")
        payload = self.start_tag("CARD1001", when="2026-11-21 11:00")
        self.assertEqual(payload["idTagInfo"]["status"], "Accepted")
        order = self.env["charge.order"].search([("session_id", "=", payload["transactionId"])])
        self.assertEqual((order.partner_id, order.card_id, order.wallet_id, order.payment_state, order.start_method),
                         (self.li, self.card, self.li_wallet, "to_pay", "card"))

    def stop_tag(self, transaction, id_tag, when):
        return self.send({"transactionId": transaction, "meterStop": 2000, "timestamp": iso(when), "reason": "Local",
                          "idTag": id_tag}, "StopTransaction")

    def test_the_stop_answers_the_tag_standing_without_a_start_decision(self):
        payload = self.start_tag("CARD1001", when="2026-11-21 11:00")
        transaction = payload["transactionId"]
        # the wallet is empty by now (the payment of this charge waits for the settle queue anyway): the pile's
        # cache keeps the card as good; no start facts (sessions, limits, funds) are read in the listener
        self.li_wallet._adjust(-100, note="spent elsewhere")
        Bus = type(self.env["charge.device.bus"])
        with patch.object(Bus, "_start_facts", side_effect=AssertionError("a start decision at the stop")):
            reply = self.stop_tag(transaction, "CARD1001", "2026-11-21 11:20")
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Accepted")
        self.assertEqual(self.authorize("CARD1001"), "Blocked", "a new start is still refused for its funds")
        # a card lost meanwhile is blocked in the pile's cache, with no refusal logged for a stop
        payload = self.start_tag("FLEET01", when="2026-11-21 11:30", connector=2)
        self.fleet_card.action_report_lost()
        reply = self.stop_tag(payload["transactionId"], "FLEET01", "2026-11-21 11:40")
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Blocked")
        self.assertFalse(self.refusal("FLEET01"))

    def test_unknown_tags_fall_back_to_the_pile_list(self):
        self.assertEqual(self.authorize("CARD0001"), "Accepted")   # the pile's own list (charge_device)
        self.assertEqual(self.authorize("NOBODY"), "Invalid")

    def test_frozen_and_blacklisted_members(self):
        self.li._charge_set_status("frozen", "complaint")
        self.assertEqual(self.authorize("CARD1001"), "Blocked")
        self.assertEqual(self.refusal("CARD1001").reason, "member_frozen")
        self.li._charge_set_status("normal")
        self.assertEqual(self.authorize("CARD1001"), "Accepted")
        self.li.with_user(self.manager)._charge_set_status("blacklisted", "fraud")
        self.assertEqual(self.authorize("CARD1001"), "Blocked")
        self.assertEqual(self.refusal("CARD1001").reason, "member_blacklisted")

    def test_insufficient_funds_against_balance_plus_credit(self):
        self.li_wallet._adjust(-99.5, note="spent elsewhere")
        self.assertEqual(self.authorize("CARD1001"), "Blocked")
        refusal = self.refusal("CARD1001")
        self.assertEqual((refusal.status, refusal.reason, refusal.partner_id), ("Blocked", "insufficient_funds",
                                                                                 self.li))
        self.assertIn("0.50", refusal.reason_text)
        self.li_wallet.sudo().credit_limit = 0.5
        self.assertEqual(self.authorize("CARD1001"), "Accepted", "balance 0.50 + credit 0.50 reaches the 1.00")

    def test_concurrent_sessions(self):
        first = self.start_tag("CARD1001", when="2026-11-21 11:00")
        self.assertEqual(first["idTagInfo"]["status"], "Accepted")
        self.assertEqual(self.authorize("CARD1001"), "ConcurrentTx")
        self.assertEqual(self.refusal("CARD1001").reason, "concurrent")
        self.li.charge_max_sessions = 2
        self.assertEqual(self.authorize("CARD1001"), "Accepted")

    def test_group_limits_per_member(self):
        self.fleet_line.day_count_limit = 1
        order = self.charge("FLEET01", start="2026-11-21 02:00", stop="2026-11-21 02:30", kwh=5)
        self.assertEqual((order.wallet_id, order.group_id, order.payment_state), (self.fleet_wallet, self.fleet,
                                                                                  "paid"))
        self.assertEqual(self.authorize("FLEET01"), "Blocked")
        self.assertEqual(self.refusal("FLEET01").reason, "day_count")
        self.fleet_line.write({"day_count_limit": 0, "day_amount_limit": order.amount_total})
        self.assertEqual(self.authorize("FLEET01"), "Blocked")
        self.assertEqual(self.refusal("FLEET01").reason, "day_amount")
        self.fleet_line.day_amount_limit = order.amount_total + 5
        self.assertEqual(self.authorize("FLEET01"), "Accepted")
        # leaving the group ends the card's right to the group wallet
        self.fleet_line.unlink()
        self.assertEqual(self.authorize("FLEET01"), "Blocked")

    def test_lost_replaced_and_black_listed_cards(self):
        self.card.action_report_lost()
        self.assertEqual(self.authorize("CARD1001"), "Blocked")
        self.card.action_found()
        new = self.card._replace("CARD1002", operator_fault=True)
        self.assertEqual(self.authorize("CARD1001"), "Expired")
        self.assertEqual(self.authorize("CARD1002"), "Accepted")
        new.blacklisted = True
        self.assertEqual(self.authorize("CARD1002"), "Blocked")
        self.assertEqual(self.refusal("CARD1002").reason, "card_blacklisted")

    def test_white_listed_card_started_while_the_pile_was_offline(self):
        """The pile let the card charge while it was offline; it uploads the
        start on reconnecting and the platform accepts it, whatever the
        balance: the fee is taken when the order completes."""
        self.card.whitelisted = True
        self.li_wallet._adjust(-100, note="balance spent")
        self.pile.last_seen = utc("2026-11-21 09:00")
        self.env["charge.pile"]._cron_mark_offline()
        self.assertFalse(self.pile.online)
        # back online at 11:00, uploading the session the card started at 10:00
        self.send({}, "Heartbeat")
        reply = self.start(id_tag="CARD1001", meter_start=0, timestamp=iso("2026-11-21 10:00"))
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Accepted")
        order = self.env["charge.order"].search([("session_id", "=", reply.payload["transactionId"])])
        self.assertEqual(order.state, "charging")
        self.stop(reply.payload["transactionId"], 2000, timestamp=iso("2026-11-21 10:20"))
        self.assertEqual((order.state, order.payment_state), ("completed", "unpaid"))
        # the same card starting now, online, with no money, is refused
        self.assertEqual(self.authorize("CARD1001"), "Blocked")
        # a card not on the white list uploaded the same way is refused
        other = self.env["charge.card"].create({"name": "CARD1003", "partner_id": self.li.id,
                                                "company_id": self.company.id})
        self.pile.last_seen = utc("2026-11-21 11:00")
        self.env["charge.pile"]._cron_mark_offline()
        self.send({}, "Heartbeat")
        reply = self.start(id_tag=other.name, meter_start=0, connector=2, timestamp=iso("2026-11-21 11:30"))
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Blocked")

    def test_app_start_from_the_back_office_checks_the_member(self):
        (self.connector1 | self.connector2).write({"status": "available"})
        wizard = self.env["charge.order.start"].create({"connector_id": self.connector1.id,
                                                        "partner_id": self.wang.id, "payer": "group",
                                                        "group_id": self.fleet.id})
        action = wizard.action_start()
        order = self.env["charge.order"].browse(action["res_id"])
        self.assertEqual((order.id_tag, order.wallet_id, order.group_id), (self.wang.charge_app_tag,
                                                                           self.fleet_wallet, self.fleet))
        reply = self.start(id_tag=self.wang.charge_app_tag, meter_start=0, timestamp=iso("2026-11-21 11:59"))
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Accepted")
        self.assertEqual((order.state, order.session_id.id), ("charging", reply.payload["transactionId"]))
        self.wang._charge_set_status("frozen")
        wizard = self.env["charge.order.start"].create({"connector_id": self.connector2.id,
                                                        "partner_id": self.wang.id})
        with self.assertRaisesRegex(Exception, "frozen"):
            wizard.action_start()
