"""Benchmark of billing: orders priced per second by the pure engine (sessions
of 120 meter samples that cross time-of-use band boundaries), and orders
settled per second through the ORM (the StopTransaction hook: snapshot,
pricing, bill lines, the 15 checks, completion), on the bench database.

Run by `make bench` (scripts/ops/bench.py) inside an Odoo shell, where ``env``
exists; the ORM part is rolled back. Prints its figures; asserts nothing."""

import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from odoo.addons.charge_billing.tools import pricing
from odoo.addons.charge_billing.tools.tou_grid import Period

SAMPLES = 120
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
          f"{count / elapsed:.0f} orders/s ({lines / count:.1f} bill lines per order)")


def bench_orm(env, count=200):
    """Sessions with 120 meter values each on the Bay station's time-of-use piles, then their stop."""
    piles = env["charge.pile"].search([("station_id", "=", env.ref("charge_base.station_bay").id)])
    sessions = env["charge.session"]
    for index in range(count):
        pile = piles[index % len(piles)]
        facts = session_facts(index)
        session = env["charge.session"].create({
            "pile_id": pile.id, "connector_id": pile.connector_ids[0].id, "id_tag": f"BENCH{index}",
            "start_date": facts.start.replace(tzinfo=None), "meter_start": 0, "meter_last": 0,
            "start_key": f"bench-billing-{index}-{time.time()}", "authorized": True,
        })
        session._on_session_started()
        env["charge.meter.value"].create([{
            "session_id": session.id, "pile_id": pile.id, "connector_number": 1, "company_id": pile.company_id.id,
            "timestamp": sample.at.replace(tzinfo=None), "energy_wh": sample.energy_wh, "power_w": sample.power_w,
        } for sample in facts.samples])
        sessions |= session
    env.flush_all()
    env.invalidate_all()
    began = time.perf_counter()
    for index, session in enumerate(sessions):
        facts = session_facts(index)
        session.write({"stop_date": facts.stop.replace(tzinfo=None), "meter_stop": int(facts.meter_stop_wh),
                       "meter_last": int(facts.meter_stop_wh), "stop_reason": "Local", "state": "finished"})
        session._on_session_stopped()
    env.flush_all()
    elapsed = time.perf_counter() - began
    orders = sessions.order_ids
    states = {state: len(orders.filtered(lambda o, s=state: o.state == s)) for state in set(orders.mapped("state"))}
    print(f"orm: {count} orders of {SAMPLES} samples settled in {elapsed:.2f} s: {count / elapsed:.1f} orders/s "
          f"(states {states}, {len(orders.line_ids) / max(len(orders), 1):.1f} lines per order)")
    env.cr.rollback()


def run(env, engine_count=2000, orm_count=200):
    bench_engine(engine_count)
    bench_orm(env, orm_count)
