"""The project's virtual environment: every Python package the project needs
(Odoo's requirements and ours) goes there, never into the system's Python,
whose packages other software relies on (Odoo pins old versions of
cryptography, werkzeug, urllib3...).

Where: ``$CHARGE_VENV`` when set; otherwise a per-user cache,
``${XDG_CACHE_HOME:-~/.cache}/charge-odoo/venv-py<major><minor>``, shared by
every clone of the repository (CI runs on a fresh clone and must not
reinstall everything), with ``.venv`` in the repository as a symbolic link
to it (``. .venv/bin/activate`` works as usual).

The tooling is started by any ``python3`` (standard library only); the
commands that need Odoo re-execute themselves with the environment's
interpreter, so that every ``sys.executable`` further down (Odoo, pytest,
the device listener...) is the environment's.
"""

import os
import subprocess
import sys
from pathlib import Path

from .config import REPO_ROOT
from .console import OpsError, info, step

# set in the re-executed process, so that it never re-executes again
MARKER_ENV = "CHARGE_OPS_VENV"
LINK = REPO_ROOT / ".venv"


def user_cache():
    """The per-user cache shared by every clone: the environment, the Odoo
    source the tooling was pointed at or downloaded."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base).expanduser() / "charge-odoo"


def location():
    explicit = os.environ.get("CHARGE_VENV", "").strip()
    if explicit:
        return Path(explicit).expanduser().resolve()
    if LINK.is_dir() and not LINK.is_symlink():
        # a real .venv made by the user in the repository: theirs to use
        return LINK.resolve()
    return user_cache() / f"venv-py{sys.version_info.major}{sys.version_info.minor}"


def python(path=None):
    return (path or location()) / "bin" / "python"


def _inside(path):
    return Path(sys.prefix).resolve() == path.resolve()


def _link(path):
    """``.venv`` in the repository points at the shared environment."""
    if LINK.exists() and not LINK.is_symlink():
        return
    if LINK.is_symlink() and Path(os.readlink(LINK)) == path:
        return
    try:
        if LINK.is_symlink():
            LINK.unlink()
        LINK.symlink_to(path, target_is_directory=True)
    except OSError as exc:
        info(f"could not link {LINK} -> {path}: {exc}")


def _create(path):
    step(f"Creating the project's Python environment in {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, "-m", "venv", str(path)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0 or not python(path).exists():
        raise OpsError(f"cannot create a virtual environment in {path}: {proc.stderr.strip()}",
                       "Install Python's venv module (Debian: apt-get install python3-venv), "
                       "or point CHARGE_VENV at an existing environment.")
    subprocess.run([str(python(path)), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "--upgrade", "pip"], stdin=subprocess.DEVNULL, check=False)


def reexec_inside(argv):
    """Run this command again with the environment's interpreter (created
    first when missing). Returns only when already inside it."""
    path = location()
    if _inside(path):
        _link(path)
        return
    if os.environ.get(MARKER_ENV):
        raise OpsError(f"the tooling runs with {sys.executable}, not with the environment {path}",
                       "Unset CHARGE_OPS_VENV, or remove the environment folder, and run again.")
    if not python(path).exists():
        _create(path)
    _link(path)
    env = dict(os.environ, **{MARKER_ENV: str(path)})
    # VIRTUAL_ENV of another environment would confuse pip and Odoo
    env.pop("PYTHONHOME", None)
    env["VIRTUAL_ENV"] = str(path)
    env["PATH"] = f"{path / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(REPO_ROOT)
    os.execve(str(python(path)), [str(python(path)), "-m", "scripts.ops", *argv], env)
