"""Processes started by ``run``: background services (each a ``Service`` in
``SERVICES``, with its own pid and log file in the cache) and the Odoo
server in the foreground. ``stop`` stops them all through their pid files.

A new service (MQTT broker, device listener, simulator, ...) is one more
``Service`` entry in ``SERVICES``; ``run`` starts them in order before
Odoo and ``stop`` stops them in reverse order.
"""

import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable, Optional

from . import device_bus, odoo_cmd, process
from .console import OpsError, info, step


@dataclass(frozen=True)
class Service:
    name: str
    # argv of the service, from the settings
    command: Callable[[object], list]
    # returns True once the service is ready to be used (e.g. its port answers)
    ready: Optional[Callable[[object], bool]] = None
    ready_timeout: float = 30.0

    def pidfile(self, settings):
        return settings.run_dir / f"{self.name}.pid"

    def logfile(self, settings):
        return settings.logs_dir / f"{self.name}.log"


# Background services of ``make run``, started in this order before Odoo.
SERVICES: tuple = (
    Service("mqtt-broker", device_bus.broker_command, device_bus.broker_ready),
    Service("device-listener", device_bus.listener_command),
    Service("pile-simulator", device_bus.simulator_command),
)


def start_service(settings, service):
    pidfile = service.pidfile(settings)
    pid = process.read_pid(pidfile)
    if pid:
        info(f"{service.name}: already running (pid {pid})")
        return
    step(f"Starting {service.name} (log: {service.logfile(settings)})")
    with open(service.logfile(settings), "a", encoding="utf-8") as log:
        proc = subprocess.Popen(service.command(settings), cwd=settings.repo, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    pidfile.write_text(f"{proc.pid}\n")
    if service.ready:
        deadline = time.monotonic() + service.ready_timeout
        while not service.ready(settings):
            if proc.poll() is not None:
                raise OpsError(f"{service.name} exited with code {proc.returncode}",
                               f"See {service.logfile(settings)}.")
            if time.monotonic() > deadline:
                raise OpsError(f"{service.name} not ready after {service.ready_timeout:.0f}s",
                               f"See {service.logfile(settings)}.")
            time.sleep(0.2)


def stop_services(settings):
    stopped = []
    for service in reversed(SERVICES):
        if process.stop_pid(service.pidfile(settings), service.name):
            stopped.append(service.name)
    return stopped


def stop_odoo(settings):
    return process.stop_pid(settings.odoo_pidfile, "Odoo server", timeout=60)


def run_odoo_foreground(settings):
    """Start Odoo on ``db_name``/``http_port`` and wait for it; returns its
    exit code. Ctrl-C (or ``make stop``) stops it."""
    pid = process.read_pid(settings.odoo_pidfile)
    if pid:
        raise OpsError(f"an Odoo server of this repository is already running (pid {pid})",
                       "Stop it first: make stop")
    if odoo_cmd.port_open(settings.http_port):
        raise OpsError(f"port {settings.http_port} is already in use",
                       f"Stop the program using it, or change http_port in {settings.conf_path}.")
    argv = odoo_cmd.server(settings, settings.db_name, f"--http-port={settings.http_port}",
                           f"--pidfile={settings.odoo_pidfile}")
    step(f"Starting Odoo on http://localhost:{settings.http_port} (Ctrl-C or `make stop` to stop)")
    proc = subprocess.Popen(argv, cwd=settings.repo, env=odoo_cmd.env(), stdin=subprocess.DEVNULL)
    # Odoo writes its pid file itself; write it now too so that `make stop`
    # works from the first second.
    settings.odoo_pidfile.write_text(f"{proc.pid}\n")
    announced = False
    try:
        while proc.poll() is None:
            if not announced and odoo_cmd.port_open(settings.http_port):
                announced = True
                _banner(settings)
            time.sleep(0.5)
    except KeyboardInterrupt:
        # Ctrl-C reached Odoo too (same process group): give it time for its
        # graceful shutdown (a second SIGINT would force it), then insist.
        for sig, grace in ((None, 10), (signal.SIGTERM, 50), (signal.SIGKILL, 10)):
            if sig:
                proc.send_signal(sig)
            try:
                proc.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue
    finally:
        settings.odoo_pidfile.unlink(missing_ok=True)
    return proc.wait()


def _banner(settings):
    lines = [
        f"Odoo is up: http://localhost:{settings.http_port}/web/login",
        f"database: {settings.db_name}    login: admin    password: admin (demo database)",
        "stop: Ctrl-C here, or `make stop` from another shell",
    ]
    width = max(len(line) for line in lines)
    print("\n" + "=" * width, *lines, "=" * width + "\n", sep="\n", file=sys.stdout, flush=True)
