"""Settings of the tooling: odoo.conf, cache folder, addon discovery.

Everything is resolved relative to the repository root, whatever the
current directory, and exposed as absolute paths.
"""

import configparser
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .console import OpsError

REPO_ROOT = Path(__file__).resolve().parents[2]
CONF_PATH = REPO_ROOT / "odoo.conf"
REQUIREMENTS = REPO_ROOT / "requirements.txt"
CACHE_MARKER = ".charge-ops-cache"

# Name of the database built (from scratch) by ``make test``.
# CHARGE_TEST_DB / CHARGE_E2E_DB name others, so that two runs (two
# developers' work trees on one server) never drop each other's databases.
TEST_DB = os.environ.get("CHARGE_TEST_DB", "").strip() or "charge_test"
# a copy of TEST_DB for the end-to-end tests, whose listener commits real transactions
E2E_DB = os.environ.get("CHARGE_E2E_DB", "").strip() or "charge_e2e"
# Prefix of every charge addon: each folder ``<addons dir>/charge_*`` that
# holds a ``__manifest__.py`` is one, so later addons are picked up by
# ``make run`` and ``make test`` without touching the tooling.
ADDON_PREFIX = "charge_"
# Odoo modules the test, demo and benchmark databases get with the charge
# addons: Odoo's demo payment provider, which the online payments of the demo
# and of the tests go through (an operator installs its real providers instead)
DEMO_COMPANIONS = ("payment_demo",)

_DB_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def _falsy(value):
    return value is None or value.strip() in ("", "False", "false", "None")


def _split_paths(value):
    return [p.strip() for p in re.split(r"[,%s]" % re.escape(os.pathsep), value or "") if p.strip()]


def check_db_name(name):
    if not _DB_NAME_RE.match(name):
        raise OpsError(f"invalid database name {name!r}",
                       "Use letters, digits, '_', '-' or '.' only.")
    return name


@dataclass
class Settings:
    repo: Path
    conf_path: Path
    cache: Path
    data_dir: Path
    addons_dirs: list = field(default_factory=list)
    db_host: str = "localhost"
    db_port: int = 5432
    db_user: str = "odoo"
    db_password: str = ""
    db_name: str = "charge"
    http_port: int = 8069
    http_interface: str = ""
    # [charge_device] section: the device bus
    mqtt_port: int = 1883
    broker_dir: Path = None

    # -- derived locations -------------------------------------------------
    @property
    def logs_dir(self):
        return self.cache / "logs"

    @property
    def run_dir(self):
        return self.cache / "run"

    @property
    def odoo_pidfile(self):
        return self.run_dir / "odoo.pid"

    def filestore(self, db):
        return self.data_dir / "filestore" / db

    def ensure_cache(self):
        """Create the cache folder (and its marker, which ``clean`` checks
        before deleting anything)."""
        for path in (self.cache, self.logs_dir, self.run_dir, self.data_dir):
            path.mkdir(parents=True, exist_ok=True)
        (self.cache / CACHE_MARKER).touch()

    # -- addons ------------------------------------------------------------
    def charge_addons(self):
        """Names of every charge addon found in the addons folders, sorted."""
        names = set()
        for folder in self.addons_dirs:
            if not folder.is_dir():
                continue
            for child in folder.iterdir():
                if child.name.startswith(ADDON_PREFIX) and (child / "__manifest__.py").is_file():
                    names.add(child.name)
        return sorted(names)

    def demo_install(self):
        """What the test, demo and benchmark databases install: the charge addons and DEMO_COMPANIONS."""
        addons = self.charge_addons()
        return addons + [name for name in DEMO_COMPANIONS if addons and name not in addons]

    def odoo_addons_path(self):
        """Value for Odoo's ``--addons-path``: absolute folders that hold at
        least one addon (Odoo warns about, and skips, the others). Odoo's own
        addons folders are added by Odoo itself."""
        valid = []
        for folder in self.addons_dirs:
            if folder.is_dir() and any(
                (child / "__manifest__.py").is_file() for child in folder.iterdir()
            ):
                valid.append(str(folder))
        return ",".join(valid)

    @property
    def local_db_host(self):
        """True when the configured server is on this machine (so the tooling
        may start a project-local cluster for it)."""
        return self.db_host in ("", "localhost", "127.0.0.1", "::1")


def load(conf_path=None):
    """Read odoo.conf (or $CHARGE_ODOO_CONF) and the environment
    (CHARGE_CACHE, CHARGE_ADDONS_PATH)."""
    conf_path = Path(conf_path or os.environ.get("CHARGE_ODOO_CONF", "").strip() or CONF_PATH)
    if not conf_path.is_absolute():
        conf_path = REPO_ROOT / conf_path
    if not conf_path.is_file():
        raise OpsError(f"{conf_path} not found",
                       "The repository ships a sample odoo.conf: restore it with `git checkout odoo.conf`.")
    parser = configparser.RawConfigParser()
    try:
        parser.read(conf_path)
    except configparser.Error as exc:
        raise OpsError(f"cannot parse {conf_path}: {exc}") from exc
    if not parser.has_section("options"):
        raise OpsError(f"{conf_path} has no [options] section")
    opts = parser["options"]

    def get(key, default=""):
        value = opts.get(key)
        return default if _falsy(value) else value.strip()

    def get_int(key, default):
        value = get(key, str(default))
        try:
            return int(value)
        except ValueError as exc:
            raise OpsError(f"{conf_path}: {key} = {value!r} is not a number") from exc

    env_cache = os.environ.get("CHARGE_CACHE", "").strip()
    cache = Path(env_cache).expanduser() if env_cache else REPO_ROOT / ".cache"
    if not cache.is_absolute():
        cache = REPO_ROOT / cache
    cache = cache.resolve()

    if env_cache:
        data_dir = cache / "odoo-data"
    else:
        data_dir = Path(get("data_dir", ".cache/odoo-data")).expanduser()
        if not data_dir.is_absolute():
            data_dir = REPO_ROOT / data_dir
    addons_dirs = []
    for entry in _split_paths(get("addons_path", "addons")) + _split_paths(
        os.environ.get("CHARGE_ADDONS_PATH", "")
    ):
        path = Path(entry).expanduser()
        path = (path if path.is_absolute() else REPO_ROOT / path).resolve()
        if path not in addons_dirs:
            addons_dirs.append(path)

    device = parser["charge_device"] if parser.has_section("charge_device") else {}
    broker_dir = Path(device.get("broker_dir", "").strip() or cache / "mosquitto").expanduser()
    settings = Settings(
        mqtt_port=int(device.get("mqtt_port", "1883").strip() or 1883),
        broker_dir=(broker_dir if broker_dir.is_absolute() else REPO_ROOT / broker_dir).resolve(),
        repo=REPO_ROOT,
        conf_path=conf_path.resolve(),
        cache=cache,
        data_dir=data_dir.resolve(),
        addons_dirs=addons_dirs,
        db_host=get("db_host", "localhost"),
        db_port=get_int("db_port", 5432),
        db_user=get("db_user", "odoo"),
        db_password=get("db_password", ""),
        db_name=check_db_name(get("db_name", "charge")),
        http_port=get_int("http_port", 8069),
        http_interface=get("http_interface", ""),
    )
    if settings.db_user == "postgres":
        raise OpsError(f"{conf_path}: db_user = postgres is refused by Odoo",
                       "Set db_user to another role (the sample uses `odoo`).")
    return settings
