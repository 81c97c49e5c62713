import base64
import io

import openpyxl

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.charge_base.tools.xlsx import text_workbook

from .common import ChargeMemberCase


@tagged("post_install", "-at_install")
class TestMember(ChargeMemberCase):

    def test_new_member_defaults(self):
        self.assertEqual(self.li.charge_mobile, "13800138000")
        self.assertEqual(self.wang.charge_mobile, "13900139000")
        default = self.env["charge.member.category"]._default_for(self.company)
        self.assertTrue(default.is_default)
        self.assertEqual(self.li.charge_category_id, default)
        self.assertTrue(self.li.charge_app_tag.startswith("APP"))
        self.assertEqual((self.li_wallet.partner_id, self.li_wallet.company_id), (self.li, self.company))
        guest = self.env["res.partner"].create({"charge_member": True, "charge_mobile": "13712345065",
                                                "charge_source": "online", "company_id": self.company.id})
        self.assertEqual(guest.name, "Guest 5065")

    def test_mobile_is_unique_per_company_with_a_clear_error(self):
        with self.assertRaisesRegex(ValidationError, "already used by member Li Lei"):
            self.env["res.partner"].create({"name": "Copy", "charge_member": True, "charge_mobile": "13800138000",
                                            "company_id": self.company.id})
        with self.assertRaisesRegex(ValidationError, "mobile"):
            self.env["res.partner"].create({"name": "Bad", "charge_member": True, "charge_mobile": "12345",
                                            "company_id": self.company.id})
        other_company = self.env["res.company"].create({"name": "Other Operator"})
        twin = self.env["res.partner"].create({"name": "Twin", "charge_member": True, "charge_mobile": "13800138000",
                                               "company_id": other_company.id})
        self.assertEqual(twin.charge_mobile, "13800138000", "another company may have the same mobile")

    def test_status_changes_need_confirmation_and_rights(self):
        action = self.li.action_charge_freeze()
        wizard = self.env[action["res_model"]].with_context(action["context"]).create({"note": "disputed bill"})
        self.assertEqual((wizard.status, wizard.member_count), ("frozen", 1))
        wizard.action_confirm()
        self.assertEqual((self.li.charge_status, self.li.charge_status_note), ("frozen", "disputed bill"))
        with self.assertRaisesRegex(UserError, "Manager"):
            self.wang.with_user(self.user)._charge_set_status("blacklisted")
        portal = self.env["res.users"].create({"name": "Wang portal", "login": "wang@example.com",
                                               "partner_id": self.wang.id,
                                               "group_ids": [(6, 0, [self.env.ref("base.group_portal").id])]})
        self.wang.with_user(self.manager)._charge_set_status("blacklisted", "fraud")
        self.assertFalse(portal.active, "a blacklisted member is logged out for good")

    def test_import_members_with_a_report_of_rejected_rows(self):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["Mobile", "Name", "Nickname", "Real Name", "Category", "Sessions"])
        sheet.append(["13700000001", "Zhao", "zz", "Zhao Lei", "", 2])
        sheet.append([13700000002, "Qian", "", "", "", ""])
        sheet.append(["13800138000", "Duplicate of Li", "", "", "", ""])
        sheet.append(["999", "Bad mobile", "", "", "", ""])
        sheet.append(["13700000003", "Unknown category", "", "", "VIP", ""])
        sheet.append([None, None, None, None, None, None])
        buffer = io.BytesIO()
        book.save(buffer)
        wizard = self.env["charge.member.import"].create({"file": base64.b64encode(buffer.getvalue()),
                                                          "filename": "members.xlsx"})
        wizard.action_import()
        self.assertEqual((wizard.created_count, wizard.rejected_count), (2, 3))
        zhao = wizard.member_ids.filtered(lambda p: p.charge_mobile == "13700000001")
        self.assertEqual((zhao.charge_source, zhao.charge_max_sessions, zhao.charge_real_name), ("import", 2,
                                                                                                 "Zhao Lei"))
        report = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.report)))
        rows = list(report.active.iter_rows(values_only=True))
        self.assertEqual(len(rows), 4)
        reasons = [row[-1] for row in rows[1:]]
        self.assertIn("already used", reasons[0])
        self.assertIn("999", reasons[1])
        self.assertIn("VIP", reasons[2])
        wizard.action_download_template()
        self.assertTrue(wizard.template)
        with self.assertRaisesRegex(UserError, "not an .xlsx"):
            self.env["charge.member.import"].create({"file": base64.b64encode(b"plain text")}).action_import()

    def test_import_report_keeps_rejected_names_as_text(self):
        buffer = io.BytesIO()
        book = text_workbook(buffer)  # text cells, as a spreadsheet keeps what is typed after a quote
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["Mobile", "Name", "Nickname", "Real Name", "Category", "Sessions"])
        sheet.write_row(1, 0, ["999", '=HYPERLINK("http://evil","x")', "=1+1"])
        book.close()
        wizard = self.env["charge.member.import"].create({"file": base64.b64encode(buffer.getvalue()),
                                                          "filename": "members.xlsx"})
        wizard.action_import()
        self.assertEqual(wizard.rejected_count, 1)
        cells = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.report))).active[2]
        self.assertEqual([cells[1].value, cells[2].value], ['=HYPERLINK("http://evil","x")', "=1+1"])
        self.assertEqual({cells[1].data_type, cells[2].data_type}, {"s"})

    def test_vehicle_plates_vins_and_soc_review(self):
        Vehicle = self.env["charge.vehicle"]
        blue = Vehicle.create({"plate": "粤b-12345", "partner_id": self.li.id, "company_id": self.company.id})
        self.assertEqual((blue.plate, blue.plate_kind), ("粤B12345", "blue"))
        large = Vehicle.create({"plate": "粤B12345D", "partner_id": self.li.id, "company_id": self.company.id})
        self.assertEqual(large.plate_kind, "green_large")
        for bad in ("AB12345", "粤B1234", "粤BI2345"):
            with self.assertRaises(ValidationError):
                Vehicle.create({"plate": bad, "partner_id": self.li.id, "company_id": self.company.id})
        with self.assertRaisesRegex(ValidationError, "17"):
            Vehicle.create({"plate": "粤B54321", "vin": "SHORT", "partner_id": self.li.id,
                            "company_id": self.company.id})
        blue.vin = "WP0ZZZ99ZTS392124"
        self.assertFalse(blue.vin_check_ok, "accepted, with a warning on the form")
        blue._request_soc_limit(90)
        self.assertEqual(blue.soc_state, "pending")
        blue.action_soc_approve()
        self.assertEqual((blue.soc_state, blue.soc_limit), ("approved", 90.0))
        large._request_soc_limit(95)
        large.with_context(soc_review_note="battery warranty").action_soc_reject()
        self.assertEqual((large.soc_state, large.soc_limit, large.soc_review_note), ("rejected", 0.0,
                                                                                     "battery warranty"))
        with self.assertRaises(UserError):
            large.action_soc_approve()
        with self.assertRaises(ValidationError):
            Vehicle.create({"plate": "粤B11111", "owner_type": "group", "company_id": self.company.id})

    def test_groups_form_a_tree_and_keep_their_members(self):
        child = self.env["charge.group"].create({"name": "Night Shift", "parent_id": self.fleet.id,
                                                 "company_id": self.company.id})
        self.assertEqual(child.complete_name, "Fleet / Night Shift")
        self.assertTrue(child.wallet_id, "every group has its wallet")
        with self.assertRaisesRegex(UserError, "members"):
            self.fleet.unlink()
        self.fleet_card.group_id = False
        self.fleet_line.unlink()
        with self.assertRaisesRegex(UserError, "sub-groups"):
            self.fleet.unlink()
        child.unlink()
        with self.assertRaisesRegex(UserError, "ledger"):
            self.fleet.unlink()     # its wallet has money history: archive instead
        empty = self.env["charge.group"].create({"name": "Empty", "company_id": self.company.id})
        wallet = empty.wallet_id
        empty.unlink()
        self.assertFalse(wallet.exists())
        with self.assertRaises(UserError):
            self.fleet.parent_id = child.exists() or self.fleet
