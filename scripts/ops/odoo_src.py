"""Finds the Odoo 19 source tree the project runs on and makes it importable
in the project's environment (a ``.pth`` file in its site-packages).

Where the tree comes from, first match wins:

1. ``$ODOO_SRC`` (a source tree holding ``odoo-bin`` and ``requirements.txt``),
   remembered in the per-user cache for the next runs and for CI, which
   runs on a fresh clone without the caller's environment variables;
2. the tree remembered from an earlier ``ODOO_SRC``;
3. an Odoo already importable in the environment (installed by other means);
4. the upstream 19.0 archive, downloaded into the per-user cache.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import urllib.request
from pathlib import Path

from . import venv
from .console import OpsError, info, step

ODOO_SERIES = "19.0"
ARCHIVE_URL = f"https://github.com/odoo/odoo/archive/refs/heads/{ODOO_SERIES}.tar.gz"
PTH_NAME = "charge-odoo-src.pth"

HOW_TO_PROVIDE = (
    "Provide an Odoo 19 source tree (a checkout of https://github.com/odoo/odoo, branch 19.0):\n"
    "  export ODOO_SRC=/path/to/odoo-19.0   # the folder holding odoo-bin and requirements.txt\n"
    "then run the command again: it installs Odoo's requirements into the project's environment\n"
    "and remembers the tree for the next runs.\n"
    f"Without ODOO_SRC the tooling downloads {ARCHIVE_URL} (needs access to github.com)."
)


def odoo_version(cwd=None):
    """Odoo's version as seen by this interpreter, or None. ``import odoo``
    alone proves nothing (a namespace package): import ``odoo.release``."""
    proc = subprocess.run(
        [sys.executable, "-c", "import odoo.release as r; print(r.version)"],
        cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    return proc.stdout.strip() if proc.returncode == 0 else None


def is_source_tree(path):
    return (path / "odoo" / "release.py").is_file() and (path / "requirements.txt").is_file()


def _remembered_file():
    return venv.user_cache() / "odoo-src.path"


def _remember(tree):
    record = _remembered_file()
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(f"{tree}\n")


def _remembered():
    record = _remembered_file()
    if record.is_file():
        tree = Path(record.read_text().strip())
        if is_source_tree(tree):
            return tree
    return None


def _pth():
    return Path(sysconfig.get_paths()["purelib"]) / PTH_NAME


def _download():
    target = venv.user_cache() / "odoo-src" / f"odoo-{ODOO_SERIES}"
    if is_source_tree(target):
        info(f"using the Odoo source already downloaded in {target}")
        return target
    archive = target.parent / f"odoo-{ODOO_SERIES}.tar.gz"
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
    if len(tops) != 1 or not is_source_tree(tops[0]):
        raise OpsError(f"{archive} does not hold an Odoo source tree", HOW_TO_PROVIDE)
    shutil.rmtree(target, ignore_errors=True)
    tops[0].rename(target)
    shutil.rmtree(extract_root, ignore_errors=True)
    archive.unlink(missing_ok=True)
    return target


def locate():
    """The source tree to install, or None when Odoo is importable in the
    environment by other means (then nothing is written)."""
    src = os.environ.get("ODOO_SRC", "").strip()
    if src:
        tree = Path(src).expanduser().resolve()
        if not is_source_tree(tree):
            raise OpsError(f"ODOO_SRC={src} is not an Odoo source tree "
                           "(expected odoo/release.py and requirements.txt in it)", HOW_TO_PROVIDE)
        _remember(tree)
        return tree
    tree = _remembered()
    if tree:
        return tree
    if odoo_version() and not _pth().is_file():
        return None
    step("Odoo is not importable and ODOO_SRC is not set: fetching the upstream source")
    tree = _download()
    _remember(tree)
    return tree


def link(tree):
    """Make ``tree`` importable in the environment."""
    pth = _pth()
    wanted = f"{tree}\n"
    if not pth.is_file() or pth.read_text() != wanted:
        pth.write_text(wanted)
        info(f"wrote {pth} -> {tree}")


def check():
    version = odoo_version()
    if not version:
        raise OpsError(f"Odoo is not importable by {sys.executable} (`import odoo.release` fails)",
                       HOW_TO_PROVIDE)
    if not version.startswith(ODOO_SERIES.split(".")[0] + "."):
        raise OpsError(f"the environment imports Odoo {version}, the addons need Odoo {ODOO_SERIES}",
                       HOW_TO_PROVIDE)
    info(f"Odoo {version}: importable ({sys.executable})")
    return version
