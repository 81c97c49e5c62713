"""Running a fleet of simulated piles from a command line: the options, and
the run (boot, a scenario or the endless demo, progress lines, a summary).
The ``charge_simulator`` addon command (``addons/charge_device/cli``) adds the
piles and cards it reads from a database and calls :func:`run`."""
import signal
import threading
import time

from .simulator import Simulator


def add_arguments(parser):
    """The pile and simulation options of ``charge_simulator``."""
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
    run.add_argument("--demo", action="store_true",
                     help="the endless demo of make run: drivers charge for a few minutes with cards the "
                          "platform accepts, some stay plugged in after the charge, a refused card now and "
                          "then, a fault now and then (see pile_simulator/demo.py)")
    run.add_argument("--duration", type=float, default=0.0, metavar="SECONDS",
                     help="stop after this many seconds (0: run until Ctrl-C or SIGTERM)")
    run.add_argument("--id-tag", action="append", default=[], metavar="TAG",
                     help="id tag (card) drivers may swipe (repeatable)")
    run.add_argument("--refused-tag", action="append", default=[], metavar="TAG",
                     help="--demo: id tag the platform refuses (repeatable)")
    run.add_argument("--meter-interval", type=int, default=60, metavar="SECONDS",
                     help="MeterValues interval, simulated seconds")
    run.add_argument("--spread", type=float, metavar="SECONDS",
                     help="sessions start within this many real seconds")
    run.add_argument("--session-minutes", metavar="MIN-MAX",
                     help="drivers stop after MIN to MAX simulated minutes (default: when full; "
                          "--demo: 1.5-4 for cars)")
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


def check_arguments(parser, args):
    """Normalise ``args`` (``session_minutes`` becomes a pair); errors through ``parser``."""
    if args.session_minutes:
        try:
            low, _sep, high = args.session_minutes.partition("-")
            args.session_minutes = (float(low), float(high or low))
        except ValueError:
            parser.error("--session-minutes is MIN-MAX, e.g. 20-60")
    if args.speed <= 0:
        parser.error("--speed must be positive")
    if args.demo and args.sessions:
        parser.error("--demo runs sessions of its own: leave out --sessions")
    return args


def spec_from_argument(value, args):
    """A pile spec from ``--serial SERIAL[:PASSWORD]``."""
    serial, _sep, password = value.partition(":")
    return {
        "serial": serial.strip(), "password": password, "connectors": max(1, args.connectors),
        "kind": args.kind, "max_power_kw": args.max_power, "prefix": args.prefix,
    }


def make_simulator(args, host, port, specs):
    simulator = Simulator(
        host=host, port=port, speed=args.speed, meter_interval=args.meter_interval,
        seed=args.seed, connect_rate=args.connect_rate, strict=args.strict, end_frames=args.end_frames,
    )
    for spec in specs:
        simulator.add_pile(**spec)
    return simulator


def run(simulator, args, id_tags, broker, demo_tags=None, refused=()):
    """Boot the piles, run ``args.sessions`` sessions with ``id_tags`` or,
    with ``args.demo``, the endless demo (``demo_tags``: serial -> id tags
    accepted on that pile; ``refused``: refused ones), until ``args.duration``
    or SIGINT/SIGTERM. Returns the exit code."""
    stop = threading.Event()

    def on_signal(_signum, _frame):
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    started = time.monotonic()
    deadline = started + args.duration if args.duration > 0 else None
    print(f"charge_simulator: {len(simulator)} piles -> {broker}, speed x{args.speed:g}", flush=True)
    try:
        simulator.start()
        booted = _wait_booted(simulator, args.boot_timeout, stop)
        print(f"booted {booted}/{len(simulator)} piles in {time.monotonic() - started:.1f} s", flush=True)
        if booted == 0:
            print("no pile booted: is the broker running and does the platform answer?", flush=True)
            return 1
        if args.demo and not stop.is_set():
            options = {"car_minutes": args.session_minutes} if args.session_minutes else {}
            simulator.start_demo(demo_tags or {}, refused=refused, **options)
            cards = len({tag for tags in (demo_tags or {}).values() for tag in tags})
            print(f"demo: {cards} cards on {len(demo_tags or {})} piles, {len(refused)} refused card(s)",
                  flush=True)
        elif args.sessions and not stop.is_set():
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            result = _run_sessions(simulator, args, id_tags, timeout, stop)
            print("scenario: " + ", ".join(f"{key} {value}" for key, value in result.items()), flush=True)
        _idle(simulator, deadline, stop, args.report_every)
    finally:
        simulator.stop(stop_sessions=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if simulator.demo is not None:
            print("demo: " + _demo_line(simulator.demo_result()), flush=True)
        print(simulator.format_summary(), flush=True)
    return 0


def _wait_booted(simulator, timeout, stop):
    deadline = time.monotonic() + timeout
    booted = 0
    while not stop.is_set() and time.monotonic() < deadline:
        booted = simulator.wait_booted(timeout=min(1.0, max(0.0, deadline - time.monotonic())))
        if booted == len(simulator):
            break
    return booted


def _run_sessions(simulator, args, id_tags, timeout, stop):
    finished = threading.Event()

    def report():
        while args.report_every and not finished.wait(args.report_every) and not stop.is_set():
            progress(simulator)

    threading.Thread(target=report, name="charge-simulator-report", daemon=True).start()
    try:
        return simulator.run_scenario(
            args.sessions, id_tags, spread=args.spread, session_minutes=args.session_minutes,
            timeout=timeout, stop_event=stop)
    finally:
        finished.set()


def _idle(simulator, deadline, stop, report_every):
    last = time.monotonic()
    while not stop.is_set():
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            break
        if report_every and now - last >= report_every:
            last = now
            progress(simulator)
        stop.wait(0.2 if deadline is None else min(0.2, max(0.0, deadline - now)))


def _demo_line(data):
    return (f"charging {data['charging']}, started {data['started']}, stopped {data['stopped']}, "
            f"occupancies {data['occupancies']}, refused cards {data['refusals']}, faults {data['faults']}, "
            f"failed starts {data['failed']}, {data['energy_kwh']:.1f} kWh")


def progress(simulator):
    data = simulator.summary()
    line = (f"[{data['seconds']:.0f} s] connected {data['connected']}/{data['piles']}, "
            f"charging {data['charging']}, sessions started {data['sessions_started']} "
            f"stopped {data['sessions_stopped']}, {data['energy_kwh']:.1f} kWh, "
            f"{data['frames_sent']} calls sent")
    if simulator.demo is not None:
        line += "; demo: " + _demo_line(simulator.demo_result())
    print(line, flush=True)
