from odoo import api, models

from .tariff_timezone import operator_context

FAILED = ("rejected", "failed", "timeout")


class ChargeDeviceCommand(models.Model):
    """Orders follow the answers to their commands: a remote start the pile
    refused or never answered fails its order; a refused remote stop puts it
    back to charging."""
    _inherit = "charge.device.command"

    @api.model
    def _on_answer(self, pile_id, frame):
        super()._on_answer(pile_id, frame)
        self._follow_order_commands()

    @api.model
    def _cron_timeout(self):
        super()._cron_timeout()
        self._follow_order_commands()

    @api.model
    def _follow_order_commands(self):
        Order = operator_context(self.env["charge.order"])
        for order in Order.search([("state", "=", "starting"), ("start_command_id.state", "in", FAILED)]):
            command = order.start_command_id
            order._on_start_failed(command.error or command.response or command.state)
        for order in Order.search([("state", "=", "stopping"), ("stop_command_id.state", "in", FAILED)]):
            order.write({"state": "charging", "auto_stop_sent": False})
            order.message_post(body=self.env._("The pile did not stop the charge (%s): the order is still running.",
                                               order.stop_command_id.error or order.stop_command_id.state))
