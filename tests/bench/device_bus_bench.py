"""Benchmark of the device bus: how many frames per second piles can offer
before the latency from a pile's publish to the platform's reply (through
mosquitto, the listeners and PostgreSQL) passes 250 ms at the 99th
percentile: the knee, for 1, 2 and 3 listeners, compared to the ceiling
measured in the same run (an echo that answers at once, so the broker and
the load generator on this machine); then, at twice the knee, whether the
listeners saturate gracefully (answered rate against the knee's).

Frames: 60% Heartbeat, 30% MeterValues, 10% StatusNotification, QoS 1
(bus_load.ocpp_mix), from several load processes on an open-loop schedule
(bus_load); the echo is several processes on a shared subscription
(bus_echo); each search is doubling then bisection (bus_knee). Every run
starts on a fresh broker (a new mosquitto process, so no backlog crosses
runs) with fresh listeners, unless the previous run was verified drained
(every frame it sent answered).

Run by `make bench` (scripts/ops/bench.py), which prepares the database and
passes its settings. Prints its figures beside their targets; asserts nothing."""

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import bus_cpu
import bus_echo
import bus_knee
import bus_load

P99_LIMIT_MS = 250.0
TARGET_KNEE_RATIO = 0.50   # knee of 2 listeners / ceiling
TARGET_OVERLOAD = 0.90     # answered rate at twice the knee / the knee's answered rate
LISTENER_TOPIC = r"^\$share/(?!" + bus_echo.ECHO_GROUP + r"/).+/up$"


def passes(result):
    """The run carried its offered rate: p99 under the limit (an unanswered
    frame counts as infinitely late), and the generator kept its schedule."""
    return result.p99_ms < P99_LIMIT_MS and result.generator_kept_up() and not result.refused


def carried(result):
    """Every frame answered and the offered rate kept (only the latency is over the limit)."""
    return not result.lost and result.generator_kept_up() and result.answered_rate >= 0.97 * result.offered


def listeners_name(count):
    return f"{count} listener{'s' if count > 1 else ''}"


def met(condition):
    return "met" if condition else "NOT met"


def fmt_ms(value):
    if math.isinf(value):
        return "unanswered"  # more than 1% of the frames lost
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


class Bench:
    def __init__(self, args):
        self.args = args
        self.folder = Path(args.folder)
        self.port = int(Path(args.conf).read_text().split("mqtt_port = ")[1].split()[0])
        self.piles = json.loads(args.serials)
        self.odoo = json.loads(args.odoo_argv) if args.odoo_argv else None
        self.broker = bus_load.Broker(self.port, self.folder, args.mosquitto)
        self.listeners = []
        self.echo = None
        self.drained = False  # the broker and responders hold nothing from the last run
        self.rows = []
        self.started = time.monotonic()
        self.cpu = bus_cpu.Sampler(self.roles, db=args.db)
        self.splits = {}  # id(result) -> {role: cores} while its load was offered

    def roles(self):
        roles = {"listeners": [p.pid for p in self.listeners if p.poll() is None]}
        if self.broker.process is not None:
            roles["broker"] = [self.broker.process.pid]
        if self.echo is not None:
            roles["echo"] = [process.pid for process, _conn in self.echo.workers]
        return roles

    def cpu_split(self, result):
        return bus_cpu.describe(self.splits.get(id(result)), result.load_cores, result.answered_rate)

    # responders ----------------------------------------------------------------

    def stop_responders(self):
        if self.echo is not None:
            self.echo.stop()
            self.echo = None
        for process in self.listeners:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        for process in self.listeners:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self.listeners = []
        self.drained = False

    def start_echo(self):
        self.stop_responders()
        self.broker.restart()
        self.echo = bus_echo.Echo(self.port, processes=self.args.echo_processes).start()
        self.warm_up("echo")

    def start_listeners(self, count):
        self.stop_responders()
        self.broker.restart()
        for n in range(count):
            log = open(self.folder / f"listener{n}.log", "ab")
            try:
                self.listeners.append(subprocess.Popen(
                    self.odoo + ["charge_listener", "-c", self.args.conf, "-d", self.args.db,
                                 "--instance", f"bench{n}", *self.args.listener_arg],
                    stdout=log, stderr=subprocess.STDOUT))
            finally:
                log.close()
        alive = lambda: all(process.poll() is None for process in self.listeners)  # noqa: E731
        if not self.broker.wait_subscribers(count, LISTENER_TOPIC, timeout=180, alive=alive):
            raise RuntimeError(f"{count} listener(s) did not subscribe; see {self.folder}/listener*.log")
        self.warm_up(f"{count} listener(s)")

    def warm_up(self, what):
        """A short run at a low rate: every responder is connected and its caches are warm."""
        result = bus_load.run_load(self.port, self.piles, self.args.warm_rate, 2, processes=self.args.load_processes,
                                   grace=10)
        if not result.answered:
            raise RuntimeError(f"{what}: no reply during the warm-up; see {self.folder}")
        self.drained = result.drained()

    # runs ----------------------------------------------------------------------

    def trial(self, name, rate, restart):
        if not self.drained:
            restart()
            fresh = "fresh broker"
        else:
            fresh = "broker drained"
        result = bus_load.run_load(self.port, self.piles, rate, self.args.seconds,
                                   processes=self.args.load_processes, grace=self.args.grace)
        self.drained = result.drained()
        if result.started_at:
            self.splits[id(result)] = self.cpu.split(result.started_at, result.started_at + self.args.seconds)
        dead = [n for n, process in enumerate(self.listeners) if process.poll() is not None]
        if dead or (self.echo is not None and not self.echo.alive()):
            raise RuntimeError(f"a responder died during the run at {rate}/s (listener(s) {dead}); "
                               f"see {self.folder}")
        self.rows.append((name, rate, result, passes(result), fresh))
        self.print_row(*self.rows[-1])
        return result

    def measure(self, name, rate, restart):
        """A run at ``rate``; a failure that carried every frame (only the p99
        over the limit: a stall of this busy machine, or the very edge) is run
        once more, and the better of the two counts."""
        result = self.trial(name, rate, restart)
        if self.args.retry and not passes(result) and carried(result):
            again = self.trial(name, rate, restart)
            if passes(again):
                return again
        return result

    def search(self, name, start, restart):
        return bus_knee.find_knee(lambda rate: self.measure(name, rate, restart), passes, start,
                                  max_trials=self.args.max_trials, cap=self.args.max_rate)

    def print_row(self, name, rate, r, ok, fresh):
        print(f"  {name:14} {rate:6d}/s  sent {r.sent:6d}  answered {r.answered:6d}  lost {r.lost:5d}  "
              f"answered {r.answered_rate:6.0f}/s  p50 {fmt_ms(r.p50_ms):>10}  p99 {fmt_ms(r.p99_ms):>10}  "
              f"{'pass' if ok else 'FAIL'}  (load sent {r.sent_rate:.0f}/s, max lag {r.max_lag_ms:.0f} ms; "
              f"{fresh}; {time.monotonic() - self.started:.0f} s)", flush=True)
        split = self.cpu_split(r)
        if split:
            print(f"  {'':14} {'':8}  {split}", flush=True)

    def run(self):
        args = self.args
        print(f"Device bus benchmark: {len(self.piles)} piles, frames 60% Heartbeat / 30% MeterValues / "
              f"10% StatusNotification (QoS 1), {args.seconds} s per run, {args.load_processes} load processes, "
              f"knee = highest offered rate with p99 < {P99_LIMIT_MS:.0f} ms; {os.cpu_count()} cores", flush=True)
        print(f"Ceiling: echo, {args.echo_processes} processes on a shared subscription", flush=True)
        self.drained = False  # each search starts its responders afresh
        self.cpu.start()
        ceiling = self.search("echo", args.ceiling_start, self.start_echo)
        self.stop_responders()
        knees, overload = {}, {}
        start = args.start_rate
        failed = []
        for count in args.listeners:
            print(f"Knee: {listeners_name(count)}", flush=True)
            restart = lambda count=count: self.start_listeners(count)  # noqa: E731
            self.drained = False
            try:
                knees[count] = self.search(listeners_name(count), start, restart)
                start = knees[count].knee or start
                knee = knees[count].knee
                if count in args.overload_listeners and knee:
                    # on the warm listeners if the last run drained, else on a fresh broker
                    overload[count] = knees[count].result_at(knee * 2)  # the search may have run it already
                    if overload[count] is None:
                        overload[count] = self.trial(f"{listeners_name(count)} x2", knee * 2, restart)
                    else:
                        print(f"  (twice the knee, {knee * 2}/s, was run by the search)", flush=True)
            except (RuntimeError, TimeoutError, OSError) as error:  # the other counts still run
                print(f"  {listeners_name(count)}: the benchmark failed: {error}", flush=True)
                failed.append(count)
                knees.pop(count, None)
                self.stop_responders()
        self.stop_responders()
        self.summary(ceiling, knees, overload)
        return 1 if failed else 0

    def summary(self, ceiling, knees, overload):
        print(f"\nDevice bus: figures ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
              f"{time.monotonic() - self.started:.0f} s)")
        ceiling_rate = ceiling.knee
        saturated = max((r.answered_rate for _rate, r, _ok in ceiling.trials), default=0)
        if ceiling_rate:
            bound = "" if ceiling.bracketed else " (at least: no echo run failed up to that rate)"
            result = ceiling.result_at(ceiling_rate)
            print(f"  ceiling (echo): {ceiling_rate}/s offered carried with p99 {fmt_ms(result.p99_ms)} "
                  f"(highest offered rate with p99 < {P99_LIMIT_MS:.0f} ms){bound}; echo saturated at "
                  f"{saturated:.0f} answered/s")
        else:
            ceiling_rate = saturated
            print(f"  ceiling (echo): no run passed; its saturated answered rate {saturated:.0f}/s is the ceiling")
        for count, search in knees.items():
            knee = search.knee
            if not knee:
                print(f"  knee, {listeners_name(count)}: no rate passed down to the floor")
                continue
            result = search.result_at(knee)
            ratio = knee / ceiling_rate if ceiling_rate else math.nan
            target = (f"target >= {TARGET_KNEE_RATIO:.0%}: {met(ratio >= TARGET_KNEE_RATIO)}" if count == 2
                      else f"no target; 2 listeners: >= {TARGET_KNEE_RATIO:.0%}")
            bound = "" if search.bracketed else " (at least: no run failed up to that rate)"
            print(f"  knee, {listeners_name(count)}: {knee}/s (p99 {fmt_ms(result.p99_ms)}, answered "
                  f"{result.answered_rate:.0f}/s){bound} = {ratio:.0%} of the ceiling ({target})")
            if self.cpu_split(result):
                print(f"    {self.cpu_split(result)}")
        for count in self.args.overload_listeners:
            if count in knees and count not in overload:
                print(f"  twice the knee, {listeners_name(count)}: not run (no knee; target >= "
                      f"{TARGET_OVERLOAD:.0%} of the knee's answered rate)")
        for count, result in overload.items():
            knee_result = knees[count].result_at(knees[count].knee)
            share = result.answered_rate / knee_result.answered_rate if knee_result.answered_rate else math.nan
            target = f"target >= {TARGET_OVERLOAD:.0%}: {met(share >= TARGET_OVERLOAD)}"
            print(f"  twice the knee, {listeners_name(count)}: {result.offered:.0f}/s offered, answered "
                  f"{result.answered_rate:.0f}/s = {share:.0%} of the knee's {knee_result.answered_rate:.0f}/s "
                  f"({target}); p99 {fmt_ms(result.p99_ms)}, {result.lost} lost after "
                  f"{self.args.grace:.0f} s")
            if self.cpu_split(result):
                print(f"    {self.cpu_split(result)}")
            if passes(result):
                print("    (that run kept p99 under the limit too: the knee above is an underestimate, "
                      "its search was disturbed by the noise of this machine)")
        print(f"  ({len(self.piles)} piles, {self.args.seconds} s per run, {self.broker.starts} broker starts, "
              f"{os.cpu_count()} cores shared by the broker, PostgreSQL, the load and the listeners)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odoo-argv", help="JSON list: python3 -m odoo --addons-path=...")
    parser.add_argument("--conf", required=True, help="odoo.conf whose [charge_device] mqtt_port is the broker's")
    parser.add_argument("--db", required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--mosquitto", default=bus_load.DEFAULT_MOSQUITTO)
    parser.add_argument("--serials", required=True, help="JSON {serial: transactionId}")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--grace", type=float, default=3, help="seconds to wait for the last replies")
    parser.add_argument("--listeners", default="1,2,3")
    parser.add_argument("--overload-listeners", default="1,2,3", help="listener counts run at twice their knee")
    parser.add_argument("--start-rate", type=int, default=1000, help="first rate of the first listener search")
    parser.add_argument("--ceiling-start", type=int, default=2000)
    parser.add_argument("--max-rate", type=int, default=64_000)
    parser.add_argument("--max-trials", type=int, default=6, help="runs per search")
    parser.add_argument("--warm-rate", type=int, default=200)
    parser.add_argument("--load-processes", type=int, default=2)
    parser.add_argument("--echo-processes", type=int, default=2)
    parser.add_argument("--no-retry", dest="retry", action="store_false",
                        help="do not run again a failure that carried every frame")
    parser.add_argument("--listener-arg", action="append", default=[],
                        help="extra argument of charge_listener (repeat)")
    args = parser.parse_args()
    args.listeners = [int(n) for n in args.listeners.split(",") if n]
    args.overload_listeners = [int(n) for n in args.overload_listeners.split(",") if n]
    if args.listeners and not args.odoo_argv:
        parser.error("--odoo-argv is needed to start listeners")
    bench = Bench(args)
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))  # through the finally below
    try:
        return bench.run()
    finally:
        bench.cpu.stop()
        bench.stop_responders()
        bench.broker.stop()


if __name__ == "__main__":
    sys.exit(main())
