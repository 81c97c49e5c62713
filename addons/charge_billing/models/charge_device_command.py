from odoo import api, models

from .charge_tariff_push import FAILED


class ChargeDeviceCommand(models.Model):
    """Orders follow the answers to their commands: a remote start the pile
    refused or never answered (or that the bus could not send) fails its order;
    a refused remote stop puts it back to charging."""
    _inherit = "charge.device.command"

    @api.model
    def _on_answer(self, pile_id, frame):
        command = super()._on_answer(pile_id, frame)
        command._follow_orders()
        return command

    def _publish(self, commit=None):
        super()._publish(commit=commit)
        # the bus unreachable: a remote start that never left fails its order at once
        self.exists()._follow_orders()

    @api.model
    def _cron_timeout(self):
        timed_out = super()._cron_timeout()
        timed_out._follow_orders()
        return timed_out

    def _follow_orders(self):
        """The orders these commands started or stopped, when the pile refused or never answered."""
        failed = self.filtered(lambda command: command.state in FAILED)
        if not failed:
            return
        Order = self.env.company._charge_in_operator_lang(self.env["charge.order"])
        for order in Order.search([("state", "=", "starting"), ("start_command_id", "in", failed.ids)]):
            command = order.start_command_id
            order._on_start_failed(command.error or command.response or command.state)
        for order in Order.search([("state", "=", "stopping"), ("stop_command_id", "in", failed.ids)]):
            order.write({"state": "charging", "auto_stop_sent": False})
            order.message_post(body=Order.env._("The pile did not stop the charge (%s): the order is still running.",
                                               order.stop_command_id.error or order.stop_command_id.state))
