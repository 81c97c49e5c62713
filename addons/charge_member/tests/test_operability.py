from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ChargeMemberCase, iso


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestMemberOperability(ChargeMemberCase):
    """A pile that cannot charge refuses members before any member rule, and
    the refusal is one of the member's Refused Starts, with its reason."""

    def refusals(self, id_tag="CARD1001"):
        return self.env["charge.authorization"].search([("id_tag", "=", id_tag)])

    def test_a_member_is_refused_on_a_stopped_pile_and_the_refusal_logged(self):
        self.pile.action_stop()
        self.assertEqual(self.authorize("CARD1001"), "Blocked")
        payload = self.start_tag("CARD1001", when="2026-11-21 11:00")
        self.assertEqual(payload["idTagInfo"]["status"], "Blocked")
        refusals = self.refusals()
        self.assertEqual(sorted(refusals.mapped("stage")), ["authorize", "start"])
        for refusal in refusals:
            self.assertEqual((refusal.status, refusal.reason, refusal.partner_id, refusal.card_id, refusal.pile_id),
                             ("Blocked", "pile_stopped", self.li, self.card, self.pile))
            self.assertEqual(refusal.reason_text, "the pile is stopped")
        # the order of the refused start is not paid from the wallet
        order = self.env["charge.order"].search([("session_id", "=", payload["transactionId"])])
        self.stop(payload["transactionId"], 5000, timestamp=iso("2026-11-21 11:30"))
        self.assertEqual(order.state, "abnormal")
        self.assertFalse(order.wallet_transaction_ids)

    def test_the_pile_state_goes_before_the_member_rules(self):
        self.li._charge_set_status("frozen", "complaint")
        self.status(1, "Unavailable")
        self.start_tag("CARD1001", when="2026-11-21 11:00", connector=1)
        self.assertEqual(self.refusals().reason, "connector_unavailable")
        self.assertIn("connector 1", self.refusals().reason_text)

    def test_refusals_are_logged_in_the_operators_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["charge_device"], ["zh_CN"])
        self.company.partner_id.lang = "zh_CN"
        self.pile.action_stop()
        self.start_tag("CARD1001", when="2026-11-21 11:00", connector=2)
        self.assertEqual(self.refusals().reason_text, "充电桩已停运")
        event = self.env["charge.device.event"].search([("pile_id", "=", self.pile.id), ("event", "=", "refused")])
        self.assertEqual(event.note, "CARD1001 在充电枪 2 上的启动被拒绝：充电桩已停运。")

    def test_each_state_out_of_operation_is_logged_with_its_reason(self):
        area = self.env["charge.area"].create({"station_id": self.station.id, "name": "B2"})
        self.pile.area_id = area
        area.action_archive()
        self.assertEqual(self.authorize("FLEET01"), "Blocked")
        self.assertEqual(self.refusals("FLEET01").reason, "area_archived")
        self.assertEqual(self.refusals("FLEET01").group_id, self.fleet)

    def test_the_back_office_cannot_start_a_member_charge_on_a_pile_out_of_operation(self):
        """The pile's state is told before the member's: here both refuse."""
        self.connector2.status = "available"
        self.wang._charge_set_status("frozen")
        self.station.approval_state = "to_approve"
        wizard = self.env["charge.order.start"].create({"connector_id": self.connector2.id,
                                                        "partner_id": self.wang.id})
        with self.assertRaisesRegex(UserError, "the station is not approved"):
            wizard.action_start()
        self.assertFalse(self.pile.command_ids)

    def test_offline_start_arguments_are_parameters_not_context(self):
        """StartTransaction's stage and start time reach the member rules as
        arguments: nothing created while handling the frame inherits them."""
        contexts = []
        Session = type(self.env["charge.session"])
        original = Session._on_session_started

        def spy(sessions):
            contexts.append(dict(sessions.env.context))
            return original(sessions)

        with patch.object(Session, "_on_session_started", spy):
            payload = self.start_tag("CARD1001", when="2026-11-21 11:00")
        self.assertEqual(payload["idTagInfo"]["status"], "Accepted")
        self.assertEqual(len(contexts), 1)
        self.assertFalse([key for key in contexts[0] if key in ("charge_auth_stage", "charge_start_time")])
