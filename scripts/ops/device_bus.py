"""The device bus of ``make run``: a mosquitto broker configured from the
piles of the database, the device listener, and a pile simulator for the
demo stations."""

import getpass
import shutil
from pathlib import Path

from . import odoo_cmd, process, system
from .console import OpsError, info

# demo stations whose piles the simulator brings to life (charge_base demo data)
DEMO_STATIONS = ("SZ-NS-001", "SZ-QH-002", "SZ-FT-E01")


def mosquitto_binary():
    path = shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin:/usr/local/sbin")
    if not path:
        system._apt_install(["mosquitto"], "the MQTT broker of the device bus")
        path = shutil.which("mosquitto", path="/usr/sbin:/usr/local/sbin:/usr/bin")
    if not path:
        raise OpsError("mosquitto (the MQTT broker) is not installed",
                       "Install it: apt-get install mosquitto")
    return path


def write_access_files(settings):
    """Password and ACL files from the piles of the database (charge_broker command)."""
    settings.broker_dir.mkdir(parents=True, exist_ok=True)
    log = settings.logs_dir / "charge_broker.log"
    code = process.run_tee(odoo_cmd.addon_command(settings, "charge_broker", settings.db_name), log,
                           cwd=settings.repo, env=odoo_cmd.env(), echo=False)
    if code != 0:
        raise OpsError("writing the broker's access files failed", f"See {log}.")


def write_broker_conf(folder, port):
    """mosquitto.conf in ``folder``, next to the access files written there:
    loopback only, an account per pile, persistent sessions, no Nagle delay."""
    folder = Path(folder)
    lines = [
        "# written by scripts/ops/device_bus.py",
        f"listener {port} 127.0.0.1",
        "allow_anonymous false",
        f"password_file {folder / 'passwd'}",
        f"acl_file {folder / 'acl'}",
        "persistence true",
        f"persistence_location {folder}/",
        f"pid_file {folder / 'mosquitto.pid'}",
        "max_queued_messages 100000",
        "set_tcp_nodelay true",
        "max_inflight_messages 1000",
        "log_type error",
        "log_type warning",
        "log_type notice",
    ]
    if getpass.getuser() == "root":
        lines.append("user root")  # keep access to the files written above
    conf = folder / "mosquitto.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return conf


def write_odoo_conf(settings, path, port, **device_options):
    """A copy of odoo.conf whose [charge_device] section points at a broker on
    ``port`` (for the tests and the benchmark, which run brokers of their own)."""
    text = settings.conf_path.read_text(encoding="utf-8").split("[charge_device]")[0].rstrip("\n")
    options = {"mqtt_host": "127.0.0.1", "mqtt_port": port, **device_options}
    section = "\n".join(f"{key} = {value}" for key, value in options.items())
    Path(path).write_text(f"{text}\n\n[charge_device]\n{section}\n", encoding="utf-8")
    return path


def broker_command(settings):
    write_access_files(settings)
    conf = write_broker_conf(settings.broker_dir, settings.mqtt_port)
    info(f"broker on 127.0.0.1:{settings.mqtt_port}, access files in {settings.broker_dir}")
    return [mosquitto_binary(), "-c", str(conf)]


def broker_ready(settings):
    return odoo_cmd.port_open(settings.mqtt_port)


def listener_command(settings):
    return odoo_cmd.addon_command(settings, "charge_listener", settings.db_name)


def simulator_command(settings):
    """The demo piles, live (``charge_simulator --demo``, the repository's
    pile_simulator package): they boot, report their statuses, answer commands
    (a remote start from the web client charges), and keep charging by
    themselves as long as ``make run`` runs: within the first minute several
    connectors charge with members' cards (e-bike riders' on the e-bike
    station), sessions last a few minutes, some drivers leave the gun in after
    the charge (an occupancy), a lost or frozen card is refused now and then,
    and a connector reports a fault now and then (an alarm). Real time (speed
    1), because a pile whose clock runs ahead of the platform's gives abnormal
    orders (charge_billing's rule d): the demo is short sessions, not a fast clock."""
    stations = [arg for code in DEMO_STATIONS for arg in ("--station", code)]
    return odoo_cmd.addon_command(settings, "charge_simulator", settings.db_name, *stations,
                                  "--demo", "--speed", "1", "--meter-interval", "30", "--duration", "0")
