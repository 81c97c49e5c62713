"""Load of the device bus benchmarks: a fresh broker, and piles publishing
frames at an offered rate from several processes.

Reusable by other benchmarks (tests/bench/*.py run as scripts, so that this
folder is on sys.path: ``import bus_load``). Stable API:

- ``Broker(port, folder)``: a new mosquitto process on ``port`` (no
  persistence: nothing crosses runs); ``start()``, ``stop()``, ``restart()``,
  ``subscribers(pattern)``, ``wait_subscribers(count, pattern, timeout)``;
  a context manager.
- ``run_load(port, piles, rate, seconds, ...)`` -> ``LoadResult``: the piles
  (``{serial: transaction id}``) split over ``processes`` worker processes,
  each with its own MQTT 5 connection (bus_wire), publishing QoS 1 frames on
  ``{prefix}/{serial}/up`` at its share of ``rate`` on an open-loop schedule
  (frame i is due at start + i / rate whatever the replies; a late sender
  catches up and its lag is reported), and timing each frame from its
  publish to its reply on ``{prefix}/{serial}/down``.
- ``ocpp_mix``: the default frames (60% Heartbeat, 30% MeterValues, 10%
  StatusNotification); any picklable ``frames(serial, counter, rng,
  transaction_id) -> [2, None, action, payload]`` can replace it.

Timings use time.monotonic(), one clock for every process of the machine.
"""

import json
import math
import multiprocessing
import os
import random
import re
import socket
import subprocess
import time
import traceback
import uuid
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import bus_wire

PREFIX = "charge"
# how often a load process wakes up to send what is due and read the replies (seconds)
TICK = 0.001
HOST = "127.0.0.1"
DEFAULT_MOSQUITTO = "/usr/sbin/mosquitto"


# Frames ---------------------------------------------------------------------

def ocpp_mix(serial, counter, rng, transaction_id):
    """60% Heartbeat, 30% MeterValues, 10% StatusNotification (the message id
    is set by the sender)."""
    draw = rng.random()
    if draw < 0.6:
        return [2, None, "Heartbeat", {}]
    if draw < 0.9:
        return [2, None, "MeterValues", {
            "connectorId": 1, "transactionId": transaction_id or None,
            "meterValue": [{"timestamp": "2026-11-21T08:00:00Z", "sampledValue": [
                {"value": str(1000 + counter), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": "60000", "measurand": "Power.Active.Import", "unit": "W"},
                {"value": "380", "measurand": "Voltage", "unit": "V"},
            ]}]}]
    status = rng.choice(("Available", "Preparing", "Charging", "Finishing"))
    return [2, None, "StatusNotification", {"connectorId": 2, "status": status, "errorCode": "NoError"}]


# Broker ---------------------------------------------------------------------

class Broker:
    """A mosquitto process of its own on 127.0.0.1:``port``, anonymous, without
    persistence, with the limits of the production broker
    (scripts/ops/device_bus.py): 1,000 messages in flight per client (its
    MQTT 5 receive maximum), 100,000 queued per client. Its log (with the
    subscriptions) is ``folder/mosquitto-<port>.log``. ``restart()`` gives a
    new process on the same port: nothing queued crosses it."""

    def __init__(self, port, folder, binary=None, conf_lines=(), max_queued=100_000, max_inflight=1000):
        self.port, self.folder = port, Path(folder)
        self.binary = binary or DEFAULT_MOSQUITTO
        self.conf_lines = list(conf_lines)
        self.max_queued, self.max_inflight = max_queued, max_inflight
        self.process = None
        self.starts = 0
        self.conf_path = self.folder / f"mosquitto-{port}.conf"
        self.log_path = self.folder / f"mosquitto-{port}.log"

    def start(self, timeout=10.0):
        self.folder.mkdir(parents=True, exist_ok=True)
        lines = [f"listener {self.port} {HOST}", "allow_anonymous true", "persistence false",
                 f"max_queued_messages {self.max_queued}", f"max_inflight_messages {self.max_inflight}",
                 "set_tcp_nodelay true", f"log_dest file {self.log_path}", "log_type error", "log_type warning",
                 "log_type notice", "log_type subscribe", "connection_messages true", *self.conf_lines]
        if os.geteuid() == 0:
            lines.append("user root")
        self.conf_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.log_path.write_text("", encoding="utf-8")
        deadline = time.monotonic() + timeout
        while _port_open(self.port):  # the previous broker on this port is still going away
            if time.monotonic() > deadline:
                raise RuntimeError(f"port {self.port} is still taken")
            time.sleep(0.1)
        self.process = subprocess.Popen([self.binary, "-c", str(self.conf_path)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT)
        self.starts += 1
        while not _port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"mosquitto did not start on port {self.port}; see {self.log_path}")
            time.sleep(0.05)
        return self

    def stop(self):
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)

    def restart(self):
        self.stop()
        return self.start()

    def subscribers(self, pattern):
        """Client ids that subscribed to a topic matching ``pattern`` (a regex), from the broker's log."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""
        found = set()
        for line in text.splitlines():
            # "<time>: <client id> <qos> <topic>" (log_type subscribe)
            parts = line.split()
            if len(parts) == 4 and parts[2].isdigit() and re.search(pattern, parts[3]):
                found.add(parts[1])
        return found

    def wait_subscribers(self, count, pattern, timeout=120.0, alive=lambda: True):
        """Wait until ``count`` clients subscribed to a topic matching ``pattern``."""
        deadline = time.monotonic() + timeout
        while len(self.subscribers(pattern)) < count:
            if time.monotonic() > deadline or not alive():
                return False
            time.sleep(0.2)
        return True

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()


def _port_open(port, host=HOST):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


# Load -----------------------------------------------------------------------

@dataclass
class LoadResult:
    """One run of the load: ``offered`` frames/s asked for ``seconds``."""
    offered: float
    seconds: float
    sent: int = 0
    answered: int = 0          # replies received before the end of the grace period
    in_window: int = 0         # replies received while the frames were being sent
    errors: int = 0            # CALLERROR replies (answered all the same)
    duplicates: int = 0        # replies to no pending frame (a redelivery)
    refused: int = 0           # frames the broker refused (PUBACK with a failure code)
    sent_rate: float = 0.0     # the rate the generator achieved
    max_lag_ms: float = 0.0    # how far behind its schedule the generator fell
    processes: int = 0
    started_at: float = 0.0    # time.monotonic() of the first frame's schedule
    load_cpu: float = 0.0      # CPU seconds the load processes used while sending
    load_wall: float = 0.0     # seconds they were sending
    latencies: list = field(default_factory=list, repr=False)  # seconds, sorted, answered frames only
    by_action: dict = field(default_factory=dict, repr=False)  # action -> [sent, sorted latencies]

    @property
    def lost(self):
        """Frames without a reply at the end of the grace period."""
        return self.sent - self.answered

    @property
    def answered_rate(self):
        """Replies per second while the load was offered (the throughput)."""
        return self.in_window / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q, action=None):
        """Latency percentile over every sent frame, an unanswered frame
        counting as infinitely late (so ``math.inf`` when more than 1 - q are lost)."""
        sent, latencies = (self.sent, self.latencies) if action is None else self.by_action.get(action, (0, []))
        return _percentile(latencies, sent, q) * 1000

    @property
    def p50_ms(self):
        return self.percentile_ms(0.50)

    @property
    def p99_ms(self):
        return self.percentile_ms(0.99)

    @property
    def load_cores(self):
        """Cores the load processes used while sending (None when not reported)."""
        return self.load_cpu / self.load_wall if self.load_wall else None

    def generator_kept_up(self, tolerance=0.95):
        return self.sent_rate >= tolerance * self.offered

    def drained(self):
        """Every frame answered: nothing of this run is left in the broker or the responders."""
        return self.sent > 0 and self.answered >= self.sent


def _percentile(sorted_latencies, total, q):
    if total <= 0:
        return math.nan
    index = max(0, math.ceil(q * total) - 1)
    return sorted_latencies[index] if index < len(sorted_latencies) else math.inf


def run_load(port, piles, rate, seconds, *, processes=2, grace=3.0, frames=ocpp_mix, host=HOST,
             prefix=PREFIX, reply_qos=1, start_timeout=60.0, seed=0):
    """Offer ``rate`` frames/s for ``seconds`` from ``processes`` worker processes
    (each its own MQTT client and its share of ``piles``); wait up to ``grace``
    seconds after the last frame for the last replies. ``piles``: {serial:
    transaction id} or a list of serials. Returns a LoadResult. Every worker is
    killed on the way out, whatever happens."""
    if not isinstance(piles, dict):
        piles = dict.fromkeys(piles, 0)
    serials = sorted(piles)
    processes = max(1, min(processes, len(serials)))
    total = int(round(rate * seconds))
    # message ids unique to this run: piles never reuse one, and a frame that repeated an earlier
    # run's (same pile, id and content) would be answered from the frame log without being processed
    run = uuid.uuid4().hex[:8]
    context = multiprocessing.get_context("spawn")
    workers = []
    try:
        for index in range(processes):
            mine = serials[index::processes]
            count = total // processes + (1 if index < total % processes else 0)
            spec = {"index": index, "port": port, "host": host, "prefix": prefix, "reply_qos": reply_qos,
                    "piles": [(s, piles[s]) for s in mine], "count": count, "rate": rate / processes,
                    "seconds": seconds, "grace": grace, "frames": frames, "seed": seed * 1000 + index,
                    "run": run}
            parent_end, child_end = context.Pipe()
            process = context.Process(target=_load_worker, args=(child_end, spec), daemon=True,
                                      name=f"bench-load-{index}")
            process.start()
            child_end.close()
            workers.append((process, parent_end))
        for process, conn in workers:
            message = _receive(conn, process, start_timeout)
            if message != "ready":
                raise RuntimeError(f"load worker failed to start:\n{message}")
        start_at = time.monotonic() + 0.2
        for _process, conn in workers:
            conn.send(start_at)
        results = []
        for process, conn in workers:
            message = _receive(conn, process, seconds + grace + 60)
            if not isinstance(message, dict) or "error" in message:
                raise RuntimeError(f"load worker failed:\n{message}")
            results.append(message)
        return merge(results, rate, seconds)
    finally:
        for process, conn in workers:
            process.join(2)
            if process.is_alive():
                process.kill()
                process.join(2)
            conn.close()


def _receive(conn, process, timeout):
    if not conn.poll(timeout):
        raise TimeoutError(f"{process.name} did not answer within {timeout:.0f} s")
    try:
        return conn.recv()
    except EOFError:
        raise RuntimeError(f"{process.name} died (exit code {process.exitcode})") from None


def merge(parts, rate, seconds):
    """One LoadResult from the workers' reports."""
    result = LoadResult(offered=rate, seconds=seconds, processes=len(parts))
    latencies, by_action = [], {}
    first, last = math.inf, -math.inf
    for part in parts:
        for key in ("sent", "answered", "in_window", "errors", "duplicates", "refused"):
            setattr(result, key, getattr(result, key) + part[key])
        result.max_lag_ms = max(result.max_lag_ms, part["max_lag"] * 1000)
        result.started_at = part.get("start_at", 0.0)
        result.load_cpu += part.get("cpu", 0.0)
        result.load_wall = max(result.load_wall, part.get("cpu_wall", 0.0))
        if part["sent"]:
            first, last = min(first, part["first_send"]), max(last, part["last_send"])
        for action, (sent, values) in part["by_action"].items():
            entry = by_action.setdefault(action, [0, []])
            entry[0] += sent
            entry[1].extend(values)
            latencies.extend(values)
    result.latencies = sorted(latencies)
    result.by_action = {action: (sent, sorted(values)) for action, (sent, values) in by_action.items()}
    if result.sent:
        # the schedule spreads the frames over ``seconds``: one interval after the last is the span
        span = max(last - first + 1.0 / rate, 1e-9)
        result.sent_rate = min(result.sent / span, result.sent / max(seconds - 1.0 / rate, 1e-9))
    return result


def _load_worker(conn, spec):
    try:
        conn.send(_LoadWorker(spec).run(conn))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        try:
            conn.send({"error": traceback.format_exc()})
        except (OSError, ValueError):
            pass
    finally:
        conn.close()


class _LoadWorker:
    """One load process: its piles, its MQTT connection (bus_wire), its share
    of the rate. Single-threaded: publishes and reads replies in one loop."""

    def __init__(self, spec):
        self.spec = spec
        self.pending = {}  # message id -> (publish time, action)
        self.latencies = {}  # action -> array of seconds
        self.sent_by_action = {}
        self.end = math.inf
        self.answered = self.in_window = self.errors = self.duplicates = 0

    def _on_message(self, _topic, payload):
        now = time.monotonic()
        try:
            reply = json.loads(payload)
            message_id = reply[1]
        except (ValueError, IndexError, TypeError, KeyError):
            self.duplicates += 1
            return
        sent = self.pending.pop(message_id, None)
        if sent is None:
            self.duplicates += 1
            return
        started, action = sent
        self.latencies[action].append(now - started)
        self.answered += 1
        if now <= self.end:
            self.in_window += 1
        if reply[0] == 4:
            self.errors += 1

    def run(self, conn):
        spec = self.spec
        rng = random.Random(spec["seed"])
        frames, prefix, index, run = spec["frames"], spec["prefix"], spec["index"], spec.get("run", "")
        piles = spec["piles"]
        client = bus_wire.Connection(spec["host"], spec["port"], f"bench-load-{index}-{uuid.uuid4().hex[:8]}",
                                     on_message=self._on_message)
        client.subscribe((f"{prefix}/{serial}/down" for serial, _t in piles), spec["reply_qos"])
        conn.send("ready")
        while not conn.poll(0):
            client.poll(0.02)
        start_at = conn.recv()
        count, rate = spec["count"], spec["rate"]
        interval = 1.0 / rate if rate else 0.0
        self.end = start_at + spec["seconds"]
        topics = [(serial, f"{prefix}/{serial}/up".encode(), transaction) for serial, transaction in piles]
        dumps = json.JSONEncoder(separators=(",", ":")).encode
        max_lag, first_send, last_send = 0.0, None, None
        i = 0
        while time.monotonic() < start_at:
            client.poll(min(0.005, max(0.0, start_at - time.monotonic())))
        cpu_start, wall_start = time.process_time(), time.monotonic()
        while i < count:
            now = time.monotonic()
            due = start_at + i * interval
            if now < due:
                # one wake-up per tick, not one per frame and per reply: the frames due meanwhile go
                # in one write, the replies that came meanwhile in one read (each timed when read, so
                # up to two ticks late: the latencies are overstated, never understated)
                time.sleep(min(max(due - now, TICK), 2 * TICK))
                client.poll(0)
                continue
            burst = 0
            while i < count and burst < 50:
                due = start_at + i * interval
                if due > now:
                    break
                serial, topic, transaction = topics[i % len(topics)]
                frame = frames(serial, i, rng, transaction)
                message_id = f"{run}-{index}-{i}"
                frame[1] = message_id
                action = frame[2]
                self.pending[message_id] = (now, action)
                self.sent_by_action[action] = self.sent_by_action.get(action, 0) + 1
                if action not in self.latencies:
                    self.latencies[action] = array("d")
                client.publish(topic, dumps(frame).encode(), qos=1)
                max_lag = max(max_lag, now - due)
                first_send = now if first_send is None else first_send
                last_send = now
                i += 1
                burst += 1
            client.poll(0)
        cpu, cpu_wall = time.process_time() - cpu_start, time.monotonic() - wall_start
        deadline = max(time.monotonic(), self.end) + spec["grace"]
        while self.pending and time.monotonic() < deadline:
            client.poll(0.05)
        client.close()
        return {"sent": i, "answered": self.answered, "in_window": self.in_window, "errors": self.errors,
                "duplicates": self.duplicates, "refused": client.refused, "max_lag": max_lag,
                "first_send": first_send or start_at, "start_at": start_at, "cpu": cpu, "cpu_wall": cpu_wall, "last_send": last_send or start_at,
                "by_action": {action: (self.sent_by_action[action], self.latencies[action].tolist())
                              for action in self.sent_by_action}}


def quantiles_ms(latencies, total, qs=(0.5, 0.99)):
    """Helper for other benchmarks: percentiles (ms) of sorted latencies (s) over ``total`` frames."""
    return [_percentile(latencies, total, q) * 1000 for q in qs]


__all__ = ["Broker", "LoadResult", "run_load", "ocpp_mix", "merge", "quantiles_ms", "PREFIX", "HOST"]
