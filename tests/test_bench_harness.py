"""The device bus benchmark's harness (tests/bench/bus_*.py): the knee
search, the merging of the load processes' figures, and a short real run
(mosquitto, the echo processes, the load processes) in which every frame is
answered. Nothing here is timed: the benchmark prints figures, these tests
check that the harness counts right."""

import json
import math
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "bench"))

import bus_cpu  # noqa: E402
import bus_echo  # noqa: E402
import bus_knee  # noqa: E402
import bus_load  # noqa: E402
import bus_wire  # noqa: E402

MOSQUITTO = shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin:/usr/local/sbin")


def threshold_trial(limit, tried):
    def trial(rate):
        tried.append(rate)
        return rate <= limit
    return trial


def test_knee_doubles_then_bisects():
    tried = []
    search = bus_knee.find_knee(threshold_trial(3000, tried), bool, 1000, max_trials=8)
    assert tried == [1000, 2000, 4000, 2850, 3400]  # stops once 3400 / 2850 <= 1.25
    assert search.knee == 2850
    assert search.first_fail_rate == 3400
    assert search.bracketed


def test_knee_halves_from_a_failing_start():
    tried = []
    search = bus_knee.find_knee(threshold_trial(300, tried), bool, 1000, max_trials=8)
    assert tried[:3] == [1000, 500, 250]
    assert 250 <= search.knee <= 300 < search.first_fail_rate


def test_knee_stops_at_the_trial_budget_and_the_cap():
    tried = []
    search = bus_knee.find_knee(threshold_trial(3000, tried), bool, 1000, max_trials=3)
    assert tried == [1000, 2000, 4000]
    assert search.knee == 2000
    tried = []
    search = bus_knee.find_knee(threshold_trial(10**9, tried), bool, 1000, cap=8000, max_trials=8)
    assert tried == [1000, 2000, 4000, 8000]
    assert search.knee == 8000 and not search.bracketed
    tried = []
    search = bus_knee.find_knee(threshold_trial(0, tried), bool, 400, floor=100, max_trials=8)
    assert tried == [400, 200, 100]
    assert search.knee is None


def worker_report(sent, latencies, in_window, first, last, action="Heartbeat"):
    return {"sent": sent, "answered": len(latencies), "in_window": in_window, "errors": 0, "duplicates": 0,
            "refused": 0, "max_lag": 0.002, "first_send": first, "last_send": last,
            "by_action": {action: (sent, latencies)}}


def test_merge_counts_unanswered_frames_as_infinitely_late():
    answered = [0.001 * i for i in range(1, 99)]  # 98 of 100 frames answered
    result = bus_load.merge([worker_report(50, answered[:49], 49, 10.0, 10.98),
                             worker_report(50, answered[49:], 40, 10.01, 10.99, "MeterValues")], 100, 1.0)
    assert (result.sent, result.answered, result.lost, result.processes) == (100, 98, 2, 2)
    assert result.answered_rate == 89  # replies within the sending window, per second
    assert math.isinf(result.p99_ms)  # 2% lost: the 99th percentile is not answered
    assert result.p50_ms == pytest.approx(50)
    assert not result.drained()
    assert result.by_action["MeterValues"][0] == 50
    complete = bus_load.merge([worker_report(10, [0.001] * 10, 10, 5.0, 5.9)], 10, 1.0)
    assert complete.drained() and complete.p99_ms == pytest.approx(1.0)
    assert complete.generator_kept_up()


def test_the_frame_mix():
    import random
    rng = random.Random(1)
    actions = [bus_load.ocpp_mix("P1", i, rng, 7)[2] for i in range(10_000)]
    assert 5700 < actions.count("Heartbeat") < 6300
    assert 2700 < actions.count("MeterValues") < 3300
    assert 800 < actions.count("StatusNotification") < 1200


def test_echo_reply():
    assert bus_echo.reply_topic(b"op/sz/P1/up") == b"op/sz/P1/down"
    assert bus_echo.answer(b'[2,"a-1","Heartbeat",{}]') == '[3,"a-1",{}]'


@pytest.mark.skipif(not MOSQUITTO, reason="mosquitto is not installed")
def test_every_frame_through_a_fresh_broker_and_the_echo_is_answered(tmp_path):
    """Two load processes and two echo processes on a shared subscription:
    each frame sent is answered once; the broker's log names the echo's subscribers."""
    from scripts.ops import odoo_cmd
    port = odoo_cmd.free_port()
    piles = {f"T{i:03d}": i for i in range(20)}
    with bus_load.Broker(port, tmp_path, MOSQUITTO) as broker, bus_echo.Echo(port, processes=2):
        assert len(broker.subscribers(r"^\$share/" + bus_echo.ECHO_GROUP + "/")) == 2
        result = bus_load.run_load(port, piles, 200, 1.0, processes=2, grace=30)
        assert (result.sent, result.answered, result.lost, result.duplicates) == (200, 200, 0, 0)
        assert result.drained()
        assert sum(sent for sent, _l in result.by_action.values()) == 200
        assert result.load_cpu > 0 and result.load_wall > 0  # the CPU split of the benchmark's output
        broker.restart()
        assert broker.starts == 2
        assert broker.subscribers(".") == set()  # a new broker: nothing of the last one


@pytest.mark.skipif(not MOSQUITTO, reason="mosquitto is not installed")
def test_publishes_beyond_the_receive_maximum_wait_their_turn(tmp_path):
    """A broker that allows 5 messages in flight: the client keeps the rest
    until a PUBACK frees a place, and the broker refuses none."""
    from scripts.ops import odoo_cmd
    port = odoo_cmd.free_port()
    received = []
    with bus_load.Broker(port, tmp_path, MOSQUITTO, max_inflight=5):
        reader = bus_wire.Connection(bus_load.HOST, port, "reader", on_message=lambda t, p: received.append(p))
        reader.subscribe(["t/#"], qos=1)
        writer = bus_wire.Connection(bus_load.HOST, port, "writer")
        assert writer.receive_maximum == 5
        for i in range(200):
            writer.publish(b"t/x", str(i).encode(), qos=1)
        assert len(writer.inflight) == 5 and len(writer.waiting) == 195
        for _ in range(2000):
            writer.poll(0.01)
            reader.poll(0.01)
            if writer.idle() and len(received) == 200:
                break
        assert writer.refused == 0
        assert sorted(int(p) for p in received) == list(range(200))
        writer.close()
        reader.close()


@pytest.mark.skipif(not MOSQUITTO, reason="mosquitto is not installed")
def test_each_run_has_message_ids_of_its_own(tmp_path):
    """A frame repeating an earlier run's (same pile, message id and content)
    is answered from the frame log without being processed: each run's ids are new."""
    from scripts.ops import odoo_cmd
    port = odoo_cmd.free_port()
    piles = {f"T{i:03d}": i for i in range(5)}
    ids = []
    with bus_load.Broker(port, tmp_path, MOSQUITTO), bus_echo.Echo(port, processes=1):
        spy = bus_wire.Connection(bus_load.HOST, port, "spy",
                                  on_message=lambda topic, payload: ids[-1].append(json.loads(payload)[1]))
        spy.subscribe([f"{bus_load.PREFIX}/+/up"], qos=0)
        for _run in range(2):
            ids.append([])
            result = bus_load.run_load(port, piles, 50, 0.4, processes=2, grace=30)
            assert result.answered == result.sent == 20
            for _ in range(200):
                spy.poll(0.01)
                if len(ids[-1]) == 20:
                    break
        spy.close()
    assert len(set(ids[0])) == len(set(ids[1])) == 20
    assert not set(ids[0]) & set(ids[1])


def test_cpu_of_a_process_and_of_the_machine():
    # the command name may hold spaces and parentheses
    stat = "4242 (odoo (bus) x) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 1000"
    assert bus_cpu.parse_stat(stat) == (17, 300 / bus_cpu.CLOCK_TICKS)
    machine = "cpu  100 10 50 1000 40 5 5 0 0 0\ncpu0 50 5 25 500 20 3 2 0 0 0\ncpu1 50 5 25 500 20 2 3 0 0 0\nintr 1\n"
    assert bus_cpu.parse_machine(machine) == (170 / bus_cpu.CLOCK_TICKS, 2)
    assert bus_cpu.is_backend_of(b"postgres: odoo charge_bench 127.0.0.1(5432) idle\0", "charge_bench")
    assert not bus_cpu.is_backend_of(b"postgres: odoo charge_bench_big 127.0.0.1(5432) idle", "charge_bench")
    assert not bus_cpu.is_backend_of(b"postgres: checkpointer ", "charge_bench")


def test_cpu_split_between_two_instants():
    """Cores used per role between the samples around the window; a process
    that appeared meanwhile counts from its first sample; "other" is the
    machine minus the roles (threads are a detail of their process)."""
    samples = [
        (0.0, 10.0, {1: ("listeners", 5.0), (("thread", 2)): ("listeners threads", 1.0)}),
        (1.0, 11.5, {1: ("listeners", 5.5), (("thread", 2)): ("listeners threads", 1.25), 3: ("broker", 2.0)}),
        (2.0, 13.0, {1: ("listeners", 6.0), (("thread", 2)): ("listeners threads", 1.5), 3: ("broker", 2.25)}),
        (3.0, 14.0, {1: ("listeners", 9.0), 3: ("broker", 3.0)}),
    ]
    used = bus_cpu.split(samples, 0.0, 2.5)
    assert used == {"listeners": 0.5, "listeners threads": 0.25, "broker": 0.125, "machine": 1.5, "other": 0.875}
    assert bus_cpu.split(samples, 5.0, 6.0) == {}
    text = bus_cpu.describe(used, load_cores=0.5, rate=1000)
    assert text.startswith("cores: listeners 0.50 (threads 0.25), broker 0.12, load 0.50, other 0.38")
    assert "CPU per answered frame: listeners 500 us, broker 125 us, load 500 us" in text
