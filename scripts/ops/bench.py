"""``bench``: every benchmark of the project, in the stages of ``STAGES``
(device bus knee, reconnect and stop storms, billing, wallet posting, a
million orders), on a database of its own (``charge_bench``: a copy of the
test database updated to the current code, with a thousand piles, each with a
session open). Each figure is printed beside its target or ceiling."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from . import device_bus, odoo_cmd, postgres, process
from .config import TEST_DB
from .console import OpsError, info, step

BENCH_DB = "charge_bench"
PILES = 1000  # the device bus benchmark spreads its frames over them (a city has 20,000)

PREPARE = """
import json
station = env.ref("charge_base.station_bay")
piles = env["charge.pile"].search([("serial", "=like", "BENCH%")])
while len(piles) < {piles}:  # a batch creates at most 500 piles
    env["charge.pile.batch"].create({{
        "station_id": station.id, "model_id": env.ref("charge_base.pile_model_teld_dc120").id,
        "serial_prefix": "BENCH", "first_number": len(piles) + 1, "number_width": 5,
        "quantity": min(500, {piles} - len(piles)),
    }}).action_create()
    piles = env["charge.pile"].search([("serial", "=like", "BENCH%")])
sessions = {{}}
for pile in piles:
    session = env["charge.session"].search([("pile_id", "=", pile.id), ("state", "=", "active")], limit=1)
    if not session:
        session = env["charge.session"].create({{
            "pile_id": pile.id, "connector_id": pile.connector_ids[0].id, "id_tag": "BENCH",
            "start_date": "2026-11-21 08:00:00", "meter_start": 0, "meter_last": 0}})
    sessions[pile.serial] = session.id
env.cr.commit()
print("BENCH-SERIALS " + json.dumps(sessions))
"""


def _complete(settings, db):
    """True when ``db`` exists with every charge addon installed."""
    addons = settings.charge_addons()
    return postgres.database_exists(settings, db) and postgres.installed_modules(settings, db, addons) == set(addons)


_PREPARED = {}


def prepare_database(settings):
    """The bench database with its piles; {serial: open session id}. Once per run."""
    if "serials" not in _PREPARED:
        _PREPARED["serials"] = _prepare_database(settings)
    return _PREPARED["serials"]


CODE_PARAM = "charge_bench.code"


def _code_digest(settings):
    """A digest of the charge addons' files: the bench database is updated when it changes."""
    digest = hashlib.sha256()
    for path in sorted((settings.repo / "addons").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".xml", ".csv", ".po", ".pot") and "tests" not in path.parts:
            digest.update(str(path.relative_to(settings.repo)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _update_to_code(settings):
    """The bench database at the addons' current code (a copy of an older
    test database, or the database of an earlier bench run): `-u` when the
    code changed since it was last updated."""
    digest = _code_digest(settings)
    found = postgres.psql(settings, f"SELECT value FROM ir_config_parameter WHERE key = '{CODE_PARAM}'",
                          db=BENCH_DB)
    if found == digest:
        return
    step(f"Database {BENCH_DB!r}: update the charge addons to the current code")
    args = ["--stop-after-init", "--no-http", "-u", ",".join(settings.charge_addons())]
    code = process.run_tee(odoo_cmd.server(settings, BENCH_DB, *args), settings.logs_dir / f"update-{BENCH_DB}.log",
                           cwd=settings.repo, env=odoo_cmd.env())
    if code:
        raise OpsError(f"updating {BENCH_DB!r} failed", f"See {settings.logs_dir}/update-{BENCH_DB}.log")
    postgres.psql(settings, f"INSERT INTO ir_config_parameter (key, value) VALUES ('{CODE_PARAM}', '{digest}') "
                            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", db=BENCH_DB)


def _prepare_database(settings):
    if not _complete(settings, BENCH_DB):
        postgres.drop_database(settings, BENCH_DB)
        if _complete(settings, TEST_DB):
            step(f"Database {BENCH_DB!r}: a copy of {TEST_DB!r}")
            postgres.copy_database(settings, TEST_DB, BENCH_DB)
        else:
            step(f"Database {BENCH_DB!r}: every charge addon with demo data")
            args = ["--with-demo", "--stop-after-init", "--no-http", "-i", ",".join(settings.demo_install())]
            code = process.run_tee(odoo_cmd.server(settings, BENCH_DB, *args),
                                   settings.logs_dir / f"build-{BENCH_DB}.log", cwd=settings.repo,
                                   env=odoo_cmd.env())
            if code:
                raise OpsError(f"building {BENCH_DB!r} failed", f"See {settings.logs_dir}/build-{BENCH_DB}.log")
    _update_to_code(settings)
    argv = [sys.executable, "-m", "odoo", f"--addons-path={settings.odoo_addons_path()}", "shell",
            "-c", str(settings.conf_path), "-d", BENCH_DB, "--no-http"]
    result = subprocess.run(argv, input=PREPARE.format(piles=PILES), text=True, capture_output=True,
                            cwd=settings.repo, env=odoo_cmd.env(), timeout=600)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH-SERIALS "):
            return json.loads(line.split(" ", 1)[1])
    raise OpsError("preparing the benchmark piles failed", result.stderr[-2000:])


def run(settings):
    """Every benchmark stage in turn; the figures are printed as they come.
    A stage that fails is reported and the others still run."""
    failed = []
    for name, stage in STAGES:
        try:
            code = stage(settings)
        except OpsError as error:
            info(f"{name}: {error}")
            code = 1
        if code:
            failed.append(name)
    if failed:
        raise OpsError("benchmark stage(s) failed: " + ", ".join(failed))
    return 0


def run_device_bus(settings, seconds=8, listeners="1,2,3", extra=(), timeout=1200):
    """tests/bench/device_bus_bench.py: the echo's ceiling, then the knee of 1, 2
    and 3 listeners (highest offered rate with p99 < 250 ms) and their answered
    rate at twice the knee, each run on a fresh broker. ``extra``: more
    arguments of the benchmark (e.g. ("--max-trials", "4"))."""
    serials = prepare_database(settings)
    info(f"{len(serials)} piles with an open session in {BENCH_DB!r}")
    folder = Path(tempfile.mkdtemp(prefix="charge-bench-"))
    port = odoo_cmd.free_port()
    conf = device_bus.write_odoo_conf(settings, folder / "odoo.conf", port,
                                      mqtt_username="", mqtt_password="bench")
    step(f"Device bus benchmark ({seconds} s per run; logs in {folder})")
    odoo_argv = [sys.executable, "-m", "odoo", f"--addons-path={settings.odoo_addons_path()}"]
    process = subprocess.Popen([
        sys.executable, str(settings.repo / "tests" / "bench" / "device_bus_bench.py"),
        "--odoo-argv", json.dumps(odoo_argv), "--conf", str(conf), "--db", BENCH_DB, "--folder", str(folder),
        "--mosquitto", device_bus.mosquitto_binary(), "--serials", json.dumps(serials),
        "--seconds", str(seconds), "--listeners", listeners, *extra,
    ], cwd=settings.repo)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        info(f"device bus benchmark: no end after {timeout} s; stopped")
        return 1
    finally:
        if process.poll() is None:
            process.terminate()  # its finally stops the listeners and the broker
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _odoo_shell(settings, code, timeout=1800, db=None):
    argv = [sys.executable, "-m", "odoo", f"--addons-path={settings.odoo_addons_path()}", "shell",
            "-c", str(settings.conf_path), "-d", db or BENCH_DB, "--no-http", "--log-level=warn"]
    return subprocess.run(argv, input=code, text=True, capture_output=True, cwd=settings.repo,
                          env=odoo_cmd.env(), timeout=timeout)


def run_wallet(settings, orders=1000):
    """The wallet posting (charge_finance's tests/bench_posting.py, rolled back), each figure beside its
    target: per document, the journal entries per second the posting queue makes (timed apart from the
    payments, which make none); daily, the orders per second paid from wallets and posted by the summary."""
    prepare_database(settings)
    step(f"Wallet benchmark ({orders} orders paid and posted, per posting mode)")
    result = _odoo_shell(settings, "import json\n"
                                   "from odoo.addons.charge_finance.tests import bench_posting\n"
                                   f"rates = bench_posting.bench(env, {orders})\n"
                                   "print('wallet-rates', json.dumps({'rates': rates, "
                                   "'targets': bench_posting.TARGETS}))\n")
    figures = None
    for line in result.stdout.splitlines():
        if line.startswith("posting ("):
            info(line)
        elif line.startswith("wallet-rates "):
            figures = json.loads(line.split(" ", 1)[1])
    if result.returncode or not figures:
        raise OpsError("the wallet benchmark failed", result.stderr[-2000:])
    rates, targets = figures["rates"], figures["targets"]
    info(f"per document: {rates['document']:.1f} journal entries/s by the posting queue "
         f"(target >= {targets['document']:,}/s)")
    info(f"daily summary: {rates['daily']:.1f} orders/s paid from wallets and posted (target >= {targets['daily']:,}/s)")
    return 0


def run_billing(settings):
    """tests/bench/billing_bench.py in an Odoo shell on the bench database (rolled back)."""
    prepare_database(settings)
    step("Billing benchmark (pricing engine, then settlement through the ORM)")
    script = settings.repo / "tests" / "bench" / "billing_bench.py"
    code = f"exec(compile(open({str(script)!r}).read(), {str(script)!r}, 'exec'))\nrun(env)\n"
    result = _odoo_shell(settings, code)
    for line in result.stdout.splitlines():
        if line.startswith(("engine:", "warm-up", "run ", "orm:")):
            info(line)
    if result.returncode or "orm:" not in result.stdout:
        raise OpsError("the billing benchmark failed", result.stderr[-2000:])
    return 0


def _storm(settings, mode, posting_mode, piles=2000, *options):
    """tests/bench/storm_bench.py: its piles and members prepared in an Odoo
    shell (the company's posting mode set to ``posting_mode`` for the run and
    put back after), then the storm with a broker and listeners of its own."""
    serials = prepare_database(settings)
    script = settings.repo / "tests" / "bench" / "storm_bench.py"
    load = (f"storm = {{'__name__': 'storm_bench'}}\n"
            f"exec(compile(open({str(script)!r}).read(), {str(script)!r}, 'exec'), storm)\n")
    result = _odoo_shell(settings, load + f"storm['prepare'](env, {piles}, {posting_mode!r})\n")
    prep = next((line.split(" ", 1)[1] for line in result.stdout.splitlines() if line.startswith("STORM-PREP ")), None)
    if result.returncode or not prep:
        raise OpsError(f"preparing the {mode} storm failed", result.stderr[-2000:])
    folder = Path(tempfile.mkdtemp(prefix=f"charge-storm-{mode}-"))
    (folder / "prep.json").write_text(prep)
    conf = device_bus.write_odoo_conf(settings, folder / "odoo.conf", odoo_cmd.free_port(),
                                      mqtt_username="", mqtt_password="bench")
    dsn = {"host": settings.db_host, "port": settings.db_port, "user": settings.db_user, "dbname": BENCH_DB,
           **({"password": settings.db_password} if settings.db_password else {})}
    step(f"{mode.capitalize()} storm ({piles} piles; logs in {folder})")
    odoo_argv = [sys.executable, "-m", "odoo", f"--addons-path={settings.odoo_addons_path()}"]
    proc = subprocess.Popen([
        sys.executable, str(script), mode, "--odoo-argv", json.dumps(odoo_argv), "--conf", str(conf),
        "--db", BENCH_DB, "--dsn", json.dumps(dsn), "--folder", str(folder), "--prep", str(folder / "prep.json"),
        "--mosquitto", device_bus.mosquitto_binary(), "--heartbeat-serials", json.dumps(sorted(serials)),
        *options], cwd=settings.repo, start_new_session=True)
    try:
        return proc.wait(900)
    except subprocess.TimeoutExpired:
        raise OpsError(f"the {mode} storm did not end within 900 s; stopped", f"See {folder}") from None
    finally:
        if proc.poll() is None:  # its timeout, or Ctrl-C: the storm and the processes it started are stopped
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        before = json.loads(prep)["posting_mode_before"]
        if before != posting_mode:
            restored = _odoo_shell(settings, load + f"storm['restore_posting'](env, {before!r})\n")
            if "STORM-RESTORED" not in restored.stdout:
                info(f"the company's posting mode could not be set back to {before!r}: "
                     f"{restored.stderr[-1000:]}")


def run_reconnect_storm(settings):
    """2,000 piles boot within 10 s after a broker restart and send again their
    unanswered transaction frames (the books in daily mode: this measures the bus)."""
    return _storm(settings, "reconnect", "daily")


def run_stop_storm(settings):
    """2,000 StopTransactions in 20 s with heartbeats in the background, then
    every order settled by the settle queue and posted one entry per document."""
    return _storm(settings, "stop", "document")


def _big_stamp(settings, big_db):
    """(wanted, found): the stamp the big data set needs (builder version and
    size, the bench database's charge addon versions and columns) and the one
    ``big_db`` carries (None when it does not exist or was never finished)."""
    script = settings.repo / "tests" / "bench" / "big_data.py"
    builder = {"__name__": "big_data"}
    exec(compile(script.read_text(), str(script), "exec"), builder)
    versions = ("SELECT COALESCE(json_object_agg(name, latest_version ORDER BY name), '{}') FROM ir_module_module"
                " WHERE name LIKE 'charge\\_%' AND state = 'installed'")
    columns = ("SELECT md5(string_agg(table_name || '.' || column_name, ',' ORDER BY table_name, column_name))"
               " FROM information_schema.columns WHERE table_schema = 'public'")
    wanted = {"builder": builder["BUILD_VERSION"], "orders": builder["ORDERS"],
              "addons": json.loads(postgres.psql(settings, versions, db=BENCH_DB)),
              "columns": postgres.psql(settings, columns, db=BENCH_DB)}
    if not postgres.database_exists(settings, big_db):
        return wanted, None
    value = postgres.psql(settings, "SELECT value FROM ir_config_parameter WHERE key = "
                                    f"{postgres.quote_literal(builder['STAMP_PARAM'])}", db=big_db)
    found = json.loads(value) if value else None
    if found is not None:
        found = {**found, "columns": postgres.psql(settings, columns, db=big_db)}
    return wanted, found


def run_big_data(settings):
    """A year of a city operator (tests/bench/big_data.py: 1 M orders, 20 M meter
    values, 50,000 members, 10,000 piles) filled by SQL COPY into a copy of the
    bench database, kept between runs and built again when the builder, an
    addon's version or the bench database's columns changed; then the server
    time of the screens on it (tests/bench/big_screens.py)."""
    prepare_database(settings)
    big_db = f"{BENCH_DB}_big"
    wanted, found = _big_stamp(settings, big_db)
    folder = settings.repo / "tests" / "bench"
    load = f"import sys\nsys.path.insert(0, {str(folder)!r})\n"
    if found == wanted:
        info(f"Database {big_db!r}: the data set built before (delete the database to build it again)")
    else:
        step(f"Database {big_db!r}: a copy of {BENCH_DB!r} filled by SQL COPY")
        postgres.copy_database(settings, BENCH_DB, big_db)
        result = _odoo_shell(settings, load + "import big_data\nbig_data.build(env)\n", timeout=3600, db=big_db)
        for line in result.stdout.splitlines():
            if line.startswith("big data:"):
                info(line)
        if result.returncode or "big data: built in" not in result.stdout:
            postgres.drop_database(settings, big_db)
            raise OpsError("building the big data set failed", result.stderr[-2000:])
    step("Screens at a million orders (server time through the ORM)")
    result = _odoo_shell(settings, load + "import big_screens\nbig_screens.run(env)\n", db=big_db)
    for line in result.stdout.splitlines():
        if line.startswith(("screens:", "screen:")):
            info(line)
    if result.returncode or "screen:" not in result.stdout:
        raise OpsError("timing the screens failed", result.stderr[-2000:])
    return 0


# (name, function(settings) -> exit code); `make bench` runs them in this order
STAGES = [
    ("device bus", run_device_bus),
    ("billing", run_billing),
    ("wallet posting", run_wallet),
    ("reconnect storm", run_reconnect_storm),
    ("stop storm", run_stop_storm),
    ("big data", run_big_data),
]
