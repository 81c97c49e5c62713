import json
from unittest.mock import patch

import psycopg2.errors

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ChargeMemberCase


@tagged("post_install", "-at_install")
class TestCard(ChargeMemberCase):

    def test_replacement_retires_the_old_card_and_takes_the_fee_unless_the_operator_is_at_fault(self):
        self.company.charge_card_fee = 15
        self.card.write({"pin_required": True, "pin": "4321"})
        wizard = self.env["charge.card.replace"].create({"old_card_id": self.card.id, "new_number": "CARD2001"})
        action = wizard.action_confirm()
        new = self.env["charge.card"].browse(action["res_id"])
        self.assertEqual((self.card.state, self.card.replaced_by_id, new.replaces_id), ("replaced", new, self.card))
        self.assertEqual((new.partner_id, new.card_type, new.state), (self.li, "auth", "active"))
        self.assertTrue(new._check_pin("4321"), "the PIN follows the card")
        self.assertEqual(new.fee_transaction_id.amount, -15.0)
        self.assertEqual(new.fee_transaction_id.type, "card_fee")
        self.assertEqual(self.li_wallet.balance, 85.0)
        free = new._replace("CARD2002", operator_fault=True)
        self.assertFalse(free.fee_transaction_id)
        self.assertEqual(self.li_wallet.balance, 85.0)
        with self.assertRaisesRegex(UserError, "Replaced"):
            self.card._replace("CARD2003")

    def test_card_number_cannot_change(self):
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            self.card.name = "OTHER"
        with self.assertRaises(Exception), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.env["charge.card"].create({"name": "CARD1001", "company_id": self.company.id})
        with self.assertRaises(Exception), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.env["charge.card"].create({"name": "X" * 21, "company_id": self.company.id})

    def test_pins_are_hashed_and_checked(self):
        self.card.write({"pin_required": True, "pin": "123456"})
        stored = self.card.sudo().pin_hash
        self.assertTrue(stored.startswith("pbkdf2_sha256$"))
        self.assertNotIn("123456", stored)
        self.assertTrue(self.card._check_pin("123456"))
        self.assertFalse(self.card._check_pin("654321"))
        self.assertFalse(self.card.with_user(self.user).read(["has_pin"])[0].get("pin_hash"))
        for bad in ("123", "1234567", "12a4"):
            with self.assertRaises(ValidationError):
                self.card.write({"pin": bad})

    def test_issue_wizard_takes_the_fee_and_refuses_frozen_members(self):
        self.company.charge_card_fee = 0.01
        wizard = self.env["charge.card.issue"].create({"number": "NEW0001", "mobile": "13800138000"})
        wizard._onchange_mobile()
        self.assertEqual(wizard.partner_id, self.li)
        card = self.env["charge.card"].browse(wizard.action_confirm()["res_id"])
        self.assertEqual((card.partner_id, card.fee_transaction_id.amount), (self.li, -0.01))
        self.wang._charge_set_status("frozen")
        wizard = self.env["charge.card.issue"].create({"number": "NEW0002", "partner_id": self.wang.id})
        with self.assertRaisesRegex(UserError, "frozen"):
            wizard.action_confirm()
        with self.assertRaisesRegex(UserError, "open an account"):
            self.env["charge.card.issue"].create({"number": "NEW0003"}).action_confirm()

    def test_lists_rules(self):
        with self.assertRaises(ValidationError):
            self.env["charge.card"].create({"name": "SV01", "card_type": "stored_value", "whitelisted": True,
                                            "company_id": self.company.id})
        with self.assertRaises(Exception), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.card.write({"whitelisted": True, "blacklisted": True})

    def test_white_and_black_lists_are_sent_to_the_piles(self):
        self.dc_model.cap_offline_whitelist = True
        version = self.company.charge_local_list_version
        self.card.whitelisted = True
        self.fleet_card.action_report_lost()
        self.assertEqual(self.company.charge_local_list_version, version + 2)
        self.assertEqual(self.pile.local_list_state, "pending")
        self.env["charge.pile"]._cron_push_local_lists()
        command = self.pile.local_list_command_id
        payload = json.loads(command.payload)
        self.assertEqual((command.action, payload["updateType"], payload["listVersion"]),
                         ("SendLocalList", "Full", version + 2))
        self.assertEqual(sorted((e["idTag"], e["idTagInfo"]["status"]) for e in payload["localAuthorizationList"]),
                         [("CARD1001", "Accepted"), ("FLEET01", "Blocked")])
        self.assertEqual(self.pile.local_list_state, "sent")
        self.send(json.dumps([3, command.message_id, {"status": "Accepted"}]))
        self.assertEqual((self.pile.local_list_version, self.pile.local_list_state), (version + 2, "synced"))

    def test_a_pile_busy_elsewhere_does_not_stop_the_lists_of_the_others(self):
        self.dc_model.cap_offline_whitelist = True
        second = self.create_pile("LIST0002", model=self.dc_model)
        second.action_commission()
        self.card.whitelisted = True
        piles = self.pile | second
        self.assertEqual(piles.mapped("local_list_state"), ["pending", "pending"])
        push = type(self.env["charge.pile"])._push_local_list

        def busy_first_pile(records, *args):
            if records == self.pile:
                raise psycopg2.errors.SerializationFailure("could not serialize access due to concurrent update")
            return push(records, *args)

        with patch.object(type(self.env["charge.pile"]), "_push_local_list", busy_first_pile), \
                self.assertLogs("odoo.addons.charge_member.models.charge_pile", "WARNING") as logs:
            self.env["charge.pile"]._cron_push_local_lists()
        self.assertEqual([(record.levelname, bool(record.exc_info)) for record in logs.records], [("WARNING", False)])
        self.assertEqual((self.pile.local_list_state, second.local_list_state), ("pending", "sent"))
        self.env["charge.pile"]._cron_push_local_lists()
        self.assertEqual(piles.mapped("local_list_state"), ["sent", "sent"])

    def test_vin_card_carries_its_vehicle_vin(self):
        vehicle = self.env["charge.vehicle"].create({"plate": "粤B D12345", "vin": "lvshcamb1ce054249",
                                                     "partner_id": self.li.id, "company_id": self.company.id})
        self.assertEqual((vehicle.plate, vehicle.plate_kind, vehicle.vin), ("粤BD12345", "green_small",
                                                                            "LVSHCAMB1CE054249"))
        card = self.env["charge.card"].create({"card_type": "vin", "vehicle_id": vehicle.id,
                                               "partner_id": self.li.id, "company_id": self.company.id})
        self.assertEqual(card.name, "LVSHCAMB1CE054249")
        owner = self.env["charge.card"]._resolve_tag(self.company, "LVSHCAMB1CE054249")
        self.assertEqual((owner["method"], owner["wallet"]), ("vin", self.li_wallet))
