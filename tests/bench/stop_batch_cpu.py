"""The cost of StopTransactions in the listener's batch, measured alone.

Run in an Odoo shell on a bench database whose stop-storm piles exist (the
stop storm's ``prepare`` made them: STORM00001... with the cards
STORMC00001...):

    exec(open("tests/bench/stop_batch_cpu.py").read()); measure(env, batch=100, batches=3)
    measure(env, batch=100, batches=3, per_frame=True)  # the stops one by one, as before

Starts ``batch * batches`` charges through ``charge.device.bus._process_batch``
(one batch of StartTransactions, one of MeterValues), then stops them
``batch`` at a time and prints, per StopTransaction, the Odoo process's CPU
time and the number of queries. Everything is rolled back at the end.
"""
import json
import time


def _frames(serials, action, payload_of, prefix, tag):
    return [(f"{prefix}/{serial}/up", json.dumps([2, f"{tag}-{serial}", action, payload_of(serial)]))
            for serial in serials]


class _Counting:
    """The psycopg2 cursor under Odoo's, counting every statement (the
    listener's set-based writes go to it directly)."""

    def __init__(self, cursor):
        self._cursor, self.count, self.texts = cursor, 0, None

    def execute(self, *args, **kwargs):
        self.count += 1
        if self.texts is not None:
            self.texts.append(str(args[0])[:120])
        return self._cursor.execute(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


def measure(env, batch=100, batches=3, per_frame=False, show=False):
    """``per_frame``: each stop through the per-frame handler, as before the
    set-based path (charge_device_bus_stops.py)."""
    from unittest.mock import patch

    Bus = type(env["charge.device.bus"])
    if per_frame:
        with patch.object(Bus, "_set_based_stops", lambda bus, items: []):
            return _measure(env, batch, batches, "one by one", show)
    return _measure(env, batch, batches, "together", show)


def _measure(env, batch, batches, how, show=False):
    from odoo.addons.charge_device.tools import ocpp_frames

    bus = env["charge.device.bus"]
    company = env.ref("charge_base.station_bay").company_id
    prefix = company.charge_mqtt_prefix
    piles = env["charge.pile"].search([("serial", "=like", "STORM%")], order="serial", limit=batch * batches)
    serials = piles.mapped("serial")
    cards = {serial: f"STORMC{int(serial[5:]):05d}" for serial in serials}
    run = int(time.time())
    try:
        env.cr.execute("SAVEPOINT stop_batch_cpu")
        now = "2026-12-07T12:00:00Z"
        replies = bus._process_batch(_frames(serials, "StartTransaction", lambda s: {
            "connectorId": 1, "idTag": cards[s], "meterStart": 0, "timestamp": now}, prefix, f"s{run}"))
        transactions = {}
        for topic, text in replies:
            frame = ocpp_frames.decode(text)
            transactions[topic.split("/")[1]] = frame.payload["transactionId"]
        bus._process_batch(_frames(serials, "MeterValues", lambda s: {
            "connectorId": 1, "transactionId": transactions[s], "meterValue": [{"timestamp": now, "sampledValue": [
                {"value": "3000", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}]},
            prefix, f"m{run}"))
        env.flush_all()
        env.invalidate_all()
        cpu, queries, answered = 0.0, 0, 0
        for index in range(batches):
            some = serials[index * batch:(index + 1) * batch]
            frames = _frames(some, "StopTransaction", lambda s: {
                "transactionId": transactions[s], "idTag": cards[s], "meterStop": 5000,
                "timestamp": "2026-12-07T12:30:00Z", "reason": "Local"}, prefix, f"t{run}")
            env.invalidate_all()
            counting = env.cr._obj = _Counting(env.cr._obj)
            if show and index == batches - 1:
                counting.texts = []
            try:
                started = time.process_time()
                replies = bus._process_batch(frames)
                env.flush_all()
                cpu += time.process_time() - started
            finally:
                env.cr._obj = counting._cursor
            queries += counting.count
            if counting.texts:
                from collections import Counter
                for text, times in Counter(counting.texts).most_common(40):
                    print(f"  {times:4d} x {text}")
            stopped = env["charge.session"].search_count([("id", "in", [transactions[s] for s in some]),
                                                          ("state", "=", "finished")])
            waiting = env["charge.order"].search_count([("session_id", "in", [transactions[s] for s in some]),
                                                        ("settle_pending", "=", True)])
            assert stopped == waiting == len(some), (stopped, waiting)
            answered += sum(1 for _t, text in replies if ocpp_frames.decode(text).payload.get("idTagInfo"))
        stops = batch * batches
        print(f"STOP-BATCH {stops} StopTransactions in batches of {batch}, {how}: {cpu / stops * 1000:.2f} ms of CPU and "
              f"{queries / stops:.2f} queries per stop ({answered} answered with an idTagInfo)")
    finally:
        env.cr.execute("ROLLBACK TO SAVEPOINT stop_batch_cpu")
        env.invalidate_all()
