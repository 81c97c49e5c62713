"""The listener's inbox: the frames its MQTT client received, waiting to be
processed in batches.

- ``window``: the most frames the listener holds unprocessed. The MQTT 5
  Receive Maximum of its connection should keep the broker from sending
  more, but mosquitto 2.0 does not always honour it (its issue #2301): an
  overloaded listener was measured holding four times its window, its
  network thread busy reading frames it could not process while the
  replies and acknowledgements it should have written waited. So the
  client stops reading its socket while the inbox is full (``is_open`` /
  ``wait_open``, the read gate of tools/mqtt_client.py BatchingClient):
  what a listener cannot take stays with the broker (and in the socket's
  buffers), which the other listeners of the group keep being served from.
- ``put`` (the network thread) never waits: the gate keeps the inbox within
  its window.
- ``take`` hands over every frame that has arrived, up to ``limit``, in one
  go: a listener that falls behind takes bigger batches (cheaper per frame).
  With fewer than ``enough`` frames waiting, it waits up to ``fill`` seconds
  for that many (a batch has a cost of its own, whatever its size); with
  ``enough`` or more it takes them at once: a listener that is behind never
  waits for a batch to fill.

Pure logic, no MQTT and no Odoo.
"""
import math
import threading
import time
from collections import deque


class Inbox:
    def __init__(self, window):
        self.window = max(1, window)
        self._items = deque()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._room = threading.Condition(self._lock)
        self._want = math.inf  # items the taker waits for (inf: it is not waiting)

    def __len__(self):
        return len(self._items)

    def put(self, item):
        with self._lock:
            self._items.append(item)
            if len(self._items) >= self._want:
                self._arrived.notify()

    def take(self, limit, timeout=0.5, fill=0.0, enough=None):
        """Up to ``limit`` items: waits up to ``timeout`` seconds for a first
        one (else []), then up to ``fill`` seconds more while fewer than
        ``enough`` (by default ``limit``) have arrived."""
        items = self._items
        enough = limit if enough is None else max(1, min(enough, limit))
        with self._lock:
            try:
                if not items:
                    self._want = 1
                    self._arrived.wait(timeout)
                    if not items:
                        return []
                if fill > 0 and len(items) < enough:
                    self._want = enough
                    deadline = time.monotonic() + fill
                    while len(items) < enough:
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            break
                        self._arrived.wait(remaining)
            finally:
                self._want = math.inf
            full = len(items) >= self.window
            batch = [items.popleft() for _ in range(min(limit, len(items)))]
            if full and len(items) < self.window:
                self._room.notify_all()
            return batch

    def is_open(self):
        """Whether more items may be read in (fewer than ``window`` waiting)."""
        return len(self._items) < self.window

    def wait_open(self, timeout):
        """Wait up to ``timeout`` seconds for room; returns is_open()."""
        with self._lock:
            if len(self._items) >= self.window:
                self._room.wait(timeout)
            return len(self._items) < self.window

    def clear(self):
        """Drop every item; returns how many there were."""
        with self._lock:
            count = len(self._items)
            self._items.clear()
            self._room.notify_all()
            return count
