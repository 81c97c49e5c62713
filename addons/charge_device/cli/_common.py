"""What the charge_device commands share: the Odoo options they accept.
(The leading underscore keeps Odoo from taking this file for a command.)"""
from odoo.tools import config


def add_odoo_arguments(parser):
    parser.add_argument("-c", "--config", help="Odoo configuration file ([options] and [charge_device])")
    parser.add_argument("-d", "--database", help="database (default: db_name of the configuration)")


def load_odoo_config(args):
    """Load Odoo's configuration from the parsed ``args``; return the database name."""
    odoo_args = [f"--config={args.config}"] if args.config else []
    if args.database:
        odoo_args.append(f"--database={args.database}")
    config.parse_config(odoo_args, setup_logging=True)
    if not config["db_name"]:
        raise SystemExit("No database: give -d DATABASE or db_name in the configuration file.")
    return config["db_name"][0]
