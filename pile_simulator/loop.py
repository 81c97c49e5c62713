"""Event loops the piles run on.

All of a pile's state lives on one loop thread: the MQTT callbacks, the timers
(heartbeats, meter samples, retries) and the public methods, which other
threads call through ``run_sync``. Two loops offer the same small interface
(``time``, ``call_soon``, ``call_later``, ``call_soon_threadsafe``,
``run_sync``, ``in_loop_thread``):

- ``LoopThread``: an asyncio loop in a daemon thread; one is enough for
  hundreds of piles (sockets are watched with epoll, not one thread each);
- ``ManualLoop``: a deterministic loop for unit tests, whose clock only moves
  when the test calls ``advance``.
"""
import asyncio
import concurrent.futures
import heapq
import itertools
import logging
import threading

_logger = logging.getLogger(__name__)


class LoopThread:
    """An asyncio event loop running in its own daemon thread."""

    def __init__(self, name="charge-simulator"):
        self.name = name
        self.aio = asyncio.new_event_loop()
        self.aio.set_exception_handler(self._on_exception)
        self._thread = None

    # life cycle -----------------------------------------------------------

    def start(self):
        if self._thread is None:
            started = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(started,), name=self.name, daemon=True)
            self._thread.start()
            started.wait()
        return self

    def _run(self, started):
        asyncio.set_event_loop(self.aio)
        self.aio.call_soon(started.set)
        self.aio.run_forever()

    def stop(self, timeout=5.0):
        """Stop the loop and join its thread (callbacks still scheduled are dropped)."""
        if self._thread is None:
            return
        self.aio.call_soon_threadsafe(self.aio.stop)
        self._thread.join(timeout)
        self._thread = None
        if not self.aio.is_running():
            self.aio.close()

    @property
    def running(self):
        return self._thread is not None and self._thread.is_alive()

    # scheduling -----------------------------------------------------------

    def time(self):
        return self.aio.time()

    def call_soon(self, callback, *args):
        return self.aio.call_soon(callback, *args)

    def call_later(self, delay, callback, *args):
        return self.aio.call_later(max(0.0, delay), callback, *args)

    def call_soon_threadsafe(self, callback, *args):
        return self.aio.call_soon_threadsafe(callback, *args)

    def in_loop_thread(self):
        return self._thread is not None and threading.current_thread() is self._thread

    def run_sync(self, function, *args, timeout=30.0):
        """Run ``function(*args)`` on the loop thread and return its result
        (directly when already on it, or when the loop is not started)."""
        if self.in_loop_thread() or not self.running:
            return function(*args)
        future = concurrent.futures.Future()

        def runner():
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(function(*args))
            except BaseException as error:  # handed over to the caller's thread
                future.set_exception(error)

        self.aio.call_soon_threadsafe(runner)
        return future.result(timeout)

    # sockets (used by the MQTT transport) ---------------------------------

    def add_reader(self, sock, callback):
        self.aio.add_reader(sock, callback)

    def remove_reader(self, sock):
        self.aio.remove_reader(sock)

    def add_writer(self, sock, callback):
        self.aio.add_writer(sock, callback)

    def remove_writer(self, sock):
        self.aio.remove_writer(sock)

    @staticmethod
    def _on_exception(_loop, context):
        _logger.error("simulator loop: %s", context.get("message"), exc_info=context.get("exception"))


class _TimerHandle:
    __slots__ = ("when", "callback", "args", "cancelled")

    def __init__(self, when, callback, args):
        self.when = when
        self.callback = callback
        self.args = args
        self.cancelled = False

    def cancel(self):
        self.cancelled = True


class ManualLoop:
    """Deterministic loop for tests: nothing runs until ``run_until_idle`` or
    ``advance``; ``advance(s)`` runs every timer due within ``s`` seconds, in
    order, with ``time()`` set to each timer's due time."""

    def __init__(self, start=1000.0):
        self._now = float(start)
        self._queue = []
        self._sequence = itertools.count()

    def time(self):
        return self._now

    def call_soon(self, callback, *args):
        return self.call_later(0.0, callback, *args)

    call_soon_threadsafe = call_soon

    def call_later(self, delay, callback, *args):
        handle = _TimerHandle(self._now + max(0.0, delay), callback, args)
        heapq.heappush(self._queue, (handle.when, next(self._sequence), handle))
        return handle

    def in_loop_thread(self):
        return True

    def run_sync(self, function, *args, timeout=None):
        return function(*args)

    def run_until_idle(self, limit=100_000):
        """Run every callback due now (and those they schedule for now)."""
        self._run_due(self._now, limit)

    def advance(self, seconds, limit=1_000_000):
        """Move the clock ``seconds`` forward, running due timers on the way."""
        self._run_due(self._now + seconds, limit)

    def _run_due(self, until, limit):
        for _ in range(limit):
            if not self._queue or self._queue[0][0] > until:
                break
            when, _sequence, handle = heapq.heappop(self._queue)
            if handle.cancelled:
                continue
            self._now = max(self._now, when)
            handle.callback(*handle.args)
        else:
            raise RuntimeError("ManualLoop: too many callbacks (a timer loop?)")
        self._now = max(self._now, until)

    @property
    def pending(self):
        """Number of timers still scheduled (cancelled ones excluded)."""
        return sum(1 for _when, _seq, handle in self._queue if not handle.cancelled)
