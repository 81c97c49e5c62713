import io

import openpyxl

from odoo.tests import tagged

from .common import ChargeHttpCase

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@tagged("post_install", "-at_install")
class TestPileImportTemplate(ChargeHttpCase):

    def _download_template(self):
        templates = self.env["charge.pile"].get_import_templates()
        self.assertEqual(len(templates), 1)
        self.authenticate("charge_clerk", "charge_clerk")
        response = self.url_open(templates[0]["template"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], XLSX)
        return openpyxl.load_workbook(io.BytesIO(response.content))

    def test_template_round_trip_through_odoo_import(self):
        sheet = self._download_template().active
        headers = [cell.value for cell in sheet[1]]
        self.assertEqual(headers[:5], ["Serial", "Name", "Station", "Area", "Pile Model"])
        # The clerk fills in two piles of the test station and imports the file.
        values = {"Serial": "IMP00001", "Name": "Imported 1", "Station": self.station.name,
                  "Area": self.station.area_ids.code, "Pile Model": "DC120", "Usage Scope": "Public",
                  "Communication": "Ethernet", "SIM ICCID": "89860000000000000001"}
        for row, serial in ((2, "IMP00001"), (3, "IMP00002")):
            for col, header in enumerate(headers, start=1):
                sheet.cell(row=row, column=col, value=dict(values, Serial=serial).get(header))
        buffer = io.BytesIO()
        sheet.parent.save(buffer)

        importer = self.env["base_import.import"].with_user(self.user).create({
            "res_model": "charge.pile", "file": buffer.getvalue(), "file_name": "piles.xlsx",
            "file_type": XLSX,
        })
        options = {"has_headers": True, "advanced": False, "keep_matches": False, "limit": 2000,
                   "date_format": "%Y-%m-%d", "datetime_format": "", "float_thousand_separator": ",",
                   "float_decimal_separator": ".", "import_skip_records": [],
                   "import_set_empty_fields": [], "name_create_enabled_fields": {},
                   "fallback_values": {}, "skip": 0, "encoding": "", "separator": "", "quoting": '"',
                   "sheet": ""}
        preview = importer.parse_preview(options)
        self.assertFalse(preview.get("error"), preview.get("error"))
        fields = ["/".join(preview["matches"][index]) if preview["matches"].get(index) else False
                  for index in range(len(preview["headers"]))]
        self.assertIn("serial", fields)
        self.assertIn("model_id", fields)
        result = importer.execute_import(fields, preview["headers"], options)
        self.assertFalse(result["messages"], result["messages"])
        piles = self.env["charge.pile"].browse(result["ids"])
        self.assertEqual(piles.mapped("serial"), ["IMP00001", "IMP00002"])
        self.assertEqual(piles.station_id, self.station)
        self.assertEqual(piles.model_id, self.dc_model)
        self.assertEqual(set(piles.mapped("communication")), {"ethernet"})
        self.assertEqual(sum(piles.mapped("connector_count")), 4)

    def test_example_row_keeps_a_station_name_as_text(self):
        self.station.name = '=HYPERLINK("http://evil","x")'
        sheet = self._download_template().active
        station = sheet.cell(row=2, column=3)
        self.assertEqual(sheet.cell(row=1, column=3).value, "Station")
        self.assertEqual((station.value, station.data_type), ('=HYPERLINK("http://evil","x")', "s"))

    def test_unknown_template_is_not_found(self):
        self.authenticate("charge_clerk", "charge_clerk")
        response = self.url_open("/charge_base/import_template/res.partner")
        self.assertEqual(response.status_code, 404)
