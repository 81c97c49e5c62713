from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..tools import occupancy
from ..tools.occupancy import NONE, OPEN, PENDING

STOP = datetime(2026, 11, 21, 11, 0)
BEFORE = STOP - timedelta(minutes=5)
AFTER = STOP + timedelta(seconds=5)


@tagged("at_install", "-post_install")
class TestOccupancyRule(BaseCase):
    """Whether the gun is in after a stop, whatever the order the pile reports in."""

    def test_at_the_stop(self):
        cases = [
            # Finishing first: the gun is in
            ("finishing", BEFORE, None, OPEN),
            # the session's own Charging, reported before the stop: the pile has not said yet
            ("charging", BEFORE, None, PENDING),
            ("suspended_ev", BEFORE, "Local", PENDING),
            ("preparing", BEFORE, None, PENDING),
            # still charging when the stop came: plugged
            ("suspended_evse", STOP, None, OPEN),
            # unplugged before the stop, or nothing to charge for
            ("available", BEFORE, None, NONE),
            ("faulted", BEFORE, "Other", NONE),
            ("unavailable", AFTER, None, NONE),
            ("offline", BEFORE, None, NONE),
            # the cable was pulled
            ("finishing", BEFORE, "EVDisconnected", NONE),
            ("charging", BEFORE, "EVDisconnected", NONE),
        ]
        for status, when, reason, expected in cases:
            with self.subTest(status=status, reason=reason):
                self.assertEqual(occupancy.at_stop(status, when, STOP, reason), expected)

    def test_on_the_statuses_after(self):
        cases = [
            (PENDING, "finishing", AFTER, OPEN),
            (PENDING, "finishing", BEFORE, OPEN),       # Finishing sent before the stop, in the same batch
            (PENDING, "charging", AFTER, OPEN),
            (PENDING, "charging", BEFORE, PENDING),     # a late frame of the session itself
            (PENDING, "available", AFTER, None),        # straight to Available: out, no occupancy
            (PENDING, "available", BEFORE, None),       # unplugged, then the stop
            (OPEN, "finishing", AFTER, OPEN),
            (OPEN, "available", AFTER, None),
            (OPEN, "preparing", AFTER, None),           # a new charge on the same connector
            (OPEN, "reserved", AFTER, None),
            (OPEN, "faulted", AFTER, None),
            (OPEN, "offline", BEFORE, None),
        ]
        for current, status, when, expected in cases:
            with self.subTest(current=current, status=status, when=when):
                self.assertEqual(occupancy.on_status(current, status, when, STOP), expected)

    def test_minutes_are_never_negative(self):
        self.assertEqual(occupancy.occupied_minutes(STOP, STOP + timedelta(minutes=50)), 50)
        self.assertEqual(occupancy.occupied_minutes(STOP, BEFORE), 0)
