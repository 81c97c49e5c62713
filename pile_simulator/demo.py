"""The demo of ``make run``: piles that look alive, for as long as it runs.

Every charge point goes round a cycle: a driver arrives, swipes a card that
the platform accepts on that pile (``tags``: serial -> id tags, e.g. the
members' cards, the e-bike riders' on the e-bike piles), charges for a few
minutes and stops (Local); the gun stays in for a while (the connector is
Finishing: the order's occupancy), then the connector is free again until
the next driver. A card is used by one driver at a time (a member has one
session at once). A share of the connectors starts within ``warmup`` real
seconds, so that stations charge a minute after the start.

Besides: every ``refusal_every`` seconds a driver swipes a card the platform
refuses (``refused``: a lost card, a frozen member's card), and every
``fault_every`` seconds a free connector reports a fault (StatusNotification
Faulted, an alarm on the platform) that clears after ``fault_minutes``.

Durations of sessions, occupancies and pauses are simulated minutes (real
ones at ``speed`` 1: a pile's clock must not run ahead of the platform's);
``warmup``, ``first_refusal`` and ``first_fault`` are real seconds. Runs on
the loop thread, like :class:`.scenario.Scenario`, until :meth:`cancel`.
"""
import time

from .pile import AuthorizationRejected, PileError

FAULT = ("HighTemperature", "demo: connector over temperature")


class DemoScenario:

    def __init__(self, loop, piles, tags, rng, refused=(), car_minutes=(1.5, 4.0), ebike_minutes=(5.5, 9.0),
                 pause_minutes=(0.5, 3.0), busy_share=0.6, warmup=45.0, occupancy_share=0.3,
                 occupancy_minutes=(2.0, 5.0), unplug_seconds=(15.0, 45.0), refusal_every=180.0,
                 first_refusal=20.0, fault_every=300.0, first_fault=40.0, fault_minutes=(1.0, 3.0),
                 retry_seconds=20.0):
        self.loop = loop
        self.piles = list(piles)
        self.tags = {serial: list(values) for serial, values in dict(tags).items() if values}
        if not self.tags:
            raise ValueError("the demo needs at least one id tag the platform accepts on a pile")
        self.refused = list(refused)
        self.rng = rng
        self.minutes = {"car": car_minutes, "ebike": ebike_minutes}
        self.pause_minutes = pause_minutes
        self.busy_share = busy_share
        self.warmup = warmup
        self.occupancy_share = occupancy_share
        self.occupancy_minutes = occupancy_minutes
        self.unplug_seconds = unplug_seconds
        self.refusal_every = refusal_every
        self.first_refusal = first_refusal
        self.fault_every = fault_every
        self.first_fault = first_fault
        self.fault_minutes = fault_minutes
        self.retry_seconds = retry_seconds
        self.cancelled = False
        self.started_at = None
        self.counts = {"launched": 0, "started": 0, "failed": 0, "stopped": 0, "occupancies": 0,
                       "refusals": 0, "faults": 0}
        self.energy_wh = 0
        self.refusal_statuses = {}
        self.failures = {}
        self._in_use = {}      # id tag -> (serial, connector) of the driver using it
        self._ours = {}        # (serial, connector) -> id tag of a session of the demo
        self._faulted = set()  # (serial, connector) faulted by the demo
        for pile in self.piles:
            pile.subscribe(self._on_event)

    # scheduling ----------------------------------------------------------------------------

    def _later(self, delay, callback, *args):
        return self.loop.call_later(delay, callback, *args)

    def start(self):
        """Schedule the first drivers, refusal and fault (call on the loop thread)."""
        self.started_at = time.monotonic()
        for pile in self.piles:
            if pile.serial not in self.tags:
                continue
            for connector in pile._charge_points():
                if self.rng.random() < self.busy_share:
                    delay = self.rng.uniform(0, self.warmup)
                else:
                    delay = self.warmup + self._pause(pile)
                self._later(delay, self._arrive, pile, connector.number)
        if self.refused:
            self._later(self.first_refusal, self._refuse)
        if self.fault_every:
            self._later(self.first_fault, self._fault)

    def cancel(self):
        """No new driver, refusal or fault (the drivers charging still stop in time, faults clear)."""
        self.cancelled = True

    def _pause(self, pile):
        return pile._sim_delay(self.rng.uniform(*self.pause_minutes) * 60.0)

    # drivers --------------------------------------------------------------------------------

    def _free(self, pile, connector):
        key = (pile.serial, connector.number)
        return (pile.booted and pile.connected and key not in self._ours and key not in self._faulted
                and pile._unavailable_reason(connector) is None)

    def _arrive(self, pile, number):
        if self.cancelled:
            return
        connector = pile._connectors[number]
        key = (pile.serial, number)
        if not self._free(pile, connector):
            if key not in self._ours:   # busy (a remote start, finishing...), faulted or offline
                self._later(self.retry_seconds, self._arrive, pile, number)
            return
        cards = [tag for tag in self.tags[pile.serial] if tag not in self._in_use]
        if not cards:
            self._later(self.retry_seconds, self._arrive, pile, number)
            return
        tag = self.rng.choice(cards)
        self._in_use[tag] = key
        self._ours[key] = tag
        self.counts["launched"] += 1
        future = pile._start_session(connector, tag)
        future.add_done_callback(lambda f: self.loop.call_soon(self._on_started, pile, key, tag, f))

    def _on_started(self, pile, key, tag, future):
        error = future.exception()
        if error is not None:
            self.counts["failed"] += 1
            name = str(error) if isinstance(error, PileError) else type(error).__name__
            self.failures[name] = self.failures.get(name, 0) + 1
            if pile._connectors[key[1]].session is None:
                self._release(pile, key)
            return
        self.counts["started"] += 1
        low, high = self.minutes[pile.kind]
        self._later(pile._sim_delay(self.rng.uniform(low, high) * 60.0), self._driver_stops, pile, key,
                    future.result())

    def _driver_stops(self, pile, key, transaction_id):
        connector = pile._connectors[key[1]]
        session = connector.session
        if session is None or session.transaction_id != transaction_id or not pile.powered:
            return
        if pile.kind == "car" and self.rng.random() < self.occupancy_share:
            # the driver comes back late: the gun stays in, the order's occupancy runs
            self.counts["occupancies"] += 1
            seconds = self.rng.uniform(*self.occupancy_minutes) * 60.0
        else:
            seconds = self.rng.uniform(*self.unplug_seconds)
        pile._stop_session(connector, "Local", finishing_seconds=seconds)

    def _release(self, pile, key, wait=0.0):
        """The driver of ``key`` left: the card is free, the next one comes after a pause."""
        tag = self._ours.pop(key, None)
        if tag is not None and self._in_use.get(tag) == key:
            del self._in_use[tag]
        if tag is not None:
            self._later(wait + self._pause(pile), self._arrive, pile, key[1])

    def _on_event(self, pile, kind, data):
        key = (pile.serial, data.get("connector"))
        if key not in self._ours or data.get("id_tag") != self._ours[key]:
            return
        if kind == "transaction_stopped":
            self.counts["stopped"] += 1
            self.energy_wh += data["energy_wh"]
            # the next driver finds the connector free once the gun is out (retries while Finishing)
            self._release(pile, key)
        elif kind == "session_failed":
            self._release(pile, key)

    # a refused card, a fault -------------------------------------------------------------------

    def _free_connectors(self):
        """Free connectors of the piles that charge in the demo (a refusal there is the card's, not the pile's)."""
        return [(pile, connector) for pile in self.piles if pile.serial in self.tags
                for connector in pile._charge_points() if self._free(pile, connector)]

    def _refuse(self):
        if self.cancelled:
            return
        self._later(self.refusal_every * self.rng.uniform(0.8, 1.2), self._refuse)
        free = self._free_connectors()
        if not free:
            return
        pile, connector = self.rng.choice(free)
        tag = self.rng.choice(self.refused)
        future = pile._start_session(connector, tag)
        future.add_done_callback(lambda f: self.loop.call_soon(self._on_refused, pile, connector, f))

    def _on_refused(self, pile, connector, future):
        error = future.exception()
        if isinstance(error, AuthorizationRejected):
            self.counts["refusals"] += 1
            self.refusal_statuses[error.status] = self.refusal_statuses.get(error.status, 0) + 1
        elif error is None and connector.session is not None:
            # the platform took the card after all: the driver stops at once
            pile._stop_session(connector, "Local")

    def _fault(self):
        if self.cancelled:
            return
        self._later(self.fault_every * self.rng.uniform(0.8, 1.2), self._fault)
        free = self._free_connectors()
        if not free:
            return
        pile, connector = self.rng.choice(free)
        key = (pile.serial, connector.number)
        self._faulted.add(key)
        self.counts["faults"] += 1
        code, info = FAULT
        pile._inject_fault(connector.number, code, None, info, "Other")
        self._later(pile._sim_delay(self.rng.uniform(*self.fault_minutes) * 60.0), self._repaired, pile, key)

    def _repaired(self, pile, key):
        self._faulted.discard(key)
        if pile._connectors[key[1]].fault:
            pile._clear_fault(key[1])

    # figures ------------------------------------------------------------------------------------

    def result(self):
        return dict(self.counts, charging=len(self._ours), faulted=len(self._faulted),
                    energy_kwh=round(self.energy_wh / 1000.0, 3), refusal_statuses=dict(self.refusal_statuses),
                    failures=dict(self.failures),
                    seconds=round(time.monotonic() - self.started_at, 3) if self.started_at else 0.0)
