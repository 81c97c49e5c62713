"""Subprocess helpers: plain runs, runs tee'd to a log file, pid files."""

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from .console import OpsError


def describe(argv):
    return " ".join(shlex.quote(str(a)) for a in argv)


def run(argv, *, cwd=None, env=None, check=True, capture=False, input_text=None, timeout=None):
    """Run ``argv``; with ``capture`` return its stdout (stderr kept for the
    error message). Raises OpsError on failure when ``check``."""
    try:
        proc = subprocess.run(
            [str(a) for a in argv], cwd=cwd, env=env, text=True, input=input_text,
            stdin=None if input_text is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE if capture else None,
            timeout=timeout,
        )
    except FileNotFoundError as exc:
        raise OpsError(f"command not found: {argv[0]}") from exc
    except subprocess.TimeoutExpired as exc:
        raise OpsError(f"command timed out after {timeout}s: {describe(argv)}") from exc
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout or "").strip() if capture else ""
        raise OpsError(f"command failed (exit {proc.returncode}): {describe(argv)}"
                       + (f"\n{detail}" if detail else ""))
    return proc


def output(argv, **kwargs):
    """stdout of a successful ``argv``, stripped."""
    return run(argv, capture=True, **kwargs).stdout.strip()


# Known noise of Odoo core itself, kept in the log file but not echoed: docutils
# complains about the reStructuredText of the ``mail`` module's description when
# Odoo renders it at installation (odoo/addons/base/models/ir_module.py); our
# own modules' descriptions render cleanly (charge_base TestModuleDescriptions).
QUIET_LINE_RE = re.compile(r"^<string>:\d+: \((?:INFO/1|WARNING/2|ERROR/3)\) ")


def echoed(line):
    """Whether a line of Odoo's output is shown on the console (it is always logged)."""
    return not QUIET_LINE_RE.match(line)


def run_tee(argv, log_path, *, cwd=None, env=None, echo=True):
    """Run ``argv`` with stdout+stderr written to ``log_path`` and, when
    ``echo``, to our stdout as they come (but for Odoo's known noise:
    ``echoed``). Returns the exit code."""
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(f"$ {describe(argv)}\n")
        log.flush()
        proc = subprocess.Popen(
            [str(a) for a in argv], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", errors="replace", bufsize=1,
        )
        try:
            for line in proc.stdout:
                log.write(line)
                if echo and echoed(line):
                    sys.stdout.write(line)
                    sys.stdout.flush()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)
            raise
        finally:
            proc.stdout.close()
            code = proc.wait()
    return code


# -- pid files --------------------------------------------------------------

def read_pid(pidfile):
    try:
        pid = int(Path(pidfile).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours is not alive
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def stop_pid(pidfile, name, timeout=30):
    """Stop the process whose pid is in ``pidfile`` (SIGTERM, then SIGKILL
    after ``timeout`` seconds). Returns True if something was stopped."""
    pidfile = Path(pidfile)
    pid = read_pid(pidfile)
    if pid is None:
        pidfile.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if pid_alive(pid):
            raise OpsError(f"{name} (pid {pid}) does not stop")
    pidfile.unlink(missing_ok=True)
    return True
