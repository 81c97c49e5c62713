"""Command lines of ``python3 -m odoo``, always run from the repository root
(never from inside Odoo's source tree, whose odoo/http.py would shadow the
standard library's ``http``)."""

import os
import socket
import sys


def env():
    """Environment for Odoo processes."""
    return dict(os.environ, PYTHONUNBUFFERED="1")


def _common(settings):
    args = ["-c", str(settings.conf_path), f"--data-dir={settings.data_dir}"]
    addons_path = settings.odoo_addons_path()
    if addons_path:
        args.append(f"--addons-path={addons_path}")
    return args


def server(settings, db, *extra):
    """``python3 -m odoo server`` on database ``db``."""
    return [sys.executable, "-m", "odoo", "server", *_common(settings), "-d", db, *extra]


def addon_command(settings, name, db, *extra, conf=None):
    """``python3 -m odoo --addons-path=... <name> -c odoo.conf -d db``: a CLI
    command of an addon (Odoo 19 finds those through the addons path, which
    must therefore come before the command's name). ``conf``: another
    configuration file than odoo.conf."""
    return [sys.executable, "-m", "odoo", f"--addons-path={settings.odoo_addons_path()}", name,
            "-c", str(conf or settings.conf_path), "-d", db, *extra]


def module(settings, action, db, modules):
    """``python3 -m odoo module <action> -d db MODULE...`` (Odoo 19 CLI). Its
    own parser only knows -c/-d/-D; the addons path goes before the command."""
    addons_path = settings.odoo_addons_path()
    prefix = [f"--addons-path={addons_path}"] if addons_path else []
    return [sys.executable, "-m", "odoo", *prefix, "module", action,
            "-c", str(settings.conf_path), "-D", str(settings.data_dir), "-d", db, *modules]


def free_port():
    """A free TCP port on the loopback interface (for test servers, so that
    tests never collide with a running ``make run``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False
