"""How the listener gets a batch of messages through, whatever happens.

- A concurrent update (serialization failure, deadlock, lock not available):
  the batch is retried at once, after a short random pause.
- The database is unavailable (connection refused or lost, server shutting
  down, too many connections): retried with exponential back-off, FIRST_DELAY
  doubling up to MAX_DELAY, reported at each attempt and when it recovers.
- Any other failure is taken for a problem inside a frame: the batch is
  processed again frame by frame, each in a transaction of its own, and a
  frame that still fails alone is given up: answered with an InternalError
  CALLERROR (for a CALL), logged in a fresh transaction, acknowledged. It
  never blocks the batch, the listener or other piles, even after a restart.

Pure logic, no MQTT and no Odoo: the listener gives it its two transactions.
"""
import logging
import random
import time

import psycopg2
import psycopg2.errors
from psycopg2.pool import PoolError

_logger = logging.getLogger("odoo.addons.charge_device.listener")

FIRST_DELAY = 1.0
MAX_DELAY = 60.0
CONCURRENCY_JITTER = 0.05  # seconds, so that two retried batches do not collide again
ERROR_AFTER = 5            # attempts reported as warnings, then as errors

CONCURRENCY, UNAVAILABLE, FRAME = "concurrency", "unavailable", "frame"

_CONCURRENCY_ERRORS = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected,
                       psycopg2.errors.LockNotAvailable)
# SQLSTATE classes and codes of a server that cannot serve, whatever the frames
_UNAVAILABLE_ERRORS = tuple(getattr(psycopg2.errors, name) for name in (
    "ConnectionException", "AdminShutdown", "CrashShutdown", "CannotConnectNow", "DatabaseDropped",
    "IdleSessionTimeout", "TooManyConnections", "InsufficientResources", "DiskFull", "OutOfMemory",
) if hasattr(psycopg2.errors, name)) + (psycopg2.InterfaceError, PoolError, ConnectionError, TimeoutError)


def classify(error):
    """CONCURRENCY, UNAVAILABLE (the database cannot serve) or FRAME (anything
    else: the batch's own content made it fail)."""
    if isinstance(error, _CONCURRENCY_ERRORS):
        return CONCURRENCY
    if isinstance(error, _UNAVAILABLE_ERRORS):
        return UNAVAILABLE
    # a connection that failed or broke raises the bare class, without SQLSTATE
    if type(error) is psycopg2.OperationalError:  # noqa: E721
        return UNAVAILABLE
    return FRAME


class _Failed:
    def __init__(self, error):
        self.error = error


_STOPPED = object()


class BatchRunner:
    """Runs batches through ``process`` (a list of messages -> the replies to
    publish, in one transaction), falling back to ``give_up`` (a message and
    the error -> its replies, in a fresh transaction) for a message that fails
    alone. ``sleep(seconds)`` waits (the listener's stop event), ``stopping()``
    tells the listener is stopping: a batch then left unprocessed returns None
    and is not acknowledged (the broker delivers it again)."""

    def __init__(self, process, give_up, sleep=time.sleep, stopping=lambda: False, logger=_logger,
                 first_delay=FIRST_DELAY, max_delay=MAX_DELAY, describe=repr):
        self.process = process
        self.give_up = give_up
        self.sleep = sleep
        self.stopping = stopping
        self.logger = logger
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.describe = describe  # a message, for the log lines
        self.given_up = 0

    def run(self, messages):
        """The replies of ``messages``, or None when stopping before they went through."""
        outcome = self._through(lambda: self.process(messages), f"batch of {len(messages)} message(s)")
        if isinstance(outcome, _Failed) and len(messages) == 1:
            outcome = self._give_up(messages[0], outcome.error)
        if not isinstance(outcome, _Failed):
            return None if outcome is _STOPPED else outcome
        self.logger.warning("batch of %d message(s) failed (%s: %s); processing them one by one",
                            len(messages), type(outcome.error).__name__, outcome.error)
        replies = []
        for message in messages:
            outcome = self._through(lambda message=message: self.process([message]), self.describe(message))
            if isinstance(outcome, _Failed):
                outcome = self._give_up(message, outcome.error)
            if outcome is _STOPPED:
                return None
            replies.extend(outcome)
        return replies

    def _give_up(self, message, error):
        self.given_up += 1
        self.logger.error("%s failed alone (%s: %s): answered as an internal error, logged and acknowledged",
                          self.describe(message), type(error).__name__, error, exc_info=error)
        outcome = self._through(lambda: self.give_up(message, error), f"logging of {self.describe(message)}")
        if isinstance(outcome, _Failed):
            self.logger.error("%s could not be logged either (%s: %s); acknowledged", self.describe(message),
                              type(outcome.error).__name__, outcome.error, exc_info=outcome.error)
            return []
        return outcome

    def _through(self, attempt, what):
        """Run ``attempt`` until it goes through (its result), fails for a
        reason of its own (_Failed) or the listener stops while the database
        is away (_STOPPED)."""
        unavailable, delay = 0, self.first_delay
        while True:
            try:
                result = attempt()
            except Exception as error:  # noqa: BLE001 - every failure is sorted out below
                kind = classify(error)
                if kind == CONCURRENCY:
                    self.logger.info("%s met a concurrent update (%s: %s); retrying", what, type(error).__name__,
                                     " ".join(str(error).split())[:500])
                    self.sleep(random.uniform(0, CONCURRENCY_JITTER))
                    continue
                if kind == FRAME:
                    return _Failed(error)
                unavailable += 1
                level = logging.WARNING if unavailable < ERROR_AFTER else logging.ERROR
                self.logger.log(level, "%s: the database is unavailable (%s: %s); attempt %d failed, "
                                "retrying in %g s", what, type(error).__name__, str(error).strip(), unavailable,
                                delay)
                if self.stopping():
                    return _STOPPED
                self.sleep(delay)
                if self.stopping():
                    return _STOPPED
                delay = min(delay * 2, self.max_delay)
                continue
            if unavailable:
                self.logger.warning("%s went through at attempt %d: the database recovered", what,
                                    unavailable + 1)
            return result
