"""Benchmark of billing: orders priced per second by the pure engine (sessions
of 120 meter samples that cross time-of-use band boundaries), and orders
settled per second through the ORM as production settles them: the
StopTransaction hook closes each session, then the settle queue settles the
stopped orders in batches (pricing, bill lines, the 15 checks, completion
and, with charge_member, the payment from the member's wallet), on the bench
database.

Run by `make bench` (scripts/ops/bench.py) inside an Odoo shell, where ``env``
exists; the ORM part is rolled back. Prints its figures beside their targets
(issue 13: 5,000 engine orders/s, 300 settled orders/s); asserts nothing."""

import time
from contextlib import nullcontext
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from unittest.mock import patch

from odoo.addons.charge_billing.tools import pricing
from odoo.addons.charge_billing.tools.tou_grid import Period

SAMPLES = 120
ENGINE_TARGET = 5000  # orders of 120 samples priced per second by the engine
ORM_TARGET = 300  # orders settled (priced, checked, completed, paid from wallets) per second through the ORM
MEMBERS = 20
DEMO_DAY = [(0, 480, "valley"), (480, 600, "flat"), (600, 720, "peak"), (720, 840, "sharp"), (840, 1140, "peak"),
            (1140, 1320, "flat"), (1320, 1440, "valley")]


def demo_tariff():
    prices = {"sharp": (Decimal("1.12800"), Decimal("0.80000")), "peak": (Decimal("0.95420"), Decimal("0.80000")),
              "flat": (Decimal("0.62350"), Decimal("0.60000")), "valley": (Decimal("0.28760"), Decimal("0.40000"))}
    return pricing.CarTariff(
        timezone="Asia/Shanghai", periods=tuple(Period(*period) for period in DEMO_DAY),
        prices={band: pricing.BandPrice(*values) for band, values in prices.items()},
        occupancy=pricing.OccupancyRule(15, 30, Decimal("1.00"), Decimal("20.00")))


def session_facts(index):
    """A 4-hour session at ~30 kW starting at a varying minute between 06:00 and 12:00 local,
    so that it crosses two to four band boundaries; a sample every 2 minutes."""
    start = datetime(2026, 11, 20, 22, 0, tzinfo=timezone.utc) + timedelta(minutes=(index * 7) % 360)
    samples, energy = [], 0.0
    for step in range(1, SAMPLES + 1):
        energy += 1000 + (index + step) % 50
        samples.append(pricing.Sample(start + timedelta(minutes=2 * step), energy, 30000.0))
    return pricing.SessionFacts(start, start + timedelta(minutes=2 * SAMPLES + 1), 0.0, energy + 500,
                                tuple(samples), occupancy_minutes=float(index % 60))


def bench_engine(count=2000):
    tariff = demo_tariff()
    facts = [session_facts(index) for index in range(count)]
    began = time.perf_counter()
    lines = 0
    for fact in facts:
        lines += len(pricing.price_session(tariff, fact).lines)
    elapsed = time.perf_counter() - began
    print(f"engine: {count} sessions of {SAMPLES} samples priced in {elapsed:.2f} s: "
          f"{count / elapsed:.0f} orders/s (target >= {ENGINE_TARGET:,}/s; {lines / count:.1f} bill lines per order)")
    return count / elapsed


def member_tags(env, company, count=MEMBERS):
    """App tags of ``count`` new members of ``company`` whose wallets hold 100,000 (with charge_member), or
    None (the orders then have no wallet to pay from)."""
    if "charge.wallet" not in env:
        return None
    members = env["res.partner"].create([{
        "name": f"Bench Billing Member {index}", "charge_member": True, "charge_mobile": f"1960000{index:04d}",  # the storms use 1970...
        "company_id": company.id} for index in range(count)])
    for member in members:
        member._charge_wallet()._recharge(100_000)
    return members.mapped("charge_app_tag")


def open_sessions(env, count):
    """``count`` sessions with 120 meter values each on the Bay station's time-of-use piles, of
    members with a wallet (with charge_member), their orders open; and the members' tags (or None)."""
    station = env.ref("charge_base.station_bay")
    piles = env["charge.pile"].search([("station_id", "=", station.id)])
    tags = member_tags(env, station.company_id)
    sessions = env["charge.session"]
    for index in range(count):
        pile = piles[index % len(piles)]
        facts = session_facts(index)
        session = env["charge.session"].create({
            "pile_id": pile.id, "connector_id": pile.connector_ids[0].id,
            "id_tag": tags[index % len(tags)] if tags else f"BENCH{index}",
            "start_date": facts.start.replace(tzinfo=None), "meter_start": 0, "meter_last": 0,
            "start_key": f"bench-billing-{index}-{time.time()}", "authorized": True,
        })
        session._on_session_started()
        env["charge.meter.value"].create([{
            "session_id": session.id, "pile_id": pile.id, "connector_number": 1, "company_id": pile.company_id.id,
            "timestamp": sample.at.replace(tzinfo=None), "energy_wh": sample.energy_wh, "power_w": sample.power_w,
        } for sample in facts.samples])
        sessions |= session
    env.cr.flush()  # as the commits of the start transactions: the pending writes and the chatter's (none)
    env.invalidate_all()
    return sessions, tags


def stop_sessions(env, sessions):
    """The StopTransaction hook of each session in turn (the driver unplugged: the order is final once
    settled), and what the commit of the device transaction would do: the pending writes and the chatter's
    tracking. Without the settle queue (an older charge_billing) the hook settled its order itself: it does
    not here, so that ``settle`` times the same batch settlement."""
    queue = hasattr(env["charge.order"], "_cron_settle_queue")
    with nullcontext() if queue else patch.object(type(env["charge.order"]), "_settle", lambda orders: None):
        _stop_sessions(env, sessions)


def _stop_sessions(env, sessions):
    for index, session in enumerate(sessions):
        facts = session_facts(index)
        session.write({"stop_date": facts.stop.replace(tzinfo=None), "meter_stop": int(facts.meter_stop_wh),
                       "meter_last": int(facts.meter_stop_wh), "stop_reason": "EVDisconnected",
                       "state": "finished"})
        session._on_session_stopped()
    env.cr.flush()  # as the commit would: the pending writes and the chatter's tracking


def settle(env, orders):
    """Settle the stopped ``orders`` as production does: the settle queue (charge_billing's
    ``_cron_settle_queue``, in batches of 200, in the operator's language) when there is one, else
    ``_settle`` on the whole batch; then what the commit would do (the pending writes, the tracking).
    Returns how it settled them."""
    Order = env["charge.order"]
    if hasattr(Order, "_cron_settle_queue"):
        Order._cron_settle_queue()
        how = "by the settle queue"
    else:
        env.company._charge_in_operator_lang(orders)._settle()
        how = "by _settle on the batch"
    env.cr.flush()
    return how


def bench_orm(env, count=200, label="orm"):
    """Orders settled per second: ``count`` sessions (see ``open_sessions``) stopped, then their
    orders settled (see ``settle``: each order is priced, checked, completed and paid from the
    member's wallet), timed apart from the stops. Rolled back."""
    sessions, tags = open_sessions(env, count)
    began = time.perf_counter()
    stop_sessions(env, sessions)
    stopped = time.perf_counter() - began
    orders = env["charge.order"].browse(sessions.order_ids.ids)
    env.invalidate_all()  # the queue runs in a transaction of its own
    queries, cpu, began = env.cr.sql_log_count, time.process_time(), time.perf_counter()
    how = settle(env, orders)
    elapsed = time.perf_counter() - began
    queries, cpu = env.cr.sql_log_count - queries, time.process_time() - cpu
    states = {state: len(orders.filtered(lambda o, s=state: o.state == s)) for state in set(orders.mapped("state"))}
    paid = ""
    if tags:
        payments = {state: len(orders.filtered(lambda o, s=state: o.payment_state == s))
                    for state in set(orders.mapped("payment_state"))}
        paid = f" and paid from wallets (payments {payments})"
    print(f"{label}: {count} orders of {SAMPLES} samples settled{' and paid' if tags else ''} {how} in {elapsed:.2f} s: "
          f"{count / elapsed:.1f} orders/s (target >= {ORM_TARGET}/s; priced, checked, completed{paid}; "
          f"states {states}, {len(orders.line_ids) / max(len(orders), 1):.1f} lines per order; per order "
          f"{queries / count:.1f} queries and {cpu / count * 1000:.1f} ms of Odoo CPU; the {count} stops "
          f"before it took {stopped:.2f} s)")
    env.cr.rollback()
    return count / elapsed


def run(env, engine_count=2000, orm_count=200, runs=3):
    """The engine, then the settlement: a first batch warms the process and the database up (its figure
    is printed, not counted), then ``runs`` batches; the ``orm:`` line is their median."""
    bench_engine(engine_count)
    bench_orm(env, orm_count, label="warm-up (not counted)")
    rates = sorted(bench_orm(env, orm_count, label=f"run {index + 1}") for index in range(runs))
    median = rates[len(rates) // 2]
    print(f"orm: {orm_count} orders settled and paid by the settle queue: median of {runs} runs {median:.1f} "
          f"orders/s (target >= {ORM_TARGET}/s; runs {', '.join(f'{rate:.1f}' for rate in rates)}/s)")
    return median
