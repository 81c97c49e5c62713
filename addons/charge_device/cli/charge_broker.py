"""Write the broker's password and ACL files from the piles of the database."""
import argparse

from odoo import SUPERUSER_ID, api
from odoo.cli.command import Command
from odoo.modules.registry import Registry
from odoo.tools import config


class ChargeBroker(Command):
    """Write the MQTT broker's password and ACL files for every pile."""
    name = "charge_broker"

    def run(self, cmdargs):
        parser = argparse.ArgumentParser(prog=self.prog, description=self.__doc__)
        parser.add_argument("-c", "--config", help="Odoo configuration file")
        parser.add_argument("-d", "--database", help="database (default: db_name of the configuration)")
        parser.add_argument("--reload", action="store_true", help="send SIGHUP to the broker afterwards")
        args = parser.parse_args(cmdargs)
        odoo_args = [f"--config={args.config}"] if args.config else []
        if args.database:
            odoo_args.append(f"--database={args.database}")
        config.parse_config(odoo_args, setup_logging=True)
        if not config["db_name"]:
            raise SystemExit("No database: give -d DATABASE or db_name in the configuration file.")
        with Registry(config["db_name"][0]).cursor() as cr:
            broker = api.Environment(cr, SUPERUSER_ID, {})["charge.device.broker"]
            folder = broker._write_access_files()
            if args.reload:
                broker._reload_broker(folder)
        print(folder)
