from odoo import models


class ChargeStation(models.Model):
    _inherit = "charge.station"

    def action_export_qr_pdf(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": f"/charge_device/qr/{self.id}/pdf", "target": "self"}

    def action_export_qr_xlsx(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": f"/charge_device/qr/{self.id}/xlsx", "target": "self"}
