from odoo import models


class ChargeDeviceCommand(models.Model):
    _inherit = "charge.device.command"

    def _on_accepted(self, payload):
        super()._on_accepted(payload)
        if self.action == "SendLocalList":
            self.pile_id._on_local_list_accepted(self)
