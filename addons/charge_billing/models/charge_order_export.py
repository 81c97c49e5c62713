import io

from odoo import fields, models

from odoo.addons.charge_base.tools.xlsx import text_workbook

COLUMNS = [
    "name", "state", "station_id", "area_id", "pile_id", "connector_id", "partner_id", "start_method", "id_tag",
    "start_date", "stop_date", "duration_minutes", "energy_kwh", "energy_sharp", "energy_peak", "energy_flat",
    "energy_valley", "energy_standard", "amount_electricity", "amount_service", "amount_reservation",
    "amount_occupancy", "amount_total", "prepaid_amount", "end_reason_label", "tariff_id",
]
SUMMED = {"duration_minutes", "energy_kwh", "energy_sharp", "energy_peak", "energy_flat", "energy_valley",
          "energy_standard", "amount_electricity", "amount_service", "amount_reservation", "amount_occupancy",
          "amount_total", "prepaid_amount"}


class ChargeOrder(models.Model):
    """The XLSX export of orders: one row per order in the user's language and
    time zone, and a sum row."""
    _inherit = "charge.order"

    def _xlsx_content(self):
        # times in the user's zone (the browser's, recorded at the first login), else the
        # operator's: never UTC for a user who has none
        orders = self.with_context(tz=self.env.context.get("tz") or self.env.user.tz or self.env.company._charge_tz())
        info = orders.fields_get(COLUMNS, ["string", "type", "selection"])
        buffer = io.BytesIO()
        workbook = text_workbook(buffer)
        sheet = workbook.add_worksheet(orders.env._("Charging Orders"))
        bold = workbook.add_format({"bold": True})
        number = workbook.add_format({"num_format": "0.000"})
        money = workbook.add_format({"num_format": "#,##0.00"})
        for col, name in enumerate(COLUMNS):
            sheet.write(0, col, info[name]["string"], bold)
            sheet.set_column(col, col, 16)
        for row, order in enumerate(orders, start=1):
            for col, name in enumerate(COLUMNS):
                sheet.write(row, col, *orders._xlsx_cell(order, name, info[name], number, money))
        total_row = len(orders) + 1
        sheet.write(total_row, 0, orders.env._("Total"), bold)
        for col, name in enumerate(COLUMNS):
            if name in SUMMED:
                fmt = money if info[name]["type"] == "monetary" else number
                sheet.write(total_row, col, sum(orders.mapped(name)), fmt)
        workbook.close()
        return buffer.getvalue()

    def _xlsx_cell(self, order, name, info, number, money):
        value = order[name]
        kind = info["type"]
        if kind == "many2one":
            return (value.display_name or "",)
        if kind == "selection":
            return (dict(info["selection"]).get(value, ""),)
        if kind == "datetime":
            return (fields.Datetime.context_timestamp(order, value).strftime("%Y-%m-%d %H:%M:%S") if value else "",)
        if kind == "monetary":
            return (value, money)
        if kind == "float":
            return (value, number)
        return (value or "",)
