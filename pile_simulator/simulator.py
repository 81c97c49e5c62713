"""Many virtual piles on one event loop, a scenario runner and a summary.

    sim = Simulator(host="127.0.0.1", port=1883, speed=60)
    sim.add_pile("44030501000001", "secret", connectors=2)
    sim.start()
    sim.wait_booted(timeout=30)
    result = sim.run_scenario(sessions=10, id_tags=["CARD0001"], timeout=600)
    print(sim.format_summary())
    sim.stop()

One loop thread serves every pile (sockets watched with epoll, timers in one
heap): hundreds of piles fit in one process on two cores.
"""
import random
import time

from .demo import DemoScenario
from .loop import LoopThread
from .pile import VirtualPile
from .scenario import Scenario
from .stats import percentile
from .transport import ABORT_CLOSE


class Simulator:
    """A fleet of VirtualPiles sharing one LoopThread.

    Keyword arguments not listed are defaults for every pile (see VirtualPile:
    ``call_timeout``, ``strict``, ``heartbeat_interval``...).
    """

    def __init__(self, host="localhost", port=1883, speed=1.0, meter_interval=60, seed=None,
                 tls=None, connect_rate=200.0, **pile_defaults):
        self.host = host
        self.port = port
        self.speed = speed
        self.meter_interval = meter_interval
        self.seed = seed
        self.tls = tls
        self.connect_rate = connect_rate
        self.pile_defaults = pile_defaults
        self.rng = random.Random(seed)
        self.loop = LoopThread("charge-simulator")
        self.piles = {}
        self._observers = []
        self._started_at = None
        self.scenario = None
        self.demo = None

    # fleet -----------------------------------------------------------------------

    def add_pile(self, serial, password="", connectors=1, prefix="charge", kind="car",
                 max_power_kw=None, **options):
        """Create a pile (started with the others, or at once if running)."""
        if serial in self.piles:
            raise ValueError(f"pile {serial} is already simulated")
        settings = dict(host=self.host, port=self.port, tls=self.tls, speed=self.speed,
                        meter_interval=self.meter_interval, seed=self.seed)
        settings.update(self.pile_defaults)
        settings.update(options)
        pile = VirtualPile(serial, password, connectors=connectors, prefix=prefix, kind=kind,
                           max_power_kw=max_power_kw, loop=self.loop, **settings)
        for observer in self._observers:
            pile.subscribe(observer)
        self.piles[serial] = pile
        if self.loop.running and self._started_at is not None:
            pile.start()
        return pile

    def subscribe(self, observer):
        """``observer(pile, kind, data)`` for the events of every pile (loop thread)."""
        self._observers.append(observer)
        for pile in self.piles.values():
            pile.subscribe(observer)

    def __getitem__(self, serial):
        return self.piles[serial]

    def __len__(self):
        return len(self.piles)

    # life cycle ----------------------------------------------------------------------

    def start(self):
        """Start the loop and power the piles on, ``connect_rate`` per second."""
        self.loop.start()
        self._started_at = time.monotonic()
        piles = list(self.piles.values())

        def schedule():
            for index, pile in enumerate(piles):
                self.loop.call_later(index / self.connect_rate if self.connect_rate else 0, pile._power_up)

        self.loop.run_sync(schedule)
        return self

    def wait_booted(self, timeout=30.0):
        """Wait until every pile's BootNotification is accepted (or the
        timeout); returns how many are booted."""
        deadline = time.monotonic() + timeout
        while True:
            booted = self.loop.run_sync(lambda: sum(1 for p in self.piles.values() if p.booted))
            if booted == len(self.piles) or time.monotonic() >= deadline:
                return booted
            time.sleep(0.05)

    def run_scenario(self, sessions, id_tags, spread=None, session_minutes=None, timeout=None,
                     stop_event=None):
        """Run ``sessions`` charging sessions (see Scenario) and wait for them
        to end, for ``timeout`` seconds or until ``stop_event`` is set. Returns
        the scenario's result."""
        if spread is None:
            spread = min(30.0, max(1.0, sessions / 20.0))
        self.scenario = Scenario(self.loop, self.piles.values(), sessions, id_tags,
                                 random.Random(self.rng.random()), spread=spread,
                                 session_minutes=session_minutes)
        self.loop.run_sync(self.scenario.start)
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.scenario.done.wait(0.2):
            if stop_event is not None and stop_event.is_set():
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
        return self.loop.run_sync(self.scenario.result)

    def start_demo(self, tags, refused=(), **options):
        """Start the endless demo (see :class:`.demo.DemoScenario`): ``tags``
        maps a pile's serial to the id tags the platform accepts on it,
        ``refused`` are cards it refuses. Returns at once; the demo runs until
        :meth:`stop`, :meth:`demo_result` gives its figures."""
        self.demo = DemoScenario(self.loop, self.piles.values(), tags, random.Random(self.rng.random()),
                                 refused=refused, **options)
        self.loop.run_sync(self.demo.start)
        return self.demo

    def demo_result(self):
        return self.loop.run_sync(self.demo.result) if self.demo else {}

    def stop_sessions(self, reason="Local", timeout=10.0):
        """Stop every running session and wait (up to ``timeout``) until the
        StopTransactions are answered."""
        def stop_all():
            futures = []
            for pile in self.piles.values():
                for connector in pile._charge_points():
                    if connector.session is not None and pile.powered:
                        futures.append(pile._stop_session(connector, reason))
            return futures

        deadline = time.monotonic() + timeout
        for future in self.loop.run_sync(stop_all):
            try:
                future.result(max(0.0, deadline - time.monotonic()))
            except Exception:  # timed out or refused: the summary shows it
                pass

    def stop(self, stop_sessions=True, timeout=5.0):
        """Stop sessions (Local) if asked, disconnect every pile cleanly, stop the loop."""
        if not self.loop.running:
            return
        if self.demo is not None:
            self.loop.run_sync(self.demo.cancel)
        if stop_sessions:
            self.stop_sessions(timeout=timeout)
        # let the last calls (Finishing, Available...) be answered
        deadline = time.monotonic() + min(2.0, timeout)
        while time.monotonic() < deadline and self.loop.run_sync(
                lambda: any(len(p.outbox) and p.connected for p in self.piles.values())):
            time.sleep(0.02)

        def power_down():
            for pile in self.piles.values():
                pile._power_down(True, ABORT_CLOSE, True)

        self.loop.run_sync(power_down)
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and not self.loop.run_sync(
                lambda: all(p.transport.closed for p in self.piles.values())):
            time.sleep(0.02)

        def shutdown():
            for pile in self.piles.values():
                pile.transport.shutdown()

        self.loop.run_sync(shutdown)
        self.loop.stop()

    # figures --------------------------------------------------------------------------

    def summary(self):
        """Totals over the piles (counts, energy, reply latencies)."""
        snapshots = [pile.stats.snapshot() for pile in self.piles.values() if pile.stats]
        states = self.loop.run_sync(lambda: [
            (p.booted, p.connected, sum(1 for c in p._charge_points() if c.session is not None))
            for p in self.piles.values()])
        total = {"piles": len(self.piles), "booted": sum(1 for b, _c, _s in states if b),
                 "connected": sum(1 for _b, c, _s in states if c),
                 "charging": sum(s for _b, _c, s in states),
                 "ever_booted": sum(1 for snap in snapshots if snap["counters"].get("booted")),
                 "connections": sum(snap["counters"].get("connected", 0) for snap in snapshots)}
        sent, results, errors, timeouts, dropped, retries, commands = {}, {}, {}, {}, {}, {}, {}
        latencies = []
        sessions_started = sessions_stopped = transactions = 0
        energy = 0.0
        invalid = unmatched = malformed = 0
        for snap in snapshots:
            for target, source in ((sent, snap["calls_sent"]), (results, snap["results"]),
                                   (timeouts, snap["timeouts"]), (dropped, snap["dropped"]),
                                   (retries, snap["retries"]), (commands, snap["commands"])):
                for key, value in source.items():
                    target[key] = target.get(key, 0) + value
            for error in snap["call_errors"]:
                key = f"{error['action']}:{error['code']}"
                errors[key] = errors.get(key, 0) + 1
            latencies.extend(snap["latencies"])
            sessions_started += snap["counters"].get("session_started", 0)
            sessions_stopped += snap["counters"].get("transaction_stopped", 0)
            transactions += sum(1 for t in snap["transactions"] if t.get("transaction_id") is not None)
            energy += snap["energy_wh"]
            invalid += len(snap["invalid_results"])
            unmatched += len(snap["unmatched"])
            malformed += len(snap["malformed"])
        elapsed = time.monotonic() - self._started_at if self._started_at else 0.0
        total.update({
            "seconds": round(elapsed, 3),
            "calls_sent": sent, "results": results, "call_errors": errors, "timeouts": timeouts,
            "dropped": dropped, "retries": retries, "commands": commands,
            "frames_sent": sum(sent.values()) + sum(retries.values()),
            "sessions_started": sessions_started, "transactions": transactions,
            "sessions_stopped": sessions_stopped, "energy_kwh": round(energy / 1000.0, 3),
            "invalid_results": invalid, "unmatched_replies": unmatched, "malformed": malformed,
            "latency_ms": {
                "p50": _ms(percentile(latencies, 0.5)), "p95": _ms(percentile(latencies, 0.95)),
                "max": _ms(max(latencies) if latencies else None), "samples": len(latencies),
            },
        })
        return total

    def format_summary(self, summary=None):
        data = summary or self.summary()
        lines = [
            f"piles: {data['piles']} (booted at least once {data['ever_booted']}, booted now"
            f" {data['booted']}, connected now {data['connected']}, connections {data['connections']})"
            f" over {data['seconds']:.1f} s",
            f"sessions: started {data['sessions_started']}, transactions {data['transactions']},"
            f" stopped {data['sessions_stopped']}, energy {data['energy_kwh']:.3f} kWh",
            f"calls sent: {data['frames_sent']} frames ({_counts(data['calls_sent'])})",
            f"answered: {_counts(data['results'])}",
            f"reply latency: p50 {data['latency_ms']['p50']} ms, p95 {data['latency_ms']['p95']} ms,"
            f" max {data['latency_ms']['max']} ms over {data['latency_ms']['samples']} replies",
        ]
        for label, key in (("CALLERRORs", "call_errors"), ("retries", "retries"),
                           ("timeouts", "timeouts"), ("dropped", "dropped"), ("commands", "commands")):
            if data[key]:
                lines.append(f"{label}: {_counts(data[key])}")
        for label, key in (("invalid replies", "invalid_results"), ("unmatched replies", "unmatched_replies"),
                           ("malformed frames received", "malformed")):
            if data[key]:
                lines.append(f"{label}: {data[key]}")
        return "\n".join(lines)


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000.0, 1)


def _counts(mapping):
    return ", ".join(f"{key} {value}" for key, value in sorted(mapping.items())) or "none"
