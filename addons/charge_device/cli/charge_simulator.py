"""``charge_simulator``: virtual charging piles on the device bus.

A thin wrapper around the repository's pile simulator (the top-level
``pile_simulator`` package, a test and demo tool that does not ship with the
addons): this command reads the piles (and the cards to swipe) from a
database, and the broker from the ``[charge_device]`` section of the
configuration file, then runs ``pile_simulator.runner``.

Piles come from the database (``-d DB``, optionally ``--station NAME_OR_CODE``)
or from the command line (``--serial SERIAL[:PASSWORD]``, no database then).
They connect to the broker, boot, stay online (heartbeats, commands) and,
with ``--sessions N``, charge N vehicles with random id tags, or with
``--demo`` (``make run``) keep charging with the cards the platform accepts.

    python3 -m odoo --addons-path=addons charge_simulator -c odoo.conf -d charge \\
        --station S001 --sessions 20 --speed 60 --duration 600
    python3 -m odoo --addons-path=addons charge_simulator -c odoo.conf -d charge --demo
    python3 -m odoo --addons-path=addons charge_simulator -c odoo.conf \\
        --serial 44030501000001:secret --id-tag CARD0001 --sessions 3 --speed 120
"""
import importlib
import importlib.util
import sys
from pathlib import Path

from odoo.cli import Command
from odoo.tools import config

PACKAGE = "pile_simulator"
RETIRED = "retired"


def repository_root():
    """The charge repository this addon lives in (addons/charge_device/cli/ -> ../../..)."""
    return Path(__file__).resolve().parents[3]


def load_simulator():
    """``pile_simulator.runner``: importable when the command runs from the
    repository root (scripts/ops launches it there) or when the repository is
    on the Python path; else from the repository this addon was checked out
    in. An operator's install without the repository has none: say so."""
    if importlib.util.find_spec(PACKAGE) is None:
        root = repository_root()
        if not (root / PACKAGE / "__init__.py").is_file():
            sys.exit(f"charge_simulator: the pile simulator (the {PACKAGE!r} package of the charge "
                     "repository) is not installed: it is a test and demo tool that comes with the "
                     "repository, not with the addons. Run the command from a checkout of the repository, "
                     "or put the folder that holds pile_simulator/ on PYTHONPATH.")
        sys.path.insert(0, str(root))
    return importlib.import_module(f"{PACKAGE}.runner")


class ChargeSimulator(Command):
    """Run virtual charging piles (OCPP 1.6-J over MQTT) against the device bus"""

    name = "charge_simulator"
    epilog = """
    Other Odoo options (--db_host, --log-level...) are accepted. The command
    must follow --addons-path when the addons are not in Odoo's own folders:
    python3 -m odoo --addons-path=addons charge_simulator -c odoo.conf ...
    The simulator itself is the repository's pile_simulator package.
    """

    def run(self, cmdargs):
        runner = load_simulator()
        args, odoo_args = self._parse(runner, cmdargs)
        if args.config:
            odoo_args += ["-c", args.config]
        if args.database:
            odoo_args += ["-d", args.database]
        config.parse_config(odoo_args, setup_logging=True)

        # imported once the addons path is known (from -c or --addons-path)
        from odoo.addons.charge_device.tools import bus_config  # noqa: PLC0415

        cast = {"tags": {}, "refused": []}
        if args.serial:
            specs = [runner.spec_from_argument(value, args) for value in args.serial]
            id_tags = args.id_tag
            cast["tags"] = {spec["serial"]: list(args.id_tag) for spec in specs}
        else:
            databases = config["db_name"]
            if len(databases) != 1:
                self.parser.error("give one database (-d DB) or piles with --serial SERIAL[:PASSWORD]")
            specs, cast = self._read_piles(databases[0], args.station)
            id_tags = args.id_tag or sorted({tag for tags in cast["tags"].values() for tag in tags})
            if args.id_tag:
                cast["tags"] = {spec["serial"]: list(args.id_tag) for spec in specs}
        refused = args.refused_tag or cast["refused"]
        if not specs:
            sys.exit("charge_simulator: no pile to simulate")
        if args.sessions and not id_tags:
            self.parser.error("--sessions needs id tags: --id-tag TAG (or cards in the database)")
        if args.demo and not any(cast["tags"].values()):
            self.parser.error("--demo needs id tags the platform accepts: --id-tag TAG (or cards in the database)")

        bus = bus_config.load(config["config"])
        host = args.mqtt_host or bus.mqtt_host
        port = args.mqtt_port or bus.mqtt_port
        simulator = runner.make_simulator(args, host, port, specs)
        return runner.run(simulator, args, id_tags, f"{host}:{port}", demo_tags=cast["tags"], refused=refused)

    def _parse(self, runner, cmdargs):
        parser = self.parser
        parser.allow_abbrev = False
        parser.add_argument("-c", "--config", help="Odoo configuration file (its [charge_device] "
                            "section gives the broker)")
        parser.add_argument("-d", "--database", help="read the piles from this database")
        runner.add_arguments(parser)
        args, rest = parser.parse_known_args(cmdargs)
        return runner.check_arguments(parser, args), rest

    # database ------------------------------------------------------------------------

    def _read_piles(self, database, stations):
        """Pile specs and the demo's cast (see ``charge.pile._simulator_cast``), read only."""
        from odoo import api  # noqa: PLC0415
        from odoo.modules.registry import Registry  # noqa: PLC0415

        registry = Registry(database)
        with registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            if "charge.pile" not in env:
                sys.exit(f"charge_simulator: database {database} has no charging piles (charge_base)")
            domain = [("state", "!=", RETIRED)]
            if stations:
                Station = env["charge.station"]
                found = Station.browse()
                for key in stations:
                    station = Station.search(["|", ("code", "=", key), ("name", "=", key)])
                    if not station:
                        sys.exit(f"charge_simulator: no station named or coded {key!r}")
                    found |= station
                domain.append(("station_id", "in", found.ids))
            piles = env["charge.pile"].search(domain)
            specs = [self._spec_from_pile(pile) for pile in piles if pile.serial]
            cast = piles._simulator_cast()
            cr.rollback()
        return specs, cast

    @staticmethod
    def _spec_from_pile(pile):
        def value(record, field, default=None):
            return (record[field] or default) if field in record._fields else default

        numbers = pile.connector_ids.mapped("number")
        connector_powers = [power for power in pile.connector_ids.mapped("max_power") if power]
        spec = {
            "serial": pile.serial,
            "password": value(pile, "mqtt_password", ""),
            "connectors": max(numbers) if numbers else 1,
            "kind": value(pile, "kind", "car"),
            "max_power_kw": value(pile, "max_power"),
            "current_type": value(pile, "current_type"),
            "connector_max_power_kw": max(connector_powers) if connector_powers else None,
            "prefix": value(pile.company_id, "charge_mqtt_prefix", "charge"),
            "iccid": value(pile, "sim_iccid"),
        }
        if value(pile, "firmware_version"):
            spec["firmware"] = pile.firmware_version
        if "model_id" in pile._fields and pile.model_id:
            spec["model"] = pile.model_id.name
        return spec
