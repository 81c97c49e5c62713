"""``bench``: the device bus benchmark (tests/bench/device_bus_bench.py) on a
database of its own with a few hundred piles, each with a session open."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from . import device_bus, odoo_cmd, postgres, process
from .config import TEST_DB
from .console import OpsError, info, step

BENCH_DB = "charge_bench"
PILES = 200

PREPARE = """
import json
station = env.ref("charge_base.station_bay")
piles = env["charge.pile"].search([("serial", "=like", "BENCH%")])
if len(piles) < {piles}:
    env["charge.pile.batch"].create({{
        "station_id": station.id, "model_id": env.ref("charge_base.pile_model_teld_dc120").id,
        "serial_prefix": "BENCH", "first_number": len(piles) + 1, "number_width": 5,
        "quantity": {piles} - len(piles),
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


def _prepare_database(settings):
    if not _complete(settings, BENCH_DB):
        postgres.drop_database(settings, BENCH_DB)
        if _complete(settings, TEST_DB):
            step(f"Database {BENCH_DB!r}: a copy of {TEST_DB!r}")
            postgres.copy_database(settings, TEST_DB, BENCH_DB)
        else:
            step(f"Database {BENCH_DB!r}: every charge addon with demo data")
            args = ["--with-demo", "--stop-after-init", "--no-http", "-i", ",".join(settings.charge_addons())]
            code = process.run_tee(odoo_cmd.server(settings, BENCH_DB, *args),
                                   settings.logs_dir / f"build-{BENCH_DB}.log", cwd=settings.repo,
                                   env=odoo_cmd.env())
            if code:
                raise OpsError(f"building {BENCH_DB!r} failed", f"See {settings.logs_dir}/build-{BENCH_DB}.log")
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


def run_device_bus(settings, seconds=20, rates="1000,2000,3000"):
    serials = prepare_database(settings)
    info(f"{len(serials)} piles with an open session in {BENCH_DB!r}")
    folder = Path(tempfile.mkdtemp(prefix="charge-bench-"))
    port = odoo_cmd.free_port()
    conf = device_bus.write_odoo_conf(settings, folder / "odoo.conf", port,
                                      mqtt_username="", mqtt_password="bench")
    step(f"Benchmark ({seconds} s per run; logs in {folder})")
    odoo_argv = [sys.executable, "-m", "odoo", f"--addons-path={settings.odoo_addons_path()}"]
    code = subprocess.call([
        sys.executable, str(settings.repo / "tests" / "bench" / "device_bus_bench.py"),
        "--odoo-argv", json.dumps(odoo_argv), "--conf", str(conf), "--db", BENCH_DB, "--folder", str(folder),
        "--mosquitto", device_bus.mosquitto_binary(), "--serials", json.dumps(serials),
        "--seconds", str(seconds), "--rates", rates,
    ], cwd=settings.repo)
    return code


def _odoo_shell(settings, code, timeout=1800):
    argv = [sys.executable, "-m", "odoo", f"--addons-path={settings.odoo_addons_path()}", "shell",
            "-c", str(settings.conf_path), "-d", BENCH_DB, "--no-http", "--log-level=warn"]
    return subprocess.run(argv, input=code, text=True, capture_output=True, cwd=settings.repo,
                          env=odoo_cmd.env(), timeout=timeout)


def run_wallet(settings, orders=1000):
    """Orders paid from wallets and posted to accounting per second, in each posting mode
    (charge_finance's tests/bench_posting.py, rolled back)."""
    prepare_database(settings)
    step(f"Wallet benchmark ({orders} orders paid and posted, per posting mode)")
    result = _odoo_shell(settings, "from odoo.addons.charge_finance.tests.bench_posting import bench\n"
                                   f"bench(env, {orders})\n")
    for line in result.stdout.splitlines():
        if line.startswith("posting ("):
            info(line)
    if result.returncode or "posting (daily)" not in result.stdout:
        raise OpsError("the wallet benchmark failed", result.stderr[-2000:])
    return 0


def run_billing(settings):
    """tests/bench/billing_bench.py in an Odoo shell on the bench database (rolled back)."""
    prepare_database(settings)
    step("Billing benchmark (pricing engine, then settlement through the ORM)")
    script = settings.repo / "tests" / "bench" / "billing_bench.py"
    code = f"exec(compile(open({str(script)!r}).read(), {str(script)!r}, 'exec'))\nrun(env)\n"
    result = _odoo_shell(settings, code)
    for line in result.stdout.splitlines():
        if line.startswith(("engine:", "orm:")):
            info(line)
    if result.returncode or "orm:" not in result.stdout:
        raise OpsError("the billing benchmark failed", result.stderr[-2000:])
    return 0


# (name, function(settings) -> exit code); `make bench` runs them in this order
STAGES = [
    ("device bus", run_device_bus),
    ("billing", run_billing),
    ("wallet posting", run_wallet),
]
