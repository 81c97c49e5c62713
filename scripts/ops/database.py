"""Builds the development database (``db_name`` of odoo.conf, ``charge``):
every charge addon installed (``-i``) or updated (``-u``), demo data, zh_CN."""

from . import odoo_cmd, postgres, process
from .console import OpsError, Timer, info, step, warn

LANGUAGE = "zh_CN"


def plan(settings, db):
    """(to_install, to_update) for ``db``: addons missing from it get ``-i``,
    installed ones ``-u``."""
    addons = settings.charge_addons()
    wanted = settings.demo_install()
    installed = postgres.installed_modules(settings, db, wanted)
    return [a for a in wanted if a not in installed], sorted(set(installed) & set(addons))


def build(settings):
    db = settings.db_name
    addons = settings.charge_addons()
    if not addons:
        warn(f"no charge addons found (charge_*/__manifest__.py in "
             f"{', '.join(str(d) for d in settings.addons_dirs)}): the database gets Odoo's base only")
    exists = postgres.database_exists(settings, db)
    to_install, to_update = plan(settings, db)
    if not addons and not exists:
        to_install = ["base"]

    args = ["--with-demo", f"--load-language={LANGUAGE}", "--stop-after-init", "--no-http"]
    if to_install:
        args += ["-i", ",".join(to_install)]
    if to_update:
        args += ["-u", ",".join(to_update)]
    what = "; ".join(filter(None, [
        to_install and f"install {', '.join(to_install)}",
        to_update and f"update {', '.join(to_update)}",
    ])) or "load the language"
    step(f"Database {db!r} ({'exists' if exists else 'new'}): {what}, demo data, {LANGUAGE}")
    log = settings.logs_dir / f"build-{db}.log"
    with Timer(f"database {db!r} built"):
        code = process.run_tee(odoo_cmd.server(settings, db, *args), log,
                               cwd=settings.repo, env=odoo_cmd.env())
    if code != 0:
        raise OpsError(f"building database {db!r} failed (Odoo exit code {code})",
                       f"See the log above, also in {log}.")
    missing = set(addons) - postgres.installed_modules(settings, db, addons)
    if missing:
        raise OpsError(f"database {db!r}: not installed after the build: {', '.join(sorted(missing))}",
                       f"See {log} for the reason (unmet dependency? error in the addon?).")
    info(f"database {db!r} ready: {len(addons)} charge addon(s) installed")
