"""Write the broker's password and ACL files from the piles of the database."""
import argparse

from odoo import SUPERUSER_ID, api
from odoo.cli.command import Command
from odoo.modules.registry import Registry

from odoo.addons.charge_device.cli._common import add_odoo_arguments, load_odoo_config


class ChargeBroker(Command):
    """Write the MQTT broker's password and ACL files for every pile."""
    name = "charge_broker"

    def run(self, cmdargs):
        parser = argparse.ArgumentParser(prog=self.prog, description=self.__doc__)
        add_odoo_arguments(parser)
        parser.add_argument("--reload", action="store_true", help="send SIGHUP to the broker afterwards")
        args = parser.parse_args(cmdargs)
        with Registry(load_odoo_config(args)).cursor() as cr:
            broker = api.Environment(cr, SUPERUSER_ID, {})["charge.device.broker"]
            folder = broker._write_access_files()
            if args.reload:
                broker._reload_broker(folder)
        print(folder)
