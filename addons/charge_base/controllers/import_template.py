import io

from odoo import http
from odoo.http import request

from ..tools.xlsx import text_workbook

# Columns of each downloadable import template, in order. Headers are written
# with the field labels in the user's language, which is what Odoo's import
# matches columns against.
TEMPLATE_COLUMNS = {
    "charge.pile": [
        "serial", "name", "station_id", "area_id", "model_id", "usage_scope", "communication",
        "sim_iccid", "firmware_version", "owner_id", "asset_number", "factory_number",
        "card_reader_number", "production_date", "deployment_date", "supply_line",
        "device_loss_rate", "line_loss_rate",
    ],
}


class ChargeImportTemplate(http.Controller):

    @http.route("/charge_base/import_template/<string:model>", type="http", auth="user")
    def import_template(self, model):
        columns = TEMPLATE_COLUMNS.get(model)
        if not columns:
            raise request.not_found()
        records = request.env[model]
        records.check_access("create")
        fields_info = records.fields_get(columns, ["string"])
        buffer = io.BytesIO()
        workbook = text_workbook(buffer)
        sheet = workbook.add_worksheet(records._description)
        bold = workbook.add_format({"bold": True})
        for col, name in enumerate(columns):
            sheet.write(0, col, fields_info[name]["string"], bold)
            sheet.set_column(col, col, 18)
        example = records._import_template_example()
        for col, name in enumerate(columns):
            if example.get(name) is not None:
                sheet.write(1, col, example[name])
        workbook.close()
        filename = f"{model.replace('.', '_')}_import_template.xlsx"
        return request.make_response(buffer.getvalue(), headers=[
            ("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("Content-Disposition", http.content_disposition(filename)),
        ])
