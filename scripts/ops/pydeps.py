"""Python requirements of the project (requirements.txt), installed with pip
only when the file changed since the last successful install."""

import hashlib
import sys

from . import process
from .config import REQUIREMENTS
from .console import OpsError, info, step


def _fingerprint():
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    # the interpreter is part of the stamp: another python needs its own install
    return f"{digest}  {sys.executable}\n"


def ensure(settings):
    stamp = settings.cache / "requirements.sha256"
    if not REQUIREMENTS.is_file():
        raise OpsError(f"{REQUIREMENTS} not found")
    wanted = _fingerprint()
    if stamp.is_file() and stamp.read_text() == wanted:
        info("Python requirements: up to date (requirements.txt unchanged)")
        return
    step("Installing Python requirements (pip install -r requirements.txt)")
    try:
        process.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                     "-r", REQUIREMENTS], cwd=settings.repo)
    except OpsError as exc:
        raise OpsError("pip could not install requirements.txt",
                       f"{exc.message}\nFix the error above (network? build headers?) and run again.") from exc
    stamp.write_text(wanted)
