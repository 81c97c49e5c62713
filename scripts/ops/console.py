"""Messages printed by the tooling, and the error type that stops it."""

import sys
import time


class OpsError(Exception):
    """A failure the user can act on: ``message`` says what went wrong,
    ``hint`` says what to do about it."""

    def __init__(self, message, hint=None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def _emit(prefix, text):
    print(f"{prefix} {text}", flush=True)


def step(text):
    """Announce a set-up or test step."""
    _emit("==>", text)


def info(text):
    _emit("   ", text)


def warn(text):
    print(f"!!  {text}", file=sys.stderr, flush=True)


def fail(error):
    print(f"\nERROR: {error.message}", file=sys.stderr, flush=True)
    if error.hint:
        for line in error.hint.splitlines():
            print(f"       {line}", file=sys.stderr, flush=True)


class Timer:
    """Context manager printing how long a step took."""

    def __init__(self, label):
        self.label = label
        self.start = None

    def __enter__(self):
        self.start = time.monotonic()
        return self

    @property
    def elapsed(self):
        return time.monotonic() - self.start

    def __exit__(self, *exc):
        info(f"{self.label}: {self.elapsed:.1f}s")
        return False
