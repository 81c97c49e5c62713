"""A charging scenario: N sessions spread over the piles' free connectors,
drivers swiping random id tags, arriving at random times within ``spread``
real seconds (a driver who finds no free connector comes back a second later).

Each session runs until the vehicle is full and unplugged (EVDisconnected),
or, when ``session_minutes`` is given, until the driver stops it (Local) after
a random number of simulated minutes in that range. Runs on the loop thread.
"""
import threading
import time

from .pile import PileError


class Scenario:

    def __init__(self, loop, piles, sessions, id_tags, rng, spread=10.0, session_minutes=None,
                 retry_delay=1.0):
        if not id_tags:
            raise ValueError("a scenario needs at least one id tag")
        self.loop = loop
        self.piles = list(piles)
        self.sessions = sessions
        self.id_tags = list(id_tags)
        self.rng = rng
        self.spread = spread
        self.session_minutes = session_minutes
        self.retry_delay = retry_delay
        self.done = threading.Event()
        self.launched = 0
        self.started = 0
        self.failed = 0
        self.stopped = 0
        self.waits = 0
        self.energy_wh = 0
        self.stop_reasons = {}
        self.failures = {}
        self.started_at = None
        self.finished_at = None
        self._ours = set()      # (serial, connector) of sessions in progress
        for pile in self.piles:
            pile.subscribe(self._on_event)

    def start(self):
        """Schedule the arrivals (call on the loop thread)."""
        self.started_at = time.monotonic()
        if self.sessions <= 0:
            self._finish()
        for _ in range(self.sessions):
            self.loop.call_later(self.rng.uniform(0, self.spread), self._arrive)

    def _free_connectors(self):
        return [
            (pile, connector) for pile in self.piles if pile.booted and pile.connected
            for connector in pile._charge_points()
            if (pile.serial, connector.number) not in self._ours
            and pile._unavailable_reason(connector) is None
        ]

    def _arrive(self):
        free = self._free_connectors()
        if not free:
            self.waits += 1
            self.loop.call_later(self.retry_delay, self._arrive)
            return
        pile, connector = self.rng.choice(free)
        key = (pile.serial, connector.number)
        self.launched += 1
        self._ours.add(key)
        future = pile._start_session(connector, self.rng.choice(self.id_tags))
        future.add_done_callback(lambda f, pile=pile, key=key: self._on_started(pile, key, f))

    def _on_started(self, pile, key, future):
        error = future.exception()
        if error is not None:
            self.failed += 1
            name = type(error).__name__ if not isinstance(error, PileError) else str(error)
            self.failures[name] = self.failures.get(name, 0) + 1
            if key in self._ours and pile._connectors[key[1]].session is None:
                self._ours.discard(key)
                self._check_done()
            return
        self.started += 1
        if self.session_minutes:
            low, high = self.session_minutes
            sim_seconds = self.rng.uniform(low, high) * 60.0
            self.loop.call_later(pile._sim_delay(sim_seconds), self._driver_stops, pile, key,
                                 future.result())

    def _driver_stops(self, pile, key, transaction_id):
        connector = pile._connectors[key[1]]
        if connector.session is not None and connector.session.transaction_id == transaction_id:
            pile._stop_session(connector, "Local")

    def _on_event(self, pile, kind, data):
        key = (pile.serial, data.get("connector"))
        if key not in self._ours:
            return
        if kind == "transaction_stopped":
            self.stopped += 1
            self.energy_wh += data["energy_wh"]
            self.stop_reasons[data["reason"]] = self.stop_reasons.get(data["reason"], 0) + 1
            self._ours.discard(key)
            self._check_done()
        elif kind == "session_failed":
            self._ours.discard(key)
            self._check_done()

    def _check_done(self):
        if self.launched >= self.sessions and not self._ours:
            self._finish()

    def _finish(self):
        if not self.done.is_set():
            self.finished_at = time.monotonic()
            self.done.set()

    def result(self):
        end = self.finished_at or time.monotonic()
        return {
            "sessions": self.sessions, "launched": self.launched, "started": self.started,
            "failed": self.failed, "stopped": self.stopped, "in_progress": len(self._ours),
            "energy_kwh": round(self.energy_wh / 1000.0, 3), "stop_reasons": dict(self.stop_reasons),
            "failures": dict(self.failures), "waits_for_free_connector": self.waits,
            "seconds": round(end - self.started_at, 3) if self.started_at else 0.0,
            "finished": self.done.is_set(),
        }
