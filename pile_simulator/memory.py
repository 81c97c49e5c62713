"""In-process transport for tests: no broker, deterministic with a ManualLoop.

What the pile publishes is kept in ``sent`` (and handed to ``peer`` when one
is given: a callable ``peer(text)`` that returns the frames to send back, as
a platform would). ``deliver`` hands the pile a frame as if the platform had
published it. ``link_down`` / ``link_up`` simulate the network or the broker
going away and coming back; ``reachable = False`` makes connection attempts fail.
"""
import concurrent.futures

from . import frames
from .transport import ABORT_CLOSE, Transport


class MemoryTransport(Transport):

    def __init__(self, loop, peer=None, up_topic="charge/pile/up", retry_delay=1.0):
        self.loop = loop
        self.peer = peer
        self.up_topic = up_topic
        self.retry_delay = retry_delay
        self.reachable = True
        self.connected = False
        self.sent = []            # frames published on the up topic, in order
        self.other_topics = []    # (topic, text) published elsewhere
        self.refused_topics = set()
        self.connect_attempts = 0
        self._wanted = False
        self._retry = None

    # Transport API ---------------------------------------------------------

    def open(self):
        self._wanted = True
        if not self.connected and self._retry is None:
            self._retry = self.loop.call_soon(self._connect)

    def close(self):
        self._wanted = False
        self._disconnect("closed")

    def abort(self, mode=ABORT_CLOSE):
        self._wanted = False
        self._disconnect(f"aborted ({mode})")

    def publish(self, text):
        if not self.connected:
            raise ConnectionError("MemoryTransport: publish while disconnected")
        self.sent.append(text)
        if self.peer is not None:
            self.loop.call_soon(self._answer, text)
        return len(self.sent)

    def publish_to(self, topic, text):
        future = concurrent.futures.Future()
        if topic == self.up_topic:
            self.publish(text)
            future.set_result(0)
        else:
            self.other_topics.append((topic, text))
            future.set_result(135 if topic in self.refused_topics else 0)
        return future

    # test controls ----------------------------------------------------------

    def deliver(self, text):
        """Hand the pile a frame from the platform (on the next loop turn)."""
        self.loop.call_soon(self._receive, text)

    def link_down(self, reason="network lost"):
        """The link breaks; the transport reconnects once ``link_up`` is called."""
        self.reachable = False
        self._disconnect(reason)

    def link_up(self):
        self.reachable = True
        if self._wanted and not self.connected and self._retry is None:
            self._retry = self.loop.call_soon(self._connect)

    def frames(self):
        """The parsed frames sent so far."""
        return [frames.parse(text) for text in self.sent]

    def calls(self, action=None):
        """The CALL frames sent so far (of one action when given)."""
        return [frame for frame in self.frames()
                if isinstance(frame, frames.Call) and (action is None or frame.action == action)]

    def replies(self):
        """CALLRESULT and CALLERROR frames sent so far (answers to commands)."""
        return [frame for frame in self.frames() if not isinstance(frame, frames.Call)]

    def clear(self):
        self.sent.clear()

    # internals ----------------------------------------------------------------

    def _connect(self):
        self._retry = None
        if not self._wanted or self.connected:
            return
        self.connect_attempts += 1
        if not self.reachable:
            if self.listener:
                self.listener.transport_connect_failed("unreachable")
            return  # link_up() tries again
        self.connected = True
        if self.listener:
            self.listener.transport_connected(self.connect_attempts > 1)

    def _disconnect(self, reason):
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        if self.connected:
            self.connected = False
            if self.listener:
                self.listener.transport_disconnected(reason)

    def _receive(self, text):
        if self.connected and self.listener:
            self.listener.transport_message(text)

    def _answer(self, text):
        answers = self.peer(text)
        if answers is None:
            return
        if isinstance(answers, (str, bytes)):
            answers = [answers]
        for answer in answers:
            self.deliver(answer)
