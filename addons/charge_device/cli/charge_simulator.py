"""``charge_simulator``: virtual charging piles on the device bus.

Piles come from the database (``-d DB``, optionally ``--station NAME_OR_CODE``)
or from the command line (``--serial SERIAL[:PASSWORD]``, no database then).
They connect to the MQTT broker of the ``[charge_device]`` section of the
configuration file, boot, stay online (heartbeats, commands) and, with
``--sessions N``, charge N vehicles with random id tags.

    python3 -m odoo --addons-path=addons charge_simulator -c odoo.conf -d charge \\
        --station S001 --sessions 20 --speed 60 --duration 600
    python3 -m odoo --addons-path=addons charge_simulator -c odoo.conf \\
        --serial 44030501000001:secret --id-tag CARD0001 --sessions 3 --speed 120
"""
import logging
import signal
import sys
import threading
import time

from odoo.cli import Command
from odoo.tools import config

_logger = logging.getLogger(__name__)

RETIRED = "retired"


class ChargeSimulator(Command):
    """Run virtual charging piles (OCPP 1.6-J over MQTT) against the device bus"""

    name = "charge_simulator"
    epilog = """
    Other Odoo options (--db_host, --log-level...) are accepted. The command
    must follow --addons-path when the addons are not in Odoo's own folders:
    python3 -m odoo --addons-path=addons charge_simulator -c odoo.conf ...
    """

    def run(self, cmdargs):
        args, odoo_args = self._parse(cmdargs)
        if args.config:
            odoo_args += ["-c", args.config]
        if args.database:
            odoo_args += ["-d", args.database]
        config.parse_config(odoo_args, setup_logging=True)

        # imported once the addons path is known (from -c or --addons-path)
        from odoo.addons.charge_device.simulator import Simulator  # noqa: PLC0415
        from odoo.addons.charge_device.tools import bus_config  # noqa: PLC0415

        if args.serial:
            specs = [self._spec_from_argument(value, args) for value in args.serial]
            id_tags = args.id_tag
        else:
            databases = config["db_name"]
            if len(databases) != 1:
                self.parser.error("give one database (-d DB) or piles with --serial SERIAL[:PASSWORD]")
            specs, database_tags = self._read_piles(databases[0], args.station)
            id_tags = database_tags or args.id_tag
        if not specs:
            sys.exit("charge_simulator: no pile to simulate")
        if args.sessions and not id_tags:
            self.parser.error("--sessions needs id tags: --id-tag TAG (or charge.pile.id.tag records)")

        bus = bus_config.load(config["config"])
        host = args.mqtt_host or bus.mqtt_host
        port = args.mqtt_port or bus.mqtt_port
        simulator = Simulator(
            host=host, port=port, speed=args.speed, meter_interval=args.meter_interval,
            seed=args.seed, connect_rate=args.connect_rate, strict=args.strict, end_frames=args.end_frames,
        )
        for spec in specs:
            simulator.add_pile(**spec)
        return self._simulate(simulator, args, id_tags, f"{host}:{port}")

    # arguments --------------------------------------------------------------------

    def _parse(self, cmdargs):
        parser = self.parser
        parser.allow_abbrev = False
        parser.add_argument("-c", "--config", help="Odoo configuration file (its [charge_device] "
                            "section gives the broker)")
        parser.add_argument("-d", "--database", help="read the piles from this database")
        piles = parser.add_argument_group("piles")
        piles.add_argument("--station", action="append", default=[], metavar="NAME_OR_CODE",
                           help="only the piles of this station (repeatable); default: every pile "
                           "that is not retired")
        piles.add_argument("--serial", action="append", default=[], metavar="SERIAL[:PASSWORD]",
                           help="simulate this pile, without database (repeatable)")
        piles.add_argument("--connectors", type=int, default=1, help="connectors of --serial piles")
        piles.add_argument("--kind", choices=("car", "ebike"), default="car", help="kind of --serial piles")
        piles.add_argument("--max-power", type=float, metavar="KW", help="power of --serial piles")
        piles.add_argument("--prefix", default="charge", help="topic prefix of --serial piles")
        run = parser.add_argument_group("simulation")
        run.add_argument("--speed", type=float, default=1.0,
                         help="simulated seconds per real second (sessions, timestamps)")
        run.add_argument("--sessions", type=int, default=0, help="charging sessions to run")
        run.add_argument("--duration", type=float, default=0.0, metavar="SECONDS",
                         help="stop after this many seconds (0: run until Ctrl-C or SIGTERM)")
        run.add_argument("--id-tag", action="append", default=[], metavar="TAG",
                         help="id tag (card) drivers may swipe (repeatable)")
        run.add_argument("--meter-interval", type=int, default=60, metavar="SECONDS",
                         help="MeterValues interval, simulated seconds")
        run.add_argument("--spread", type=float, metavar="SECONDS",
                         help="sessions start within this many real seconds")
        run.add_argument("--session-minutes", metavar="MIN-MAX",
                         help="drivers stop after MIN to MAX simulated minutes (default: when full)")
        run.add_argument("--boot-timeout", type=float, default=60.0, metavar="SECONDS")
        run.add_argument("--connect-rate", type=float, default=200.0, metavar="PILES_PER_SECOND")
        run.add_argument("--report-every", type=float, default=30.0, metavar="SECONDS",
                         help="progress line interval (0: none)")
        run.add_argument("--end-frames", choices=("stop_finishing", "finishing_stop", "stop_available"),
                         default="stop_finishing",
                         help="frames ending a session with the gun still in: StopTransaction then Finishing "
                              "(default, as most piles), Finishing first, or straight to Available")
        run.add_argument("--seed", type=int, help="repeatable random choices")
        run.add_argument("--strict", action="store_true",
                         help="validate every outgoing payload against the OCPP schemas")
        run.add_argument("--mqtt-host", help="override the broker host of the configuration file")
        run.add_argument("--mqtt-port", type=int, help="override the broker port of the configuration file")
        args, rest = parser.parse_known_args(cmdargs)
        if args.session_minutes:
            try:
                low, _sep, high = args.session_minutes.partition("-")
                args.session_minutes = (float(low), float(high or low))
            except ValueError:
                parser.error("--session-minutes is MIN-MAX, e.g. 20-60")
        if args.speed <= 0:
            parser.error("--speed must be positive")
        return args, rest

    @staticmethod
    def _spec_from_argument(value, args):
        serial, _sep, password = value.partition(":")
        return {
            "serial": serial.strip(), "password": password, "connectors": max(1, args.connectors),
            "kind": args.kind, "max_power_kw": args.max_power, "prefix": args.prefix,
        }

    # database ------------------------------------------------------------------------

    def _read_piles(self, database, stations):
        """Pile specs and id tags from the database (read only)."""
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
            tags = sorted(tag for tag in piles._simulator_id_tags() if tag)
            cr.rollback()
        return specs, tags

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

    # running ----------------------------------------------------------------------------

    def _simulate(self, simulator, args, id_tags, broker):
        stop = threading.Event()

        def on_signal(_signum, _frame):
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        started = time.monotonic()
        deadline = started + args.duration if args.duration > 0 else None
        print(f"charge_simulator: {len(simulator)} piles -> {broker}, speed x{args.speed:g}", flush=True)
        try:
            simulator.start()
            booted = self._wait_booted(simulator, args.boot_timeout, stop)
            print(f"booted {booted}/{len(simulator)} piles in {time.monotonic() - started:.1f} s", flush=True)
            if booted == 0:
                print("no pile booted: is the broker running and does the platform answer?", flush=True)
                return 1
            if args.sessions and not stop.is_set():
                timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
                result = self._run_sessions(simulator, args, id_tags, timeout, stop)
                print("scenario: " + ", ".join(f"{key} {value}" for key, value in result.items()), flush=True)
            self._idle(simulator, deadline, stop, args.report_every)
        finally:
            simulator.stop(stop_sessions=True)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            print(simulator.format_summary(), flush=True)
        return 0

    @staticmethod
    def _wait_booted(simulator, timeout, stop):
        deadline = time.monotonic() + timeout
        booted = 0
        while not stop.is_set() and time.monotonic() < deadline:
            booted = simulator.wait_booted(timeout=min(1.0, max(0.0, deadline - time.monotonic())))
            if booted == len(simulator):
                break
        return booted

    @staticmethod
    def _run_sessions(simulator, args, id_tags, timeout, stop):
        finished = threading.Event()

        def report():
            while args.report_every and not finished.wait(args.report_every) and not stop.is_set():
                ChargeSimulator._progress(simulator)

        threading.Thread(target=report, name="charge-simulator-report", daemon=True).start()
        try:
            return simulator.run_scenario(
                args.sessions, id_tags, spread=args.spread, session_minutes=args.session_minutes,
                timeout=timeout, stop_event=stop)
        finally:
            finished.set()

    @staticmethod
    def _idle(simulator, deadline, stop, report_every):
        last = time.monotonic()
        while not stop.is_set():
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                break
            if report_every and now - last >= report_every:
                last = now
                ChargeSimulator._progress(simulator)
            stop.wait(0.2 if deadline is None else min(0.2, max(0.0, deadline - now)))

    @staticmethod
    def _progress(simulator):
        data = simulator.summary()
        print(f"[{data['seconds']:.0f} s] connected {data['connected']}/{data['piles']}, "
              f"charging {data['charging']}, sessions started {data['sessions_started']} "
              f"stopped {data['sessions_stopped']}, {data['energy_kwh']:.1f} kWh, "
              f"{data['frames_sent']} calls sent", flush=True)
