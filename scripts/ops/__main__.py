"""Entry point: ``python3 -m scripts.ops {setup,run,test,stop,clean}``, run
from the repository root (the Makefile targets do exactly that)."""

import argparse
import shutil
import sys
from pathlib import Path

from . import bench, config, database, odoo_src, postgres, pydeps, services, system, testing, venv
from .console import OpsError, fail, info, step


def setup(settings, *, for_tests=False):
    """Idempotent set-up shared by every command: Python requirements, Odoo,
    PostgreSQL (and Chromium for the tests)."""
    settings.ensure_cache()
    step(f"Set-up (cache: {settings.cache})")
    tree = odoo_src.locate()
    pydeps.ensure(settings, tree)
    if tree:
        odoo_src.link(tree)
    odoo_src.check()
    if for_tests:
        info(f"browser for Odoo's tours: {system.ensure_browser()}")
    postgres.ensure(settings)


def cmd_setup(settings):
    setup(settings)
    info("set-up done")
    return 0


def cmd_run(settings):
    setup(settings)
    database.build(settings)
    try:
        for service in services.SERVICES:
            services.start_service(settings, service)
        code = services.run_odoo_foreground(settings)
    finally:
        services.stop_services(settings)
    info(f"Odoo stopped (exit code {code})")
    return code


def cmd_test(settings):
    setup(settings, for_tests=True)
    return testing.run(settings)


def cmd_bench(settings):
    setup(settings)
    return bench.run(settings)


def cmd_stop(settings):
    stopped = []
    if services.stop_odoo(settings):
        stopped.append("Odoo server")
    stopped += services.stop_services(settings)
    if system.pg_bin("pg_ctl") and postgres.Cluster(settings).stop():
        stopped.append("local PostgreSQL cluster")
    info(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")
    return 0


def _safe_to_delete(path):
    path = Path(path).resolve()
    forbidden = {Path("/"), Path.home().resolve(), config.REPO_ROOT, config.REPO_ROOT.parent}
    return path not in forbidden and (path / config.CACHE_MARKER).is_file()


def cmd_clean(settings):
    cmd_stop(settings)
    if system.pg_bin("pg_ctl"):
        postgres.Cluster(settings).remove()
    if settings.cache.exists():
        if not _safe_to_delete(settings.cache):
            raise OpsError(f"refusing to delete {settings.cache}: it is not a cache folder of this tooling "
                           f"(no {config.CACHE_MARKER} in it)",
                           "Check CHARGE_CACHE, or delete the folder yourself.")
        step(f"Removing the cache {settings.cache}")
        shutil.rmtree(settings.cache)
    info("clean")
    return 0


COMMANDS = {
    "setup": (cmd_setup, "install requirements, make Odoo importable, get PostgreSQL ready"),
    "run": (cmd_run, "set up, build the 'charge' database, start Odoo on http://localhost:<http_port>"),
    "test": (cmd_test, "set up, fresh 'charge_test' database with the addons' tests, then pytest tests/"),
    "bench": (cmd_bench, "set up, then the device bus and billing benchmarks"),
    "stop": (cmd_stop, "stop what `run` started (Odoo, services, local PostgreSQL)"),
    "clean": (cmd_clean, "stop, then remove the local PostgreSQL cluster and the cache folder"),
}


# commands that run Odoo: they run inside the project's environment
IN_VENV = ("setup", "run", "test", "bench")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m scripts.ops", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text)
    args = parser.parse_args(argv)
    func = COMMANDS[args.command][0]
    try:
        settings = config.load()
        if args.command in IN_VENV:
            venv.reexec_inside(sys.argv[1:] if argv is None else list(argv))
        return func(settings)
    except OpsError as error:
        fail(error)
        if args.command == "test":
            # the closing line of a test run, even when it could not start
            print("0 passed, 1 failed", flush=True)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
