"""Occupancy of a connector after a charge: is the gun still plugged in?

Piles report the end of a session in either order: most send StopTransaction
and then StatusNotification Finishing, some Finishing first, and a driver who
unplugs at once makes the connector go straight back to Available. So the
platform decides on every status the connector reports, not once at the stop:

- the occupancy of an order starts at its session's stop, when the gun is
  plugged in after the stop: the connector is Finishing (reported before or
  after the stop), or reports Charging/SuspendedEV/SuspendedEVSE at or after
  the stop;
- it ends at the time of the first status saying the gun is out (Available,
  Preparing, Reserved, Unavailable, Faulted; Offline: the pile lost its link,
  at the last time it was heard of); a new session on the connector ends it
  at that session's start;
- until the connector reports after the stop, the order is *pending*: it is
  not final, and when the first status after the stop says the gun is out,
  there was no occupancy at all (no fee);
- a session stopped because the cable was pulled (EVDisconnected) has none;
- a pile silent about the connector for ``PENDING_MINUTES`` after the stop
  gives no occupancy either: the order becomes final.

Pure Python: the order model applies the decisions (see
``charge_order_pricing.py``).
"""

PLUGGED = "plugged"
UNPLUGGED = "unplugged"
UNKNOWN = "unknown"

# statuses of a gun in the vehicle (a stale one, before the stop, is still the session's)
PLUGGED_STATUSES = frozenset({"charging", "suspended_ev", "suspended_evse"})
# stop reasons after which the cable is out
UNPLUGGED_REASONS = frozenset({"EVDisconnected"})

# minutes a pending occupancy waits for the connector's first status after the stop
PENDING_MINUTES = 10

# what becomes of an order's occupancy
OPEN = "open"        # the gun is in since the stop: the fee runs
PENDING = "pending"  # the connector has not reported since the stop
NONE = "none"        # no occupancy: final at once


def gun_after_stop(status, status_date, stop_date):
    """What the connector's ``status`` (reported at ``status_date``, naive
    UTC, or None) says about the gun after a session stopped at
    ``stop_date``: PLUGGED, UNPLUGGED or UNKNOWN (a status of the session
    itself, reported before the stop)."""
    if status == "finishing":
        return PLUGGED
    if status == "offline":
        return UNPLUGGED
    after_stop = status_date is None or stop_date is None or status_date >= stop_date
    if status in PLUGGED_STATUSES or status == "preparing":
        # Preparing before the stop: the session's start, never followed by Charging
        if not after_stop:
            return UNKNOWN
        return PLUGGED if status in PLUGGED_STATUSES else UNPLUGGED
    # available, reserved, unavailable, faulted: the gun is out (or cannot be charged for)
    return UNPLUGGED


def at_stop(status, status_date, stop_date, stop_reason=None):
    """The occupancy of an order whose session just stopped: OPEN, PENDING or NONE."""
    if stop_reason in UNPLUGGED_REASONS:
        return NONE
    return {PLUGGED: OPEN, UNPLUGGED: NONE, UNKNOWN: PENDING}[gun_after_stop(status, status_date, stop_date)]


def on_status(occupancy, status, status_date, stop_date):
    """The occupancy (OPEN or PENDING) after the connector reported ``status``:
    OPEN, PENDING, or None when it ends (at the status' time for an OPEN one;
    a PENDING one ends without occupancy)."""
    gun = gun_after_stop(status, status_date, stop_date)
    if gun == PLUGGED:
        return OPEN
    if gun == UNKNOWN:
        return occupancy
    return None


def occupied_minutes(start, end):
    """Minutes from ``start`` to ``end`` (datetimes), never negative."""
    return max((end - start).total_seconds() / 60, 0.0)
