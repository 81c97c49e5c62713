"""The ceiling of the device bus benchmarks: an echo that answers every
frame at once, without any processing, so that what it carries is what the
broker and the load generator carry on this machine.

Several processes share the frames through an MQTT 5 shared subscription
(``$share/<group>/<prefix>/+/up``, as the listeners do); each answers in its
network loop (``[3, message id, {}]`` on ``<prefix>/<serial>/down``, QoS 1).

Reusable by other benchmarks (stable API)::

    with Echo(port, processes=3):
        result = bus_load.run_load(port, piles, rate, seconds)
"""

import json
import multiprocessing
import time
import traceback
import uuid

import bus_load
import bus_wire

ECHO_GROUP = "bench-echo"


def reply_topic(topic):
    """``<prefix>/<serial>/up`` -> ``<prefix>/<serial>/down`` (the prefix may hold slashes)."""
    return topic[:-len("up")] + (b"down" if isinstance(topic, bytes) else "down")


def answer(payload):
    """The reply to a CALL frame: an empty CALLRESULT with its message id."""
    return json.dumps([3, json.loads(payload)[1], {}], separators=(",", ":"))


class Echo:
    """``processes`` echo processes on ``port``; ``start()`` returns once each subscribed."""

    def __init__(self, port, processes=3, prefix=bus_load.PREFIX, group=ECHO_GROUP, host=bus_load.HOST):
        self.port, self.processes, self.prefix, self.group, self.host = port, processes, prefix, group, host
        self.workers = []
        self.stopping = None

    def start(self, timeout=30.0):
        context = multiprocessing.get_context("spawn")
        self.stopping = context.Event()
        topic = f"$share/{self.group}/{self.prefix}/+/up"
        try:
            for index in range(self.processes):
                parent_end, child_end = context.Pipe()
                process = context.Process(target=_echo_worker, daemon=True, name=f"bench-echo-{index}",
                                          args=(child_end, self.port, self.host, topic, self.stopping))
                process.start()
                child_end.close()
                self.workers.append((process, parent_end))
            for process, conn in self.workers:
                if not conn.poll(timeout):
                    raise TimeoutError(f"{process.name} did not subscribe within {timeout:.0f} s")
                message = conn.recv()
                if message != "ready":
                    raise RuntimeError(f"{process.name} failed:\n{message}")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        if self.stopping is not None:
            self.stopping.set()
        for process, conn in self.workers:
            process.join(3)
            if process.is_alive():
                process.kill()
                process.join(2)
            conn.close()
        self.workers = []

    def alive(self):
        return bool(self.workers) and all(process.is_alive() for process, _conn in self.workers)

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()


def _echo_worker(conn, port, host, topic, stopping):
    try:
        client = None

        def on_message(topic, payload):
            try:
                text = answer(payload)
            except (ValueError, IndexError, TypeError, KeyError):
                return
            client.publish(reply_topic(topic), text.encode(), qos=1)

        client = bus_wire.Connection(host, port, f"bench-echo-{uuid.uuid4().hex[:8]}", on_message=on_message)
        client.subscribe([topic], qos=1)
        conn.send("ready")
        last_check = time.monotonic()
        while True:
            client.poll(0.05)
            now = time.monotonic()
            if now - last_check > 0.1:
                last_check = now
                if stopping.is_set():
                    break
        client.close()
    except BaseException:  # noqa: BLE001 - reported to the parent
        try:
            conn.send(traceback.format_exc())
        except (OSError, ValueError):
            pass
    finally:
        conn.close()
