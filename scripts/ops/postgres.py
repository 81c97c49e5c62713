"""PostgreSQL: use the server configured in odoo.conf when it answers, else
start a project-local cluster for it; plus the few SQL helpers the tooling
needs (through ``psql``, so no driver is required).

The local cluster lives in ``<cache>/postgres`` (data/, postgres.log). The
server refuses to run as root, so as root it runs as the ``postgres`` OS
user; when that user cannot reach the cache (a clone under /root, mode
700) the cluster goes to ``/var/tmp/charge-ops/pg-<port>`` instead.
"""

import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from . import process, system
from .console import OpsError, info, step

SERVER_OS_USER = "postgres"
SUPERUSER = "postgres"
FALLBACK_ROOT = Path("/var/tmp/charge-ops")
_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _is_root():
    return os.geteuid() == 0


def _runuser():
    """util-linux's runuser, also when the PATH has no sbin folder (a bare ``env -i``)."""
    found = shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin:/usr/local/sbin")
    if not found:
        raise OpsError("runuser (util-linux) is missing: as root, the tooling runs PostgreSQL as the "
                       f"{SERVER_OS_USER!r} user with it", "Install util-linux, or run as another user.")
    return found


def _as_server_user(argv):
    return [_runuser(), "-u", SERVER_OS_USER, "--", *argv] if _is_root() else list(argv)


def _server_user_can_enter(path):
    return subprocess.run([_runuser(), "-u", SERVER_OS_USER, "--", "test", "-x", str(path)],
                          stdin=subprocess.DEVNULL, capture_output=True).returncode == 0


def quote_ident(name):
    if not _IDENT_RE.match(name):
        raise OpsError(f"refusing SQL identifier {name!r}")
    return '"%s"' % name


def quote_literal(value):
    return "'%s'" % value.replace("'", "''")


class Cluster:
    """The project-local cluster for ``settings.db_port``."""

    def __init__(self, settings):
        self.settings = settings
        in_cache = settings.cache / "postgres"
        if _is_root() and not (settings.cache.is_dir() and _server_user_can_enter(settings.cache)):
            self.base = FALLBACK_ROOT / f"pg-{settings.db_port}"
        else:
            self.base = in_cache

    @property
    def data(self):
        return self.base / "data"

    @property
    def logfile(self):
        return self.base / "postgres.log"

    def initialized(self):
        return (self.data / "PG_VERSION").is_file()

    def running(self):
        if not self.initialized():
            return False
        proc = subprocess.run(_as_server_user([system.pg_bin("pg_ctl"), "status", "-D", self.data]),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True)
        return proc.returncode == 0

    def _prepare_base(self):
        self.base.mkdir(parents=True, exist_ok=True)
        if _is_root():
            if self.base.parent == FALLBACK_ROOT:
                FALLBACK_ROOT.chmod(0o755)
            shutil.chown(self.base, SERVER_OS_USER, SERVER_OS_USER)
            self.base.chmod(0o700)

    def init(self):
        step(f"Creating a local PostgreSQL cluster in {self.data}")
        self._prepare_base()
        process.run(_as_server_user([
            system.pg_bin("initdb"), "-D", self.data, "-U", SUPERUSER, "--encoding=UTF8",
            "--locale=C", "--auth-local=trust", "--auth-host=trust",
        ]), check=True, capture=True)
        # A throw-away development/test cluster: trade durability on an OS
        # crash for speed (Odoo's tests commit a lot).
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# charge tooling: development/test cluster\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                       "max_connections = 200\n")

    def start(self):
        port = self.settings.db_port
        step(f"Starting the local PostgreSQL cluster on localhost:{port} (log: {self.logfile})")
        options = f"-p {port} -h localhost -k {shlex.quote(str(self.data))}"
        proc = subprocess.run(_as_server_user([
            system.pg_bin("pg_ctl"), "start", "-D", str(self.data), "-l", str(self.logfile),
            "-w", "-t", "60", "-o", options,
        ]), stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = ""
            if self.logfile.is_file():
                tail = "\n".join(self.logfile.read_text(errors="replace").splitlines()[-15:])
            raise OpsError(f"the local PostgreSQL cluster did not start on port {port}",
                           f"{proc.stdout}{proc.stderr}{tail}\n"
                           f"Is port {port} used by another program? Change db_port in odoo.conf.")

    def stop(self):
        if not self.running():
            return False
        step(f"Stopping the local PostgreSQL cluster ({self.data})")
        process.run(_as_server_user([system.pg_bin("pg_ctl"), "stop", "-D", self.data,
                                     "-m", "fast", "-w", "-t", "60"]), capture=True)
        return True

    def remove(self):
        self.stop()
        if self.base.exists():
            step(f"Removing the local PostgreSQL cluster {self.base}")
            shutil.rmtree(self.base)


# -- connections -------------------------------------------------------------

def _conn_args(settings, user):
    args = ["-p", str(settings.db_port), "-U", user]
    if settings.db_host:
        args = ["-h", settings.db_host] + args
    return args


def _env(settings):
    env = dict(os.environ, PGCONNECT_TIMEOUT="10")
    for var in ("PGDATABASE", "PGUSER", "PGHOST", "PGPORT", "PGSERVICE"):
        env.pop(var, None)
    if settings.db_password:
        env["PGPASSWORD"] = settings.db_password
    return env


def is_ready(settings):
    args = ["-q", "-p", str(settings.db_port), "-t", "5"]
    if settings.db_host:
        args += ["-h", settings.db_host]
    return subprocess.run([system.pg_bin("pg_isready"), *args], stdin=subprocess.DEVNULL).returncode == 0


def psql(settings, sql, *, db="postgres", user=None, check=True):
    """Run ``sql``; return the unaligned, tuples-only output."""
    proc = subprocess.run(
        [system.pg_bin("psql"), "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
         *_conn_args(settings, user or settings.db_user), "-d", db, "-c", sql],
        env=_env(settings), stdin=subprocess.DEVNULL, capture_output=True, text=True,
    )
    if check and proc.returncode != 0:
        raise OpsError(f"SQL failed on database {db!r}: {sql}\n{proc.stderr.strip()}")
    return proc.stdout.strip() if proc.returncode == 0 else None


def rows(settings, sql, *, db="postgres"):
    out = psql(settings, sql, db=db)
    return [line.split("|") for line in out.splitlines() if line]


def _check_login(settings):
    proc = subprocess.run(
        [system.pg_bin("psql"), "-X", "-A", "-t", *_conn_args(settings, settings.db_user),
         "-d", "postgres", "-c", "SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user"],
        env=_env(settings), stdin=subprocess.DEVNULL, capture_output=True, text=True,
    )
    where = f"{settings.db_host or 'local socket'}:{settings.db_port}"
    if proc.returncode != 0:
        raise OpsError(
            f"PostgreSQL at {where} answers, but role {settings.db_user!r} cannot connect:\n"
            f"{proc.stderr.strip()}",
            f"Create the role on that server, e.g.:\n"
            f"  sudo -u postgres createuser --createdb {settings.db_user}\n"
            f"or set db_user/db_password/db_port in {settings.conf_path} for a server you can use,\n"
            f"or stop that server so that the tooling starts its own cluster on port {settings.db_port}.")
    if proc.stdout.strip() != "t":
        raise OpsError(f"role {settings.db_user!r} on {where} may not create databases",
                       f"Run: sudo -u postgres psql -c 'ALTER ROLE \"{settings.db_user}\" CREATEDB'")


def _ensure_role(settings):
    user = settings.db_user
    sql = (f"DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {quote_literal(user)}) "
           f"THEN CREATE ROLE {quote_ident(user)} LOGIN CREATEDB; END IF; END$$;")
    psql(settings, sql, user=SUPERUSER)
    if settings.db_password:
        psql(settings, f"ALTER ROLE {quote_ident(user)} PASSWORD {quote_literal(settings.db_password)}",
             user=SUPERUSER)


def ensure(settings):
    """Make the server of odoo.conf usable; returns the Cluster when it is the
    project-local one, else None."""
    system.ensure_postgres()
    settings.ensure_cache()
    cluster = Cluster(settings)
    where = f"{settings.db_host or 'local socket'}:{settings.db_port}"
    if is_ready(settings):
        if cluster.running():
            _ensure_role(settings)
            info(f"PostgreSQL: local cluster running on {where} ({cluster.data})")
        else:
            info(f"PostgreSQL: using the server at {where}")
        _check_login(settings)
        return cluster if cluster.running() else None
    if not settings.local_db_host:
        raise OpsError(f"no PostgreSQL server answers at {where} (from {settings.conf_path})",
                       "Start that server, or set db_host = localhost in odoo.conf to let the "
                       "tooling run a project-local cluster.")
    if not cluster.initialized():
        cluster.init()
    cluster.start()
    _ensure_role(settings)
    _check_login(settings)
    info(f"PostgreSQL: local cluster ready on {where}, role {settings.db_user!r}")
    return cluster


# -- databases ---------------------------------------------------------------

def database_exists(settings, name):
    return psql(settings, f"SELECT 1 FROM pg_database WHERE datname = {quote_literal(name)}") == "1"


def drop_database(settings, name, attempts=10):
    """Drop ``name``, ending its connections. An autovacuum worker busy on it
    (after a large install or uninstall) cannot be ended by a role that is not
    superuser (``WITH (FORCE)`` then fails); a plain DROP DATABASE makes the
    worker stop, and the drop is tried again for a few seconds."""
    for attempt in range(attempts):
        if psql(settings, f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)", check=False) is not None:
            break
        if psql(settings, f"DROP DATABASE IF EXISTS {quote_ident(name)}", check=attempt == attempts - 1) is not None:
            break
        time.sleep(1)
    shutil.rmtree(settings.filestore(name), ignore_errors=True)


def copy_database(settings, template, name):
    """``createdb -T template name``, filestore included."""
    drop_database(settings, name)
    psql(settings, f"CREATE DATABASE {quote_ident(name)} TEMPLATE {quote_ident(template)}")
    source = settings.filestore(template)
    if source.is_dir():
        shutil.copytree(source, settings.filestore(name))


def installed_modules(settings, db, names):
    """Subset of ``names`` installed in ``db`` (empty if ``db`` is not an
    Odoo database)."""
    if not names or not database_exists(settings, db):
        return set()
    has_table = psql(settings, "SELECT to_regclass('public.ir_module_module') IS NOT NULL", db=db)
    if has_table != "t":
        return set()
    wanted = ",".join(quote_literal(n) for n in names)
    out = psql(settings, f"SELECT name FROM ir_module_module WHERE state = 'installed' "
                         f"AND name IN ({wanted})", db=db)
    return set(out.split()) if out else set()
