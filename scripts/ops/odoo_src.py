"""Makes Odoo 19 importable by this interpreter.

Order: already importable -> $ODOO_SRC -> upstream 19.0 archive downloaded
into the cache. A source tree is made importable with a ``.pth`` file in
site-packages, after ``pip install -r <tree>/requirements.txt``.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import urllib.request
from pathlib import Path

from . import process
from .console import OpsError, info, step

ODOO_SERIES = "19.0"
ARCHIVE_URL = f"https://github.com/odoo/odoo/archive/refs/heads/{ODOO_SERIES}.tar.gz"
PTH_NAME = "charge-odoo-src.pth"

HOW_TO_PROVIDE = (
    "Provide an Odoo 19 source tree (a checkout of https://github.com/odoo/odoo, branch 19.0):\n"
    "  export ODOO_SRC=/path/to/odoo-19.0   # the folder holding odoo-bin and requirements.txt\n"
    "then run the command again: it installs Odoo's requirements and makes it importable.\n"
    f"Without ODOO_SRC the tooling downloads {ARCHIVE_URL} (needs access to github.com)."
)


def odoo_version(cwd):
    """Odoo's version as seen by this interpreter, or None. ``import odoo``
    alone proves nothing (namespace package): import ``odoo.release``."""
    proc = subprocess.run(
        [sys.executable, "-c", "import odoo.release as r; print(r.version)"],
        cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    return proc.stdout.strip() if proc.returncode == 0 else None


def _is_source_tree(path):
    return (path / "odoo" / "release.py").is_file() and (path / "requirements.txt").is_file()


def _download(settings):
    target = settings.cache / "odoo-src" / f"odoo-{ODOO_SERIES}"
    if _is_source_tree(target):
        info(f"using the Odoo source already downloaded in {target}")
        return target
    archive = settings.cache / "odoo-src" / f"odoo-{ODOO_SERIES}.tar.gz"
    archive.parent.mkdir(parents=True, exist_ok=True)
    step(f"Downloading Odoo {ODOO_SERIES} source: {ARCHIVE_URL}")
    partial = archive.with_suffix(".part")
    try:
        with urllib.request.urlopen(ARCHIVE_URL, timeout=60) as resp, open(partial, "wb") as out:
            shutil.copyfileobj(resp, out, length=1 << 20)
        partial.replace(archive)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OpsError(f"Odoo 19 is not importable and the download of its source failed: {exc}",
                       HOW_TO_PROVIDE) from exc
    step(f"Extracting {archive.name}")
    extract_root = archive.parent / "extract"
    shutil.rmtree(extract_root, ignore_errors=True)
    try:
        with tarfile.open(archive) as tar:
            kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(extract_root, **kwargs)
    except (tarfile.TarError, OSError) as exc:
        archive.unlink(missing_ok=True)
        raise OpsError(f"cannot extract {archive}: {exc}", HOW_TO_PROVIDE) from exc
    tops = [p for p in extract_root.iterdir() if p.is_dir()]
    if len(tops) != 1 or not _is_source_tree(tops[0]):
        raise OpsError(f"{archive} does not hold an Odoo source tree", HOW_TO_PROVIDE)
    shutil.rmtree(target, ignore_errors=True)
    tops[0].rename(target)
    shutil.rmtree(extract_root, ignore_errors=True)
    archive.unlink(missing_ok=True)
    return target


def _install_tree(settings, tree):
    step(f"Installing Odoo's Python requirements from {tree / 'requirements.txt'}")
    try:
        process.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                     "-r", tree / "requirements.txt"], cwd=settings.repo)
    except OpsError as exc:
        raise OpsError(
            "pip could not install Odoo's requirements",
            f"{exc.message}\nPackages that compile need headers, on Debian: "
            "apt-get install -y libldap2-dev libsasl2-dev libpq-dev python3-dev\n"
            + HOW_TO_PROVIDE) from exc
    purelib = Path(sysconfig.get_paths()["purelib"])
    pth = purelib / PTH_NAME
    pth.write_text(f"{tree}\n")
    info(f"wrote {pth} -> {tree}")


def ensure(settings):
    version = odoo_version(settings.repo)
    if version:
        if not version.startswith(ODOO_SERIES.split(".")[0] + "."):
            raise OpsError(f"this interpreter imports Odoo {version}, the addons need Odoo {ODOO_SERIES}",
                           HOW_TO_PROVIDE)
        info(f"Odoo {version}: importable")
        return version

    src = os.environ.get("ODOO_SRC", "").strip()
    if src:
        tree = Path(src).expanduser().resolve()
        if not _is_source_tree(tree):
            raise OpsError(f"ODOO_SRC={src} is not an Odoo source tree "
                           "(expected odoo/release.py and requirements.txt in it)", HOW_TO_PROVIDE)
        step(f"Odoo is not importable: installing it from ODOO_SRC={tree}")
    else:
        step("Odoo is not importable and ODOO_SRC is not set: fetching the upstream source")
        tree = _download(settings)
    _install_tree(settings, tree)

    version = odoo_version(settings.repo)
    if not version:
        raise OpsError(f"Odoo is still not importable after installing {tree}",
                       "Check the pip output above.\n" + HOW_TO_PROVIDE)
    info(f"Odoo {version}: importable")
    return version
