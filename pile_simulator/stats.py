"""What happened to a pile, as seen from the pile: an observer of its events
(``pile.subscribe(stats)``) that tests and the summary read.

Events (``kind`` and its ``data`` keys):

- ``connected`` (session_present), ``disconnected`` (reason), ``connect_failed`` (reason)
- ``booted`` (status, interval, currentTime)
- ``call_sent`` / ``call_retry`` (action, message_id, payload, transactional, send)
- ``call_result`` (action, message_id, payload, request, latency, sends)
- ``call_error`` (action, message_id, code, description, details, latency)
- ``call_timeout`` / ``call_dropped`` (action, message_id, code, description, transactional)
- ``invalid_result`` (action, message_id, payload, code, description): a reply breaking its schema
- ``unmatched_reply`` (message_id, frame): a late, duplicate or unknown reply
- ``malformed`` (text, error): a down frame that is not OCPP-J
- ``command`` (action, message_id, payload, response or error_code)
- ``status`` (connector, status, error_code, vendor_error_code)
- ``reservation_expired`` (connector, reservation_id): a ReserveNow reached its expiryDate
- ``session_started`` (session, connector, id_tag, remote, meter_start)
- ``session_failed`` (session, connector, id_tag, reason)
- ``transaction_started`` (session, connector, transaction_id, id_tag, status)
- ``transaction_stopped`` (session, connector, transaction_id, id_tag, reason, meter_start,
  meter_stop, energy_wh, duration_s)

``session`` is a number the pile gives each of its sessions, so that events of
a session queued offline are matched even when its transactionId comes late.
"""
import collections
import copy
import threading


class PileStats:
    """Counters and recent history of one pile (thread-safe to read)."""

    def __init__(self, keep=500):
        self._lock = threading.Lock()
        self.keep = keep
        self.counters = collections.Counter()
        self.calls_sent = collections.Counter()
        self.retries = collections.Counter()
        self.results = collections.Counter()
        self.timeouts = collections.Counter()
        self.dropped = collections.Counter()
        self.commands = collections.Counter()
        self.last_result = {}
        self.last_command = {}
        self.call_errors = collections.deque(maxlen=keep)
        self.invalid_results = collections.deque(maxlen=keep)
        self.unmatched = collections.deque(maxlen=keep)
        self.malformed = collections.deque(maxlen=keep)
        self.replies = collections.OrderedDict()   # message_id -> (action, payload)
        self.latencies = collections.deque(maxlen=2_000)
        self.transactions = []
        self._sessions = {}
        self.status = {}
        self.energy_wh = 0.0

    def __call__(self, pile, kind, data):
        with self._lock:
            self.counters[kind] += 1
            handler = getattr(self, f"_on_{kind}", None)
            if handler:
                handler(data)

    # event handlers (under the lock) -----------------------------------------

    def _on_call_sent(self, data):
        self.calls_sent[data["action"]] += 1

    def _on_call_retry(self, data):
        self.retries[data["action"]] += 1

    def _on_call_result(self, data):
        self.results[data["action"]] += 1
        self.last_result[data["action"]] = data["payload"]
        self.latencies.append(data["latency"])
        self._remember(data["message_id"], data["action"], data["payload"])

    def _on_call_error(self, data):
        self.call_errors.append(dict(data))
        self._remember(data["message_id"], data["action"], {"error": data["code"]})

    def _on_call_timeout(self, data):
        self.timeouts[data["action"]] += 1

    def _on_call_dropped(self, data):
        self.dropped[data["action"]] += 1

    def _on_invalid_result(self, data):
        self.invalid_results.append(dict(data))

    def _on_unmatched_reply(self, data):
        self.unmatched.append(dict(data))

    def _on_malformed(self, data):
        self.malformed.append(dict(data))

    def _on_command(self, data):
        self.commands[data["action"]] += 1
        self.last_command[data["action"]] = dict(data)

    def _on_status(self, data):
        self.status[data["connector"]] = data["status"]

    def _session(self, data):
        return self._sessions.get(data["session"])

    def _on_session_started(self, data):
        record = {
            "session": data["session"], "connector": data["connector"], "id_tag": data["id_tag"],
            "remote": data["remote"], "meter_start": data["meter_start"], "transaction_id": None,
        }
        self.transactions.append(record)
        self._sessions[data["session"]] = record

    def _on_transaction_started(self, data):
        record = self._session(data)
        if record is not None:
            record.update(transaction_id=data["transaction_id"], id_tag_status=data["status"])

    def _on_transaction_stopped(self, data):
        self.energy_wh += data["energy_wh"]
        record = self._session(data)
        if record is not None:
            record.update(data)

    def _remember(self, message_id, action, payload):
        self.replies[message_id] = (action, payload)
        while len(self.replies) > self.keep:
            self.replies.popitem(last=False)

    # reading -------------------------------------------------------------------

    @property
    def transaction_ids(self):
        with self._lock:
            return [record["transaction_id"] for record in self.transactions
                    if record.get("transaction_id") is not None]

    def reply_to(self, message_id):
        """(action, payload) of the reply received for ``message_id``, or None."""
        with self._lock:
            return self.replies.get(message_id)

    def snapshot(self):
        """A deep copy of everything, safe to read from any thread."""
        with self._lock:
            latencies = list(self.latencies)
            snapshot = copy.deepcopy({
                "counters": dict(self.counters),
                "calls_sent": dict(self.calls_sent),
                "retries": dict(self.retries),
                "results": dict(self.results),
                "timeouts": dict(self.timeouts),
                "dropped": dict(self.dropped),
                "commands": dict(self.commands),
                "last_result": self.last_result,
                "last_command": self.last_command,
                "call_errors": list(self.call_errors),
                "invalid_results": list(self.invalid_results),
                "unmatched": list(self.unmatched),
                "malformed": list(self.malformed),
                "transactions": self.transactions,
                "status": self.status,
                "energy_wh": self.energy_wh,
            })
        snapshot["latencies"] = latencies
        return snapshot


def percentile(values, fraction):
    """The ``fraction`` (0..1) percentile of ``values`` (nearest rank), or None."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
