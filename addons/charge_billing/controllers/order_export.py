from odoo import http
from odoo.http import request


class ChargeOrderExport(http.Controller):

    @http.route("/charge_billing/orders/xlsx", type="http", auth="user")
    def orders_xlsx(self, ids=""):
        try:
            order_ids = [int(value) for value in ids.split(",") if value]
        except ValueError:
            raise request.not_found() from None
        orders = request.env["charge.order"].browse(order_ids).exists()
        orders.check_access("read")
        return request.make_response(orders._xlsx_content(), headers=[
            ("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("Content-Disposition", http.content_disposition("charging_orders.xlsx")),
        ])
