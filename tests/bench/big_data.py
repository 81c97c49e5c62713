"""A data set at the scale of a city operator, filled by SQL COPY (never the
ORM): a year of charging orders (1 M by default) with their sessions and
meter values (20 per session: 20 M), 10,000 piles in 500 stations, 50,000
members with their wallets and wallet ledgers (one member with about 10,000
ledger lines, every completed member order paid from its wallet), the ledger
posted as one daily summary entry a day.

Run by `make bench` (scripts/ops/bench.py ``run_big_data``) in an Odoo shell on
a copy of the bench database, where ``env`` exists: ``build(env)`` fills the
copy once and stamps it (``STAMP_PARAM``); the screens are timed by
``big_screens.py`` on the same database.

Rows are cloned from the demo records (``_Table``): the columns the data set
sets explicitly, the template's value for every other NOT NULL column (and
for every column of a cloned record: stations, areas, piles, connectors,
members), so that a column another addon adds later is filled too. The
models' stored computed and related fields are written as the ORM would
compute them (station, area, company and kind of an order from its pile,
durations, session names, ledger balances after each line, wallet names).
Foreign keys and plain indexes of the big tables are dropped during the load
and created again after it; the id sequences are set; VACUUM ANALYZE at the
end. Prints the time of each part and of the whole build."""

import json
import random
import time
from itertools import islice
from datetime import datetime, timedelta

BUILD_VERSION = 1
STAMP_PARAM = "charge_bench.big_data"

STATIONS = 500
PILES = 10_000
MEMBERS = 50_000
ORDERS = 1_000_000
METER_VALUES_PER_SESSION = 20
BIG_LEDGER = 10_000
MEMBER_SHARE = 0.8
NULL = "\\N"
BIG_TABLES = ("charge_session", "charge_meter_value", "charge_order", "charge_wallet_transaction")


def _text(value):
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    value = str(value)
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


class _Stream:
    """A file-like object over an iterator of text lines, for ``copy_expert``."""

    def __init__(self, lines):
        self._lines = iter(lines)
        self._buffer = b""
        self.count = 0

    def read(self, size=-1):
        """About ``size`` bytes of whole lines (COPY does not need the exact size)."""
        batch = list(islice(self._lines, 5000))
        if not batch:
            return ""
        self.count += len(batch)
        return "\n".join(batch) + "\n"

    readline = read


class _Table:
    """COPY into ``table``: the explicit ``columns`` of each row (already in
    COPY text), then the template row's value of every other NOT NULL column
    (every other column at all with ``clone=True``)."""

    def __init__(self, cr, table, columns, template_id=None, clone=False):
        self.cr, self.table = cr, table
        cr.execute("""SELECT column_name, is_nullable = 'NO' FROM information_schema.columns
                       WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position""", [table])
        table_columns = cr.fetchall()
        template = {}
        if template_id:
            cr.execute(f'SELECT * FROM "{table}" WHERE id = %s', [template_id])
            template = dict(zip([d[0] for d in cr.description], cr.fetchone()))
        self.columns = list(columns)
        extra = [name for name, required in table_columns
                 if name not in self.columns and name != "id" and (clone or required)]
        missing = [name for name in extra if name not in template]
        if missing:
            raise ValueError(f"{table}: no template value for the required column(s) {missing}")
        self.suffix = "".join("\t" + _text(template[name]) for name in extra)
        self.columns += extra

    def copy(self, lines):
        suffix = self.suffix
        stream = _Stream((line + suffix for line in lines) if suffix else lines)
        names = ", ".join(f'"{name}"' for name in self.columns)
        self.cr._obj.copy_expert(f'COPY "{self.table}" ({names}) FROM STDIN', stream, size=1 << 20)
        return stream.count


def _next_id(cr, table):
    cr.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
    return cr.fetchone()[0]


def _set_sequences(cr, tables):
    for table in tables:
        cr.execute(f"""SELECT setval(pg_get_serial_sequence('"{table}"', 'id'),
                                     (SELECT COALESCE(MAX(id), 1) FROM "{table}"))""")


class _Unindexed:
    """Drop the plain indexes and foreign keys of ``tables`` for the load and
    create them again afterwards, under the same names (one pass over each
    table instead of one index update and one key check per row)."""

    def __init__(self, cr, tables):
        self.cr, self.tables = cr, tables

    def __enter__(self):
        cr = self.cr
        cr.execute("""SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
                        FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)""",
                   [list(self.tables)])
        self.keys = cr.fetchall()
        cr.execute("""SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                        FROM pg_index i
                       WHERE i.indrelid::regclass::text = ANY(%s)
                         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
                   [list(self.tables)])
        self.indexes = cr.fetchall()
        for table, name, _definition in self.keys:
            cr.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in self.indexes:
            cr.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, kind, value, traceback):
        if kind:
            return False
        cr = self.cr
        cr.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in self.indexes:
            cr.execute(definition)
        for table, name, definition in self.keys:
            cr.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        return False


def stamp(env, orders=ORDERS):
    """What the built data set depends on: the builder's version and size, and
    the version of every installed charge addon (scripts/ops/bench.py adds the
    columns of the bench database when it compares)."""
    env.cr.execute("""SELECT name, latest_version FROM ir_module_module
                       WHERE name LIKE 'charge\\_%' AND state = 'installed' ORDER BY name""")
    return {"builder": BUILD_VERSION, "orders": orders, "addons": dict(env.cr.fetchall())}


def build(env, orders=ORDERS, seed=13):
    """Fill the database; prints the time of each part and the whole."""
    started = time.monotonic()
    rng = random.Random(seed)
    cr = env.cr
    cr.execute("SET LOCAL synchronous_commit = off")
    now = datetime.utcnow().replace(minute=0, second=0, microsecond=0)
    context = _Context(env, rng, now, orders)
    for part in (_stations, _members, _orders, _ledger, _books, _meter_values):
        tick = time.monotonic()
        label = part(context)
        print(f"big data: {label} in {time.monotonic() - tick:.1f} s", flush=True)
    tick = time.monotonic()
    _set_sequences(cr, ["charge_station", "charge_area", "charge_pile", "charge_connector", "res_partner",
                        "charge_wallet", *BIG_TABLES])
    env["ir.config_parameter"].sudo().set_param(STAMP_PARAM, json.dumps(stamp(env, orders)))
    env.cr.commit()
    _vacuum(env.cr.dbname)
    print(f"big data: sequences, VACUUM and ANALYZE in {time.monotonic() - tick:.1f} s", flush=True)
    print(f"big data: built in {time.monotonic() - started:.0f} s", flush=True)


def _vacuum(dbname):
    """VACUUM ANALYZE (outside a transaction): the statistics, and the visibility
    map that index-only scans need, as autovacuum leaves them on a live database."""
    import psycopg2

    from odoo.sql_db import connection_info_for
    connection = psycopg2.connect(**connection_info_for(dbname)[1])
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    finally:
        connection.close()


class _Context:
    """What the parts share: the templates, the ids they create."""

    def __init__(self, env, rng, now, orders):
        self.env, self.cr, self.rng, self.now, self.orders = env, env.cr, rng, now, orders
        self.station = env.ref("charge_base.station_bay")
        self.pile = env["charge.pile"].search([("station_id", "=", self.station.id), ("kind", "=", "car"),
                                               ("connector_ids", "!=", False)], order="id", limit=1)
        connectors = self.pile.connector_ids.sorted("number")
        self.connector_templates = connectors.ids[:2]
        self.area = self.pile.area_id
        self.company = self.station.company_id
        self.version = self.pile._tariff_version_at(now)
        from odoo.addons.charge_billing.tools import pricing
        tariff = self.version._car_tariff(self.station, self.pile)
        self.snapshot = _text(json.dumps({"kind": "car", "tariff": pricing.snapshot_to_dict(tariff)},
                                         ensure_ascii=False))
        self.member = env["res.partner"].search([("charge_member", "=", True), ("charge_wallet_ids", "!=", False)],
                                                order="id", limit=1)
        self.wallet = self.member.charge_wallet_ids[:1]
        self.uid = env.uid


def _stations(ctx):
    """500 stations of 20 piles (one area each), two connectors per pile."""
    cr, rng = ctx.cr, ctx.rng
    station_first = _next_id(cr, "charge_station")
    ctx.station_ids = list(range(station_first, station_first + STATIONS))
    _Table(cr, "charge_station", ["id", "name", "code"], ctx.station.id, clone=True).copy(
        f"{sid}\tBench Station {n:03d}\tBIG-{n:03d}" for n, sid in enumerate(ctx.station_ids))
    area_first = _next_id(cr, "charge_area")
    ctx.area_ids = list(range(area_first, area_first + STATIONS))
    _Table(cr, "charge_area", ["id", "station_id", "name", "code"], ctx.area.id, clone=True).copy(
        f"{aid}\t{sid}\tBench Area {n:03d}\tBIG-A{n:03d}"
        for n, (aid, sid) in enumerate(zip(ctx.area_ids, ctx.station_ids)))
    pile_first = _next_id(cr, "charge_pile")
    per_station = PILES // STATIONS
    ctx.pile_ids = list(range(pile_first, pile_first + PILES))
    ctx.pile_station = [ctx.station_ids[n // per_station] for n in range(PILES)]
    ctx.pile_area = [ctx.area_ids[n // per_station] for n in range(PILES)]
    _Table(cr, "charge_pile", ["id", "station_id", "area_id", "serial", "name", "mqtt_password", "asset_number",
                               "factory_number", "sim_iccid"],
           ctx.pile.id, clone=True).copy(
        f"{pid}\t{ctx.pile_station[n]}\t{ctx.pile_area[n]}\tBIG{n:07d}\tBench Pile {n:05d}\t\\N\t\\N\t\\N\t\\N"
        for n, pid in enumerate(ctx.pile_ids))
    connector_first = _next_id(cr, "charge_connector")
    ctx.connector_ids = []
    statuses = ["available"] * 6 + ["charging"] * 3 + ["preparing", "finishing", "faulted", "offline"]
    tables = [_Table(cr, "charge_connector", ["id", "pile_id", "station_id", "area_id", "code", "status"],
                     template, clone=True) for template in ctx.connector_templates]
    for number, table in enumerate(tables, start=1):
        first = connector_first + (number - 1) * PILES
        ctx.connector_ids.append(list(range(first, first + PILES)))
        table.copy(f"{first + n}\t{pid}\t{ctx.pile_station[n]}\t{ctx.pile_area[n]}\tBIG{n:07d}{number:02d}\t"
                   f"{rng.choice(statuses)}" for n, pid in enumerate(ctx.pile_ids))
    return f"{STATIONS} stations, {PILES} piles, {PILES * len(tables)} connectors"


def _members(ctx):
    """50,000 members cloned from a demo member, each with a wallet."""
    cr = ctx.cr
    partner_first = _next_id(cr, "res_partner")
    ctx.partner_ids = list(range(partner_first, partner_first + MEMBERS))
    _Table(cr, "res_partner", ["id", "name", "complete_name", "commercial_partner_id", "charge_mobile",
                               "charge_app_tag", "email", "email_normalized", "phone", "phone_sanitized", "ref",
                               "barcode", "user_id", "parent_id"], ctx.member.id, clone=True).copy(
        f"{pid}\tBench Member {n:05d}\tBench Member {n:05d}\t{pid}\t1990{n:07d}\tBIGAPP{n:07d}"
        "\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N"
        for n, pid in enumerate(ctx.partner_ids))
    wallet_first = _next_id(cr, "charge_wallet")
    ctx.wallet_ids = list(range(wallet_first, wallet_first + MEMBERS))
    _Table(cr, "charge_wallet", ["id", "partner_id", "company_id", "name", "create_uid", "write_uid",
                                 "create_date", "write_date"]).copy(
        f"{wid}\t{pid}\t{ctx.company.id}\tBench Member {n:05d}\t{ctx.uid}\t{ctx.uid}\t{ctx.now}\t{ctx.now}"
        for n, (wid, pid) in enumerate(zip(ctx.wallet_ids, ctx.partner_ids)))
    return f"{MEMBERS} members with a wallet"


def _orders(ctx):
    """The sessions and their orders, evenly over the last 365 days: 95%
    completed, the rest voided or abnormal, the last ones still charging;
    80% of them by members (member 0 about 9,200, for its 10,000 ledger lines)."""
    cr, rng, count = ctx.cr, ctx.rng, ctx.orders
    first_day = ctx.now - timedelta(days=365)
    step = 365 * 86400 / count
    big_every = max(1, count // int(BIG_LEDGER * 0.92))
    session_first = _next_id(cr, "charge_session")
    order_first = _next_id(cr, "charge_order")
    ctx.session_first, ctx.order_first = session_first, order_first
    # per order, what the later parts need: (pile index, connector number, start, minutes, power, soc)
    facts = ctx.facts = []
    ctx.by_wallet = [[] for _ in range(MEMBERS)]
    ctx.totals = {}
    for n in range(count):
        start = first_day + timedelta(seconds=int(n * step + rng.random() * step))
        minutes = rng.randint(15, 150)
        stop = start + timedelta(minutes=minutes)
        open_order = stop > ctx.now - timedelta(minutes=5)
        facts.append((rng.randrange(PILES), rng.randint(1, 2), start, minutes, rng.randint(7, 60),
                      rng.randint(5, 60), open_order))
    company, kind, uid = ctx.company.id, "car", ctx.uid

    def sessions():
        for n, (pile, number, start, minutes, power, soc, open_order) in enumerate(facts):
            sid = session_first + n
            wh = power * minutes * 1000 // 60
            stop = None if open_order else start + timedelta(minutes=minutes)
            state = "active" if open_order else "finished"
            yield (f"{sid}\t{ctx.pile_ids[pile]}\t{ctx.connector_ids[number - 1][pile]}\t{ctx.pile_station[pile]}"
                   f"\t{company}\tT{sid:08d}\tBIG{n % 997:05d}\tt\t{_text(start)}\t{_text(stop)}\t0"
                   f"\t{_text(None if open_order else wh)}\t{wh}\t{wh / 1000:.3f}\t{power:.2f}"
                   f"\t{min(100, soc + 30)}\t{_text(None if open_order else 'Local')}\t{state}"
                   f"\t{uid}\t{uid}\t{_text(start)}\t{_text(stop or start)}")

    with _Unindexed(cr, ["charge_session", "charge_order"]):
        _Table(cr, "charge_session", [
            "id", "pile_id", "connector_id", "station_id", "company_id", "name", "id_tag", "authorized",
            "start_date", "stop_date", "meter_start", "meter_stop", "meter_last", "energy_kwh", "power_kw", "soc",
            "stop_reason", "state", "create_uid", "write_uid", "create_date", "write_date"]).copy(sessions())

        def orders():
            for n, (pile, number, start, minutes, power, soc, open_order) in enumerate(facts):
                oid = order_first + n
                energy = round(power * minutes / 60, 3)
                if open_order:
                    state = "charging"
                else:
                    draw = rng.random()
                    state = "completed" if draw < 0.95 else "voided" if draw < 0.97 else "abnormal"
                member = None
                if n % big_every == 0:
                    member = 0
                elif rng.random() < MEMBER_SHARE:
                    member = rng.randrange(1, MEMBERS)
                sharp, peak, flat = round(energy * 0.1, 3), round(energy * 0.3, 3), round(energy * 0.3, 3)
                valley = round(energy - sharp - peak - flat, 3)
                electricity = round(energy * 0.75, 2)
                service = round(energy * 0.5, 2)
                total = round(electricity + service, 2)
                stop = None if open_order else start + timedelta(minutes=minutes)
                paid = member is not None and state == "completed"
                if paid:
                    ctx.by_wallet[member].append(n)
                    ctx.totals[n] = (electricity, service, total)
                partner = ctx.partner_ids[member] if member is not None else None
                abnormal_type = "data" if state == "abnormal" else NULL
                yield (f"{oid}\t{session_first + n}\t{ctx.pile_station[pile]}\t{ctx.pile_area[pile]}"
                       f"\t{ctx.pile_ids[pile]}\t{ctx.connector_ids[number - 1][pile]}\t{company}\t{_text(partner)}"
                       f"\t{ctx.version.id}\t{ctx.version.tariff_id.id}\tBIG{n:08d}\t{kind}\tBIG{n % 997:05d}"
                       f"\t{'app' if partner else 'card'}\t{state}\t{_text(None if open_order else 'Local')}"
                       f"\t{ctx.snapshot}\t{0 if open_order else minutes}.0\t{energy:.3f}\t{sharp:.3f}"
                       f"\t{peak:.3f}\t{flat:.3f}\t{valley:.3f}\t{electricity:.2f}\t{service:.2f}\t{total:.2f}"
                       f"\t{soc}\t{_text(None if open_order else min(100, soc + 30))}\t{power:.3f}"
                       f"\t{abnormal_type}"
                       f"\t{_text(stop if state == 'abnormal' else None)}\tf\t{_text(start)}\t{_text(stop)}"
                       f"\t{_text(ctx.wallet_ids[member] if paid else None)}\t{'paid' if paid else 'none'}"
                       f"\t{_text(stop if paid else None)}\t{total:.2f}\t{uid}\t{uid}\t{_text(start)}"
                       f"\t{_text(stop or start)}")

        copied = _Table(cr, "charge_order", [
            "id", "session_id", "station_id", "area_id", "pile_id", "connector_id", "company_id", "partner_id",
            "tariff_version_id", "tariff_id", "name", "kind", "id_tag", "start_method", "state", "end_reason",
            "tariff_snapshot", "duration_minutes", "energy_kwh", "energy_sharp", "energy_peak", "energy_flat",
            "energy_valley", "amount_electricity", "amount_service", "amount_total", "soc_start", "soc_stop",
            "max_power_kw", "abnormal_type", "abnormal_date", "review_pending", "start_date", "stop_date",
            "wallet_id", "payment_state", "paid_date", "running_amount", "create_uid", "write_uid", "create_date",
            "write_date"]).copy(orders())
    return f"{copied} sessions and orders"


def _ledger(ctx):
    """Each member's ledger in date order: a recharge of 300 when the wallet
    cannot pay the next order, then the order's payment from withdrawable cash."""
    cr = ctx.cr
    line_first = _next_id(cr, "charge_wallet_transaction")
    facts, totals, company, uid = ctx.facts, ctx.totals, ctx.company.id, ctx.uid

    def lines():
        line_id = line_first
        for member, order_indexes in enumerate(ctx.by_wallet):
            wallet, partner = ctx.wallet_ids[member], ctx.partner_ids[member]
            balance = 0.0
            for n in order_indexes:
                electricity, service, total = totals[n]
                _pile, _number, start, minutes, *_rest = facts[n]
                if balance < total:
                    balance = round(balance + 300, 2)
                    date = start - timedelta(minutes=30)
                    yield (f"{line_id}\t{wallet}\t{company}\t{partner}\t\\N\t{uid}\tWBIG{line_id:09d}\trecharge"
                           f"\t300.00\t0.00\t0.00\t300.00\t300.00\t{balance:.2f}\t0.00\t0.00\t{balance:.2f}"
                           f"\t{balance:.2f}\t0.00\t0.00\t0.00\t0.00\t{_text(date)}\t{uid}\t{uid}\t{_text(date)}"
                           f"\t{_text(date)}")
                    line_id += 1
                balance = round(balance - total, 2)
                date = start + timedelta(minutes=minutes)
                yield (f"{line_id}\t{wallet}\t{company}\t{partner}\t{ctx.order_first + n}\t{uid}\tWBIG{line_id:09d}"
                       f"\tpayment\t{-total:.2f}\t0.00\t0.00\t{-total:.2f}\t{-total:.2f}\t{balance:.2f}\t0.00\t0.00"
                       f"\t{balance:.2f}\t{balance:.2f}\t{electricity:.2f}\t{service:.2f}\t0.00\t0.00"
                       f"\t{_text(date)}\t{uid}\t{uid}\t{_text(date)}\t{_text(date)}")
                line_id += 1

    with _Unindexed(cr, ["charge_wallet_transaction"]):
        copied = _Table(cr, "charge_wallet_transaction", [
            "id", "wallet_id", "company_id", "partner_id", "order_id", "user_id", "name", "type",
            "withdrawable_amount", "on_account_amount", "gift_amount", "cash_amount", "amount", "withdrawable_after",
            "on_account_after", "gift_after", "cash_after", "balance_after", "paid_electricity", "paid_service",
            "paid_reservation", "paid_occupancy", "date", "create_uid", "write_uid", "create_date",
            "write_date"]).copy(lines())
    cr.execute("SELECT COUNT(*) FROM charge_wallet_transaction WHERE wallet_id = %s", [ctx.wallet_ids[0]])
    ctx.big_ledger = cr.fetchone()[0]
    return f"{copied} wallet ledger lines ({ctx.big_ledger} on {ctx.wallet_ids[0]})"


def _books(ctx):
    """The wallet ledger posted as a daily summary: one entry a day (cloned from
    a demo wallet entry of the company) debiting the paid recharges and the
    wallet liability for the payments, crediting the liability and revenue;
    every line of the day linked to it (``charge_wallet_transaction_move_rel``)."""
    cr, company = ctx.cr, ctx.company
    liability = company.charge_cash_liability_account_id
    cr.execute("""SELECT line.move_id, line.id, line.account_id, line.debit > 0
                    FROM account_move_line line JOIN account_move move ON move.id = line.move_id
                   WHERE move.company_id = %s AND move.state = 'posted' AND move.journal_id = (
                         SELECT journal_id FROM account_move_line WHERE account_id = %s LIMIT 1)
                   ORDER BY line.id""", [company.id, liability.id])
    templates = {}
    for move_id, line_id, account_id, debit in cr.fetchall():
        kind = ("liability" if account_id == liability.id else "other") + ("_debit" if debit else "_credit")
        templates.setdefault(kind, (move_id, line_id))
    if set(templates) != {"liability_debit", "liability_credit", "other_debit", "other_credit"}:
        return "no books (the demo company has no posted wallet entries to clone)"
    cr.execute("""SELECT date::date, SUM(amount) FILTER (WHERE type = 'recharge'),
                         -SUM(amount) FILTER (WHERE type = 'payment')
                    FROM charge_wallet_transaction WHERE name LIKE 'WBIG%%' GROUP BY 1 ORDER BY 1""")
    days = cr.fetchall()
    move_first, line_first = _next_id(cr, "account_move"), _next_id(cr, "account_move_line")
    move_ids = {day: move_first + n for n, (day, _r, _p) in enumerate(days)}
    _Table(cr, "account_move", ["id", "name", "date", "ref", "amount_total", "amount_total_signed",
                                "amount_untaxed", "amount_untaxed_signed", "amount_total_in_currency_signed",
                                "partner_id", "commercial_partner_id", "sequence_prefix", "sequence_number",
                                "charge_order_id"],
           templates["liability_credit"][0], clone=True).copy(
        f"{move_ids[day]}\tWLTBIG/{n:05d}\t{day}\tbench day {day}\t{(r or 0) + (p or 0):.2f}"
        f"\t{(r or 0) + (p or 0):.2f}\t{(r or 0) + (p or 0):.2f}\t{(r or 0) + (p or 0):.2f}\t{(r or 0) + (p or 0):.2f}"
        f"\t\\N\t\\N\tWLTBIG/\t{n}\t\\N" for n, (day, r, p) in enumerate(days))
    line_id = line_first
    for kind, sign, amount_of in (("other_debit", 1, 1), ("liability_credit", -1, 1),
                                  ("liability_debit", 1, 2), ("other_credit", -1, 2)):
        template_line = templates[kind][1]
        cr.execute("SELECT amount_residual != 0 FROM account_move_line WHERE id = %s", [template_line])
        residual = cr.fetchone()[0]
        rows = []
        for n, day_row in enumerate(days):
            day, amount = day_row[0], day_row[amount_of] or 0
            if not amount:
                continue
            debit, credit, balance = (amount, 0, amount) if sign > 0 else (0, amount, -amount)
            rows.append(f"{line_id}\t{move_ids[day]}\t{day}\tWLTBIG/{n:05d}\t{debit:.2f}\t{credit:.2f}"
                        f"\t{balance:.2f}\t{balance:.2f}\t{balance if residual else 0:.2f}"
                        f"\t{balance if residual else 0:.2f}\t\\N\t\\N\t\\N\t\\N")
            line_id += 1
        _Table(cr, "account_move_line", ["id", "move_id", "date", "move_name", "debit", "credit", "balance",
                                         "amount_currency", "amount_residual", "amount_residual_currency",
                                         "partner_id", "ref", "full_reconcile_id", "reconcile_model_id"],
               template_line, clone=True).copy(rows)
    cr.execute("""INSERT INTO charge_wallet_transaction_move_rel (transaction_id, move_id)
                  SELECT line.id, day.move_id
                    FROM charge_wallet_transaction line
                    JOIN unnest(%s::date[], %s::int[]) AS day(date, move_id) ON day.date = line.date::date
                   WHERE line.name LIKE 'WBIG%%'""", [list(move_ids), list(move_ids.values())])
    linked = cr.rowcount
    _set_sequences(cr, ["account_move", "account_move_line"])
    return f"{len(days)} daily wallet entries, {linked} ledger lines linked"


def _meter_values(ctx):
    """METER_VALUES_PER_SESSION samples per session, evenly over its duration."""
    cr, company, per = ctx.cr, ctx.company.id, METER_VALUES_PER_SESSION
    value_first = _next_id(cr, "charge_meter_value")

    def values():
        value_id = value_first
        for n, (pile, number, start, minutes, power, soc, _open) in enumerate(ctx.facts):
            prefix = f"\t{ctx.session_first + n}\t{ctx.pile_ids[pile]}\t{number}\t{company}\t"
            watts = power * 1000
            middle = f"\t{watts}\t{watts / 400:.2f}\t400\t"
            seconds = minutes * 60 // per
            wh = watts * minutes // 60 // per
            for step in range(1, per + 1):
                at = (start + timedelta(seconds=step * seconds)).isoformat(" ")
                yield f"{value_id}{prefix}{wh * step}{middle}{soc + 30 * step // per}\t35\t{at}"
                value_id += 1

    with _Unindexed(cr, ["charge_meter_value"]):
        copied = _Table(cr, "charge_meter_value", [
            "id", "session_id", "pile_id", "connector_number", "company_id", "energy_wh", "power_w", "current_a",
            "voltage_v", "soc", "temperature_c", "timestamp"]).copy(values())
    return f"{copied} meter values"
