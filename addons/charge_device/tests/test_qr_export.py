import io

import openpyxl

from odoo.tests import HttpCase, tagged

from odoo.addons.charge_base.tests.common import ChargeScenario


@tagged("post_install", "-at_install")
class TestQrExport(ChargeScenario, HttpCase):

    def test_station_label_sheet_and_spreadsheet(self):
        self.create_pile("QREX0001")
        self.create_pile("QREX0002", model=self.ac_model)
        self.authenticate("charge_clerk", "charge_clerk")
        action = self.station.action_export_qr_pdf()
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))

        response = self.url_open(self.station.action_export_qr_xlsx()["url"])
        self.assertEqual(response.status_code, 200)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(len(rows), 1 + 3, "a header and one row per connector")
        self.assertIn("QREX000101", [cell for row in rows for cell in row])
        self.assertEqual(len(sheet._images), 3)

    def test_other_companies_get_nothing(self):
        self.authenticate("admin", "admin")
        other = self.env["res.company"].create({"name": "Elsewhere"})
        self.env.ref("base.user_admin").write({"company_ids": [(6, 0, [other.id])], "company_id": other.id})
        response = self.url_open(f"/charge_device/qr/{self.station.id}/pdf")
        self.assertNotEqual(response.status_code, 200)
