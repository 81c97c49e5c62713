import re

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import ChargeMemberCase

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestCardStart(ChargeMemberCase):
    """A clerk starts a charge with a member's card picked from a list, checked as
    the pile's Authorize would check it before the command goes."""

    def setUp(self):
        super().setUp()
        (self.connector1 | self.connector2).write({"status": "available"})
        self.context = {"active_model": "charge.connector", "active_id": self.connector2.id}

    def start_form(self):
        return Form(self.env["charge.order.start"].with_user(self.user).with_context(self.context))

    def test_start_with_a_picked_card(self):
        form = self.start_form()
        form.card_id = self.fleet_card
        self.assertEqual((form.partner_id, form.id_tag), (self.wang, "FLEET01"))
        action = form.save().action_start()
        order = self.env["charge.order"].browse(action["res_id"])
        self.assertRecordValues(order, [{
            "state": "starting", "partner_id": self.wang.id, "card_id": self.fleet_card.id, "id_tag": "FLEET01",
            "group_id": self.fleet.id, "wallet_id": self.fleet_wallet.id, "payment_state": "to_pay"}])
        self.assertEqual(order.start_command_id.payload, '{"connectorId": 2, "idTag": "FLEET01"}')

    def test_cards_offered_are_the_usable_cards_of_the_customer(self):
        self.env["charge.card"].create({"name": "LOST01", "partner_id": self.li.id, "company_id": self.company.id})\
            .action_report_lost()
        form = self.start_form()
        form.partner_id = self.li
        self.assertIn("('state', '=', 'active')", self.env["charge.order.start"]._fields["card_id"].domain)
        offered = self.env["charge.card"].with_user(self.user).search([
            ("company_id", "=", self.company.id), ("state", "=", "active"), ("blacklisted", "=", False),
            ("partner_id", "=?", self.li.id)])
        self.assertEqual(offered, self.card)
        # the card list shows who holds each card
        self.assertEqual(self.card.with_context(charge_card_show_holder=True).display_name,
                         "CARD1001 (Authentication) – Li Lei")
        # another member's card is dropped when the customer changes
        form.card_id = self.card
        form.partner_id = self.wang
        self.assertFalse(form.card_id)

    def test_unusable_cards_are_refused_before_sending(self):
        Command = self.env["charge.device.command"]
        self.card.action_report_lost()
        with self.assertRaisesRegex(UserError, r"Card CARD1001 \(Li Lei\) cannot start: .*lost"):
            self.env["charge.order.start"].with_user(self.user).with_context(self.context).create(
                {"partner_id": self.li.id, "card_id": self.card.id}).action_start()
        self.fleet_card.blacklisted = True
        with self.assertRaisesRegex(UserError, "FLEET01 .*cannot start"):
            self.env["charge.order.start"].with_user(self.user).with_context(self.context).create(
                {"partner_id": self.wang.id, "card_id": self.fleet_card.id}).action_start()
        # a typed card number is checked as the card: a walk-in customer cannot use a lost card
        walk_in = self.env["res.partner"].create({"name": "Walk-in"})
        with self.assertRaisesRegex(UserError, "CARD1001 .*cannot start"):
            self.env["charge.order.start"].with_user(self.user).with_context(self.context).create(
                {"partner_id": walk_in.id, "id_tag": "CARD1001"}).action_start()
        self.assertFalse(Command.search([("pile_id", "=", self.pile.id)]))
        self.assertFalse(self.env["charge.order"].search([("connector_id", "=", self.connector2.id)]))

    def test_member_rules_and_funds_are_checked(self):
        poor = self.env["res.partner"].create({"name": "Zhao Lei", "charge_member": True, "company_id": self.company.id,
                                               "charge_mobile": "139 0000 0001"})
        card = self.env["charge.card"].create({"name": "POOR01", "partner_id": poor.id, "company_id": self.company.id})
        with self.assertRaisesRegex(UserError, "POOR01 .*cannot start"):
            self.env["charge.order.start"].with_user(self.user).with_context(self.context).create(
                {"partner_id": poor.id, "card_id": card.id}).action_start()
        self.li._charge_set_status("frozen", "unpaid bills")
        with self.assertRaisesRegex(UserError, "CARD1001 .*frozen"):
            self.env["charge.order.start"].with_user(self.user).with_context(self.context).create(
                {"partner_id": self.li.id, "card_id": self.card.id}).action_start()

    def test_a_card_of_another_member_is_refused(self):
        with self.assertRaisesRegex(UserError, "belongs to Li Lei, not to Wang Fang"):
            self.env["charge.order.start"].with_user(self.user).with_context(self.context).create(
                {"partner_id": self.wang.id, "card_id": self.card.id}).action_start()

    def test_non_member_tags_still_start(self):
        """A tag that is no member's (the pile's own list, a fleet badge) starts as before, unchecked here."""
        walk_in = self.env["res.partner"].create({"name": "Walk-in"})
        action = self.env["charge.order.start"].with_user(self.user).with_context(self.context).create(
            {"partner_id": walk_in.id, "id_tag": "DESK0001"}).action_start()
        order = self.env["charge.order"].browse(action["res_id"])
        self.assertRecordValues(order, [{"partner_id": walk_in.id, "id_tag": "DESK0001", "card_id": False}])

    def test_command_wizard_with_a_card(self):
        Wizard = self.env["charge.command.wizard"].with_user(self.user).with_context(
            default_pile_id=self.pile.id, default_command="remote_start", default_connector_id=self.connector2.id)
        form = Form(Wizard)
        form.card_id = self.card
        self.assertEqual((form.id_tag, form.partner_id), ("CARD1001", self.li))
        form.save().action_send()
        command = self.pile.command_ids
        self.assertRecordValues(command, [{"action": "RemoteStartTransaction", "connector_id": self.connector2.id,
                                           "payload": '{"connectorId": 2, "idTag": "CARD1001"}'}])
        self.card.action_report_lost()
        with self.assertRaisesRegex(UserError, "CARD1001 .*cannot start"):
            Wizard.create({"card_id": self.card.id}).action_send()
        with self.assertRaisesRegex(UserError, "CARD1001 .*cannot start"):
            Wizard.create({"id_tag": "CARD1001"}).action_send()
        self.assertEqual(len(self.pile.command_ids), 1)

    def test_every_error_of_the_start_wizards_is_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["charge_base", "charge_device", "charge_billing", "charge_member"], ["zh_CN"], overwrite=True)
        self.user.lang = "zh_CN"
        Start = self.env["charge.order.start"].with_user(self.user).with_context(self.context, lang="zh_CN")
        Wizard = self.env["charge.command.wizard"].with_user(self.user).with_context(
            lang="zh_CN", default_pile_id=self.pile.id)
        walk_in = self.env["res.partner"].create({"name": "Walk-in"})
        self.card.action_report_lost()
        other_company = self.env["res.company"].create({"name": "Elsewhere"})
        elsewhere = self.env["charge.card"].create({"name": "ELSE01", "company_id": other_company.id,
                                                    "category_id": False})
        attempts = [
            lambda: Start.create({"partner_id": self.li.id, "card_id": self.card.id}).action_start(),
            lambda: Start.create({"partner_id": self.wang.id, "card_id": self.card.id}).action_start(),
            lambda: Start.create({"partner_id": self.wang.id, "payer": "group"}).action_start(),
            lambda: Start.create({"partner_id": walk_in.id, "prepaid_amount": -1}).action_start(),
            lambda: Start.sudo().create({"partner_id": walk_in.id, "card_id": elsewhere.id}).action_start(),
            lambda: Start.with_context(active_id=self.connector1.id).create(
                {"partner_id": walk_in.id}).action_start(),
            lambda: Wizard.create({"command": "remote_start", "connector_id": self.connector2.id}).action_send(),
            lambda: Wizard.create({"command": "remote_start", "connector_id": self.connector2.id,
                                   "id_tag": "CARD1001"}).action_send(),
            lambda: Wizard.create({"command": "configuration"}).action_send(),
        ]
        self.connector1.write({"status": "charging"})
        for number, attempt in enumerate(attempts):
            with self.subTest(attempt=number), self.assertRaises(UserError) as caught:
                attempt()
            message = str(caught.exception)
            self.assertRegex(message, CHINESE, message)
            # no English sentence left in it (the names and tags in it are data)
            self.assertNotRegex(message, r"\b(cannot|not|the|is|to|with)\b", message)
