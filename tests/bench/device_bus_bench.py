"""Benchmark of the device bus: sustained frames per second from a pile's
publish to the platform's reply, through mosquitto, the listener and
PostgreSQL, with 60% heartbeats, 30% meter values and 10% status
notifications; p50 and p99 latency; and, as the ceiling, the broker's own
echo rate with the same client library.

Run by `make bench` (scripts/ops/bench.py), which prepares the database and
passes its settings. Prints its figures; asserts nothing."""

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

PREFIX = "charge"


def nodelay(c):
    import socket
    c.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def client(name):
    c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"{name}-{uuid.uuid4().hex[:6]}",
                    protocol=mqtt.MQTTv5)
    c.max_inflight_messages_set(1000)
    c.max_queued_messages_set(0)
    return c


class Load:
    """Piles sending a mix of frames at a steady rate; latency per reply."""

    def __init__(self, port, serials, transaction_ids, rate, seconds, threads=2):
        self.port, self.serials, self.rate, self.seconds = port, serials, rate, seconds
        self.transaction_ids = transaction_ids
        self.threads = threads
        self.sent = {}
        self.latencies = []
        self.lock = threading.Lock()
        self.replies = 0

    def frame(self, serial, counter, rng):
        draw = rng.random()
        message_id = f"{counter}"
        if draw < 0.6:
            return message_id, [2, message_id, "Heartbeat", {}]
        if draw < 0.9:
            energy = 1000 + counter
            return message_id, [2, message_id, "MeterValues", {
                "connectorId": 1, "transactionId": self.transaction_ids.get(serial, 0) or None,
                "meterValue": [{"timestamp": "2026-11-21T08:00:00Z", "sampledValue": [
                    {"value": str(energy), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                    {"value": "60000", "measurand": "Power.Active.Import", "unit": "W"},
                    {"value": "380", "measurand": "Voltage", "unit": "V"},
                ]}]}]
        status = rng.choice(["Available", "Preparing", "Charging", "Finishing"])
        return message_id, [2, message_id, "StatusNotification",
                            {"connectorId": 2, "status": status, "errorCode": "NoError"}]

    def _on_message(self, _client, _userdata, message):
        now = time.perf_counter()
        try:
            message_id = json.loads(message.payload)[1]
        except (ValueError, IndexError):
            return
        serial = message.topic.split("/")[-2]
        with self.lock:
            started = self.sent.pop((serial, message_id), None)
            if started is not None:
                self.latencies.append(now - started)
                self.replies += 1

    def _worker(self, index, serials, rate, stop_at, counter_base):
        rng = random.Random(index)
        c = client(f"bench-load-{index}")
        c.on_message = self._on_message
        c.connect("127.0.0.1", self.port)
        nodelay(c)
        c.loop_start()
        for serial in serials:
            c.subscribe(f"{PREFIX}/{serial}/down", qos=1)
        time.sleep(1)
        interval = 1.0 / rate
        next_at = time.perf_counter()
        counter = counter_base
        while True:
            serial = serials[counter % len(serials)]
            now = time.perf_counter()
            if now >= stop_at:
                break
            if next_at > now:
                time.sleep(next_at - now)
            counter += 1
            message_id, frame = self.frame(serial, counter, rng)
            message_id = f"{index}-{message_id}"
            frame[1] = message_id
            with self.lock:
                self.sent[(serial, message_id)] = time.perf_counter()
            c.publish(f"{PREFIX}/{serial}/up", json.dumps(frame), qos=1)
            next_at += interval
        time.sleep(3)  # the last replies
        c.loop_stop()
        c.disconnect()

    def run(self):
        stop_at = time.perf_counter() + 1 + self.seconds
        chunks = [self.serials[i::self.threads] for i in range(self.threads)]
        workers = [threading.Thread(target=self._worker, args=(i, chunk, self.rate / self.threads, stop_at,
                                                              i * 10_000_000))
                   for i, chunk in enumerate(chunks)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return self.report(time.perf_counter() - started - 3 - 1)

    def report(self, elapsed):
        lat = sorted(self.latencies)
        if not lat:
            return {"replies": 0}
        pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
        return {"sent": self.replies + len(self.sent), "replies": self.replies, "lost": len(self.sent),
                "rate": self.replies / elapsed, "p50_ms": pick(0.50), "p99_ms": pick(0.99),
                "mean_ms": statistics.fmean(lat) * 1000}


def echo_responder(port):
    """The ceiling: answer every frame at once, without any processing, the way
    the listener does it (its own process; replies published from another
    thread than paho's). Runs until SIGTERM."""
    import queue
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_a: stop.set())
    inbox = queue.Queue()
    c = client("bench-echo")
    c.on_message = lambda _c, _u, message: inbox.put(message)
    c.connect("127.0.0.1", port)
    nodelay(c)
    c.subscribe(f"$share/bench/{PREFIX}/+/up", qos=1)
    c.loop_start()
    while not stop.is_set():
        try:
            message = inbox.get(timeout=0.2)
        except queue.Empty:
            continue
        serial = message.topic.split("/")[-2]
        message_id = json.loads(message.payload)[1]
        c.publish(f"{PREFIX}/{serial}/down", json.dumps([3, message_id, {}]), qos=1)
    c.loop_stop()


def main():
    if sys.argv[1:2] == ["--echo"]:
        return echo_responder(int(sys.argv[2]))
    parser = argparse.ArgumentParser()
    parser.add_argument("--odoo-argv", required=True, help="JSON list: python3 -m odoo --addons-path=...")
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--mosquitto", required=True)
    parser.add_argument("--serials", required=True, help="JSON {serial: transactionId}")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rates", default="1000,2000,3000")
    args = parser.parse_args()
    folder = Path(args.folder)
    port = int(Path(args.conf).read_text().split("mqtt_port = ")[1].split()[0])
    conf = folder / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\n"
                    "max_inflight_messages 0\nset_tcp_nodelay true\nuser root\n")
    broker = subprocess.Popen([args.mosquitto, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    time.sleep(1)
    serials_map = json.loads(args.serials)
    serials = sorted(serials_map)
    odoo = json.loads(args.odoo_argv)
    results = []
    try:
        echo = subprocess.Popen([sys.executable, __file__, "--echo", str(port)])
        time.sleep(1)
        for rate in [int(r) for r in args.rates.split(",")]:
            results.append((f"echo (ceiling) @ {rate}/s", 0,
                            Load(port, serials, serials_map, rate, args.seconds).run()))
        echo.terminate()
        echo.wait(10)
        for listeners in (1, 2):
            procs = [subprocess.Popen(odoo + ["charge_listener", "-c", args.conf, "-d", args.db, "--instance",
                                              f"bench{n}"],
                                      stdout=open(folder / f"listener{n}.log", "ab"), stderr=subprocess.STDOUT)
                     for n in range(listeners)]
            time.sleep(8)
            for rate in [int(r) for r in args.rates.split(",")]:
                results.append((f"listener x{listeners} @ {rate}/s", listeners,
                                Load(port, serials, serials_map, rate, args.seconds).run()))
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait(60)
    finally:
        broker.terminate()
        broker.wait(10)
    print("\nDevice bus benchmark (frames: 60% Heartbeat, 30% MeterValues, 10% StatusNotification)")
    print(f"{'run':32} {'sent':>8} {'replies':>8} {'lost':>6} {'frames/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for name, _listeners, r in results:
        if not r.get("replies"):
            print(f"{name:32} no reply")
            continue
        print(f"{name:32} {r['sent']:8d} {r['replies']:8d} {r['lost']:6d} {r['rate']:9.0f} "
              f"{r['p50_ms']:8.1f} {r['p99_ms']:8.1f}")
    print(f"({len(serials)} piles, {args.seconds} s per run, {os.cpu_count()} cores)")


if __name__ == "__main__":
    sys.exit(main())
