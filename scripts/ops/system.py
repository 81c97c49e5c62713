"""Debian packages the tooling relies on: the PostgreSQL server binaries and,
for the browser tests (tours), Chromium. Installed with apt-get when
missing and running as root; otherwise a clear error says what to install."""

import glob
import os
import shutil
from pathlib import Path

from . import process
from .console import OpsError, step

PG_TOOLS = ("initdb", "pg_ctl", "postgres")
PG_CLIENTS = ("psql", "pg_isready")
# the names odoo.tests.common._find_executable looks for on Linux
BROWSERS = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")
# keep Debian's postgresql package from creating and starting its own cluster
CREATECLUSTER_CONF = Path("/etc/postgresql-common/createcluster.conf")

_apt_updated = False


def _apt_install(packages, why):
    global _apt_updated
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise OpsError(f"{why}: missing packages {', '.join(packages)}",
                       f"Install them (Debian/Ubuntu: sudo apt-get install -y {' '.join(packages)}) "
                       "and run again.")
    step(f"Installing {', '.join(packages)} with apt-get ({why})")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if not _apt_updated:
        process.run(["apt-get", "update", "-q"], env=env)
        _apt_updated = True
    process.run(["apt-get", "install", "-y", "-q", "--no-install-recommends",
                 "-o", "Dpkg::Options::=--force-confold", *packages], env=env)


def pg_bin(name):
    """Path of a PostgreSQL program: on PATH, else in Debian's versioned
    folder (newest version first), else None."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
                         reverse=True):
        candidate = Path(folder) / name
        if candidate.is_file():
            return str(candidate)
    return None


def ensure_postgres():
    missing = [name for name in PG_TOOLS + PG_CLIENTS if not pg_bin(name)]
    if not missing:
        return
    if os.geteuid() == 0 and not CREATECLUSTER_CONF.exists():
        CREATECLUSTER_CONF.parent.mkdir(parents=True, exist_ok=True)
        CREATECLUSTER_CONF.write_text("# written by the charge tooling: no default cluster\n"
                                      "create_main_cluster = false\n")
    _apt_install(["postgresql", "postgresql-client"], f"PostgreSQL programs not found: {', '.join(missing)}")
    still = [name for name in PG_TOOLS + PG_CLIENTS if not pg_bin(name)]
    if still:
        raise OpsError(f"PostgreSQL programs still not found after install: {', '.join(still)}")


def browser():
    env_bin = os.environ.get("ODOO_BROWSER_BIN")
    if env_bin and os.path.exists(env_bin):
        return env_bin
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def ensure_browser():
    """Odoo skips its browser tests (tours) without Chrome/Chromium; the test
    run refuses such skips, so make sure one is there."""
    if browser():
        return browser()
    _apt_install(["chromium"], "Chrome/Chromium is needed by Odoo's browser tests")
    found = browser()
    if not found:
        raise OpsError("Chromium still not found after install")
    return found
