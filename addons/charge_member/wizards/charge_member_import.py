import base64
import io

import openpyxl

from odoo import fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.charge_base.tools.xlsx import text_workbook

# column key, header (translated when the template is written)
COLUMNS = ("mobile", "name", "nickname", "real_name", "category", "max_sessions")


class ChargeMemberImport(models.TransientModel):
    """Members from a spreadsheet: download the template, fill it in,
    upload it. Each row is created on its own; the rows refused come back
    in a report with the reason, and nothing else is lost."""
    _name = "charge.member.import"
    _description = "Import Members"

    file = fields.Binary(string="Spreadsheet (.xlsx)")
    filename = fields.Char()
    template = fields.Binary(readonly=True)
    template_name = fields.Char(readonly=True)
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    created_count = fields.Integer(readonly=True)
    rejected_count = fields.Integer(readonly=True)
    report = fields.Binary(string="Rejected Rows", readonly=True)
    report_name = fields.Char(readonly=True)
    member_ids = fields.Many2many("res.partner", string="Imported Members", readonly=True)

    def _headers(self):
        return {
            "mobile": self.env._("Mobile (required)"), "name": self.env._("Name"),
            "nickname": self.env._("Nickname"), "real_name": self.env._("Real Name"),
            "category": self.env._("Member Category"), "max_sessions": self.env._("Sessions at Once"),
        }

    def _workbook(self, rows, with_reason=False):
        buffer = io.BytesIO()
        book = text_workbook(buffer)
        sheet = book.add_worksheet(self.env._("Members"))
        bold = book.add_format({"bold": True})
        headers = [self._headers()[key] for key in COLUMNS] + ([self.env._("Reason")] if with_reason else [])
        for column, header in enumerate(headers):
            sheet.write(0, column, header, bold)
            sheet.set_column(column, column, 18)
        text = book.add_format({"num_format": "@"})
        for row_number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                sheet.write_string(row_number, column, "" if value is None else str(value), text)
        book.close()
        return base64.b64encode(buffer.getvalue())

    def action_download_template(self):
        self.ensure_one()
        self.write({"template": self._workbook([("13800138000", "", "", "", "", 1)]),
                    "template_name": self.env._("member_import_template.xlsx")})
        return self._reopen()

    def _reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "target": "new", "name": self.env._("Import Members")}

    def _read_rows(self):
        try:
            book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(self.file)), read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 - any unreadable file gets the same clear message
            raise UserError(self.env._("This file is not an .xlsx spreadsheet (%s).", error)) from error
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        book.close()
        return rows[1:]

    def _row_values(self, row):
        cells = [(str(value).strip() if value is not None else "") for value in (list(row) + [None] * 6)[:6]]
        data = dict(zip(COLUMNS, cells))
        if data["mobile"].endswith(".0"):  # a number typed into a general cell
            data["mobile"] = data["mobile"][:-2]
        values = {"charge_member": True, "charge_source": "import", "charge_mobile": data["mobile"],
                  "company_id": self.env.company.id}
        for key, field in (("name", "name"), ("nickname", "charge_nickname"), ("real_name", "charge_real_name")):
            if data[key]:
                values[field] = data[key]
        if data["category"]:
            category = self.env["charge.member.category"].search(
                [("name", "=", data["category"]), ("company_id", "=", self.env.company.id)], limit=1)
            if not category:
                raise ValidationError(self.env._("unknown member category %s", data["category"]))
            values["charge_category_id"] = category.id
        if data["max_sessions"]:
            try:
                values["charge_max_sessions"] = int(float(data["max_sessions"]))
            except ValueError as error:
                raise ValidationError(self.env._("%s is not a number of sessions", data["max_sessions"])) from error
        return values, cells

    def action_import(self):
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose the spreadsheet to import."))
        created, rejected = self.env["res.partner"], []
        for row in self._read_rows():
            if not any(value not in (None, "") for value in row):
                continue
            cells = [("" if value is None else str(value)) for value in (list(row) + [None] * 6)[:6]]
            try:
                with self.env.cr.savepoint():
                    values, cells = self._row_values(row)
                    created |= self.env["res.partner"].create(values)
            except (UserError, ValidationError) as error:
                rejected.append(cells + [error.args[0] if error.args else str(error)])
        values = {"state": "done", "created_count": len(created), "rejected_count": len(rejected),
                  "member_ids": [fields.Command.set(created.ids)]}
        if rejected:
            values.update(report=self._workbook(rejected, with_reason=True),
                          report_name=self.env._("rejected_members.xlsx"))
        self.write(values)
        return self._reopen()
