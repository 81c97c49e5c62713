from odoo import http
from odoo.http import content_disposition, request

from ..tools import qr_labels


class ChargeQrExport(http.Controller):

    @http.route("/charge_device/qr/<int:station_id>/<string:kind>", type="http", auth="user")
    def export(self, station_id, kind):
        if kind not in ("pdf", "xlsx"):
            raise request.not_found()
        station = request.env["charge.station"].browse(station_id).exists()
        if not station:
            raise request.not_found()
        station.check_access("read")
        labels = [{
            "url": connector.qr_url or "",
            "station": station.name,
            "pile_name": connector.pile_id.name,
            "pile_serial": connector.pile_id.serial,
            "connector_code": connector.code,
            "connector_label": connector.name or str(connector.number),
        } for connector in station.connector_ids.sorted(lambda c: (c.pile_id.serial, c.number))]
        if kind == "pdf":
            body = qr_labels.label_sheet_pdf(station.name, labels)
            mimetype = "application/pdf"
        else:
            _ = request.env._
            headers = (_("Station"), _("Pile"), _("Serial"), _("Connector Code"), _("Connector"), _("URL"),
                       _("QR Code"))
            body = qr_labels.labels_xlsx(labels, headers=headers)
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        filename = f"qr-{station.code or station.id}.{kind}"
        return request.make_response(body, headers=[
            ("Content-Type", mimetype), ("Content-Disposition", content_disposition(filename)),
        ])
