"""Python requirements of the project, installed into the project's
environment (``venv``): Odoo's own ``requirements.txt`` (from the source tree
the tooling found) and ours. pip runs only when one of them changed since
the last successful install (a stamp file in the environment)."""

import hashlib
import os
import re
import sys
from pathlib import Path

from . import process, system
from .config import REQUIREMENTS
from .console import OpsError, info, step

# Lines of some Odoo trees' requirements.txt that belong to addons which are
# not Odoo's nor ours (face recognition, a mobile login...): heavy, unused
# here, and absent from upstream Odoo's file anyway.
FOREIGN_REQUIREMENTS = {"geopy", "numpy", "opencv-python", "opencv-python-headless", "onnxruntime", "pyjwt"}
# Odoo pins cryptography 3.4.8, pyOpenSSL 21 and urllib3 1.26 below Python 3.12 (Debian 12's versions), the
# versions it pins from 3.12 on (Ubuntu 24.04's) everywhere else; wechatpayv3 (charge_payment_wechatpay)
# needs cryptography 35 or later. These take Odoo's own 3.12 pins on every Python.
NEWER_PINS = {"cryptography", "pyopenssl", "urllib3"}
_MARKER_RE = re.compile(r";\s*python_version\s*>=\s*['\"]3\.12['\"]")
# Debian packages holding the headers of Odoo's requirements that compile
# (python-ldap, psycopg2): (header or program that proves it, package)
BUILD_HEADERS = (("/usr/include/ldap.h", "libldap2-dev"), ("/usr/include/sasl/sasl.h", "libsasl2-dev"),
                 ("/usr/bin/pg_config", "libpq-dev"))

_NAME_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _requirement_name(line):
    match = _NAME_RE.match(line)
    return match.group(1).lower().replace("_", "-") if match else None


def odoo_requirements(tree):
    """Odoo's requirements.txt without the foreign lines."""
    kept = []
    for line in (tree / "requirements.txt").read_text().splitlines():
        name = _requirement_name(line)
        if name and name in FOREIGN_REQUIREMENTS:
            continue
        if name and name in NEWER_PINS:
            if not _MARKER_RE.search(line):
                continue
            line = _MARKER_RE.sub("", line.split("#")[0]).strip()
        kept.append(line)
    return "\n".join(kept) + "\n"


def _build_headers():
    missing = [package for proof, package in BUILD_HEADERS if not Path(proof).exists()]
    if missing and os.geteuid() == 0:
        system._apt_install(missing, "headers for Odoo's requirements that compile")
    elif missing:
        info(f"missing build headers ({', '.join(missing)}): pip may fail to build python-ldap or psycopg2")


def ensure(settings, tree):
    if not REQUIREMENTS.is_file():
        raise OpsError(f"{REQUIREMENTS} not found")
    env_dir = Path(sys.prefix)
    odoo_reqs = odoo_requirements(tree) if tree else ""
    wanted = hashlib.sha256((REQUIREMENTS.read_text() + "\0" + odoo_reqs).encode()).hexdigest() + "\n"
    stamp = env_dir / "charge-requirements.sha256"
    if stamp.is_file() and stamp.read_text() == wanted:
        info(f"Python requirements: up to date in {env_dir}")
        return
    argv = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    if tree:
        _build_headers()
        odoo_file = env_dir / "odoo-requirements.txt"
        odoo_file.write_text(odoo_reqs)
        argv += ["-r", odoo_file]
    argv += ["-r", REQUIREMENTS]
    step(f"Installing Python requirements into {env_dir} (Odoo's and requirements.txt)")
    try:
        process.run(argv, cwd=settings.repo)
    except OpsError as exc:
        raise OpsError("pip could not install the requirements",
                       f"{exc.message}\nFix the error above (network? build headers? on Debian: "
                       "apt-get install -y libldap2-dev libsasl2-dev libpq-dev python3-dev) "
                       "and run again.") from exc
    stamp.write_text(wanted)
