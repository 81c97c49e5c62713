"""Fault tests of the device bus: a storm of 1,000 sessions while the listener
is killed with SIGKILL ten times, and while the broker restarts; no start and
no stop may be lost or counted twice."""

import signal
import threading
import time

import pytest

from device_bus_harness import RetryingPile, e2e_bus, wait_for

PILES = 50
SESSIONS_PER_PILE = 20          # 50 x 20 = 1,000 sessions
KILLS = 10


def create_storm_piles(bus, prefix):
    bus.odoo_shell(
        "env['charge.pile.batch'].create({"
        "'station_id': env.ref('charge_base.station_bay').id,"
        "'model_id': env.ref('charge_base.pile_model_teld_dc120').id,"
        f"'serial_prefix': '{prefix}', 'first_number': 1, 'number_width': 4, 'quantity': {PILES}}}).action_create()")
    return dict(bus.sql("SELECT serial, mqtt_password FROM charge_pile WHERE serial LIKE %s ORDER BY serial",
                        [f"{prefix}%"]))


class Storm:
    """Each pile runs its sessions one after the other: start, two meter
    values, stop; every frame retried until answered."""

    def __init__(self, bus, piles, tag):
        self.bus, self.tag = bus, tag
        self.piles = [RetryingPile(bus, serial, password) for serial, password in piles.items()]
        self.done = 0
        self.lock = threading.Lock()
        self.errors = []
        self.transactions = {}

    def _run_pile(self, pile, deadline):
        try:
            for k in range(SESSIONS_PER_PILE):
                start_meter = k * 10_000
                minute = f"2026-11-21T{8 + k // 60:02d}:{k % 60:02d}:00Z"
                answer = pile.call("StartTransaction", {"connectorId": 1, "idTag": self.tag,
                                                        "meterStart": start_meter, "timestamp": minute},
                                   f"{k}-start", deadline)
                transaction_id = answer[2]["transactionId"]
                assert transaction_id, answer
                for n in (1, 2):
                    pile.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id, "meterValue": [{
                        "timestamp": minute, "sampledValue": [{"value": str(start_meter + n * 2000)}]}]},
                        f"{k}-meter-{n}", deadline)
                pile.call("StopTransaction", {"transactionId": transaction_id, "meterStop": start_meter + 5000,
                                              "timestamp": minute, "reason": "Local"}, f"{k}-stop", deadline)
                self.transactions[(pile.serial, k)] = transaction_id
                with self.lock:
                    self.done += 1
                time.sleep(0.02)
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.errors.append(f"{pile.serial}: {error}")

    def start(self, seconds):
        deadline = time.monotonic() + seconds
        wait_for(lambda: all(p.client.is_connected() for p in self.piles), 30, "storm piles did not connect")
        self.threads = [threading.Thread(target=self._run_pile, args=(pile, deadline)) for pile in self.piles]
        for thread in self.threads:
            thread.start()

    def running(self):
        return any(thread.is_alive() for thread in self.threads)

    def join(self):
        for thread in self.threads:
            thread.join()
        for pile in self.piles:
            pile.close()

    def check(self, prefix):
        assert not self.errors, self.errors[:5]
        assert len(self.transactions) == PILES * SESSIONS_PER_PILE
        rows = self.bus.sql("""
            SELECT p.serial, count(*), count(*) FILTER (WHERE s.state = 'finished'),
                   count(*) FILTER (WHERE s.energy_kwh = 5.0), count(DISTINCT s.start_key)
              FROM charge_session s JOIN charge_pile p ON p.id = s.pile_id
             WHERE p.serial LIKE %s GROUP BY p.serial""", [f"{prefix}%"])
        assert len(rows) == PILES
        for serial, sessions, finished, right_energy, distinct_starts in rows:
            assert (sessions, finished, right_energy, distinct_starts) == (SESSIONS_PER_PILE,) * 4, serial
        # every transaction id a pile was given is one of its sessions
        known = {row[0] for row in self.bus.sql(
            "SELECT s.id FROM charge_session s JOIN charge_pile p ON p.id = s.pile_id WHERE p.serial LIKE %s",
            [f"{prefix}%"])}
        assert set(self.transactions.values()) == known


@pytest.fixture
def bus(tmp_path):
    with e2e_bus(tmp_path, start=False) as bus:
        yield bus


def start_storm(bus, prefix):
    """Piles made for the storm (so that the broker's access files list them),
    then the broker, a listener, and the storm itself."""
    piles = create_storm_piles(bus, prefix)
    bus.start_broker()
    bus.start_listener()
    storm = Storm(bus, piles, f"STORM{prefix}")
    storm.start(seconds=600)
    return storm


def storm_reached(storm, sessions):
    """Wait until ``sessions`` are done; False when the storm ended first."""
    wait_for(lambda: storm.done >= sessions or not storm.running(), 300, "the storm stalled")
    return storm.running()


def test_listener_killed_ten_times_during_a_storm_loses_and_doubles_nothing(bus):
    storm = start_storm(bus, "KILL")
    kills = 0
    step = PILES * SESSIONS_PER_PILE // (KILLS + 2)
    while kills < KILLS and storm_reached(storm, (kills + 1) * step):
        listener = bus.listeners.pop()
        listener.send_signal(signal.SIGKILL)
        listener.wait(10)
        kills += 1
        bus.start_listener()
    storm.join()
    assert kills == KILLS, f"the storm ended after {kills} kills"
    storm.check("KILL")
    resent = sum(p.resent for p in storm.piles)
    print(f"\n{KILLS} listener kills, {storm.done} sessions, {resent} frames sent again by the piles")


def test_a_broker_restart_during_a_storm_loses_and_doubles_nothing(bus):
    storm = start_storm(bus, "BRKR")
    restarts = 0
    for fraction in (0.25, 0.5, 0.75):
        if not storm_reached(storm, fraction * PILES * SESSIONS_PER_PILE):
            break
        bus.broker.send_signal(signal.SIGKILL)
        bus.broker.wait(10)
        time.sleep(1)
        bus.restart_broker()
        restarts += 1
    storm.join()
    assert restarts == 3, f"the storm ended after {restarts} restarts"
    storm.check("BRKR")
