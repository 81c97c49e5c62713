"""Benchmark of the wallet posting: completed orders paid from members'
wallets and posted to accounting, per posting mode.

Not a test (tests/__init__.py does not import it). Run it in an Odoo shell on
a database with the charge addons and a chart of accounts (the bench
database of ``make bench``)::

    from odoo.addons.charge_finance.tests.bench_posting import bench
    bench(env, 500)

Each mode runs inside a savepoint that is rolled back: the database is left
as it was. Returns ``{mode: rate}`` and prints the figures beside their targets:
per document, the journal entries per second of the posting queue (timed apart
from the payments, which make no entry); daily, the orders per second paid
from the wallets and posted by the summary entry.
"""
import time
from datetime import datetime

from odoo.addons.charge_billing.models.settle_queue import BATCH_SIZE

MODES = ("document", "daily")
MEMBERS = 20
# figures of issue 13: the posting queue's entries per second per document, orders paid and posted per second daily
TARGETS = {"document": 100, "daily": 1000}
PAY_BATCH = BATCH_SIZE  # orders paid together, as the settle queue pays a batch of stopped orders
SINGLE = 50  # orders paid one at a time before the clock starts (as a clerk pays an unpaid order), timed apart
WARM_UP = 60  # orders of a first round of each mode, not measured
FAR_FUTURE = datetime(2100, 1, 1)
# an order of 10 kWh in the flat band with a reservation and some occupancy
AMOUNTS = {"amount_electricity": 7.0, "amount_service": 6.0, "amount_reservation": 2.0, "amount_occupancy": 1.5}


def _company(env):
    company = env.company
    if not company._charge_finance_ready():
        company._charge_finance_setup()
    if not company._charge_finance_ready():
        raise RuntimeError(f"company {company.name} has no chart of accounts: nothing to post to")
    return company


def _taxes(env, company):
    """VAT on the fee components when the company has none configured, so that the tax split is measured."""
    if company.charge_tax_electricity_id:
        return
    Tax = env["account.tax"]
    rates = {}
    for rate in (13, 6, 9):
        rates[rate] = Tax.create({"name": f"Bench VAT {rate}%", "amount": rate, "type_tax_use": "sale",
                                  "company_id": company.id})
    company.write({"charge_tax_electricity_id": rates[13].id, "charge_tax_service_id": rates[6].id,
                   "charge_tax_reservation_id": rates[6].id, "charge_tax_occupancy_id": rates[9].id})


def _wallets(env, company):
    members = env["res.partner"].create([{
        "name": f"Bench Member {index}", "charge_member": True, "charge_mobile": f"1960000{index:04d}",
        "company_id": company.id} for index in range(MEMBERS)])
    wallets = [member._charge_wallet() for member in members]
    for wallet in wallets:
        wallet._recharge(100_000)
    return wallets


def _orders(env, company, wallets, count):
    pile = env["charge.pile"].search([("company_id", "=", company.id), ("connector_ids", "!=", False)], limit=1)
    if not pile:
        raise RuntimeError(f"company {company.name} has no pile with a connector")
    orders = env["charge.order"].create([{
        "pile_id": pile.id, "connector_id": pile.connector_ids[0].id,
        "partner_id": wallets[index % len(wallets)].partner_id.id} for index in range(count)])
    for index, order in enumerate(orders):
        order.sudo().write({**AMOUNTS, "amount_total": sum(AMOUNTS.values()), "state": "completed",
                            "wallet_id": wallets[index % len(wallets)].id, "payment_state": "to_pay"})
    return orders


def bench_mode(env, mode, count, quiet=False):
    """The rate of ``mode`` inside a rolled back savepoint: per document, the
    journal entries per second the posting queue makes (the payments write no
    entry); daily, the orders per second paid and posted by the summary entry."""
    with env.cr.savepoint() as savepoint:
        company = _company(env)
        _taxes(env, company)
        company.charge_posting_mode = mode
        orders = _orders(env, company, _wallets(env, company), SINGLE + count)
        single, orders = orders[:SINGLE], orders[SINGLE:]
        Line = env["charge.wallet.transaction"]
        Line._cron_post_queue()  # per document: the recharges of the members' wallets, before the clock starts
        env.flush_all()
        # Orders paid one at a time (a clerk paying an unpaid order), timed apart and posted before the clock
        # starts: since the settle queue, a StopTransaction no longer pays its order, the queue pays them in
        # batches, and the figure is that of the orders paid as the queue pays them.
        began = time.perf_counter()
        for order in single:
            order._pay_from_wallet()
        env.cr.flush()
        single_rate = len(single) / max(time.perf_counter() - began, 1e-9)
        if mode == "daily":
            Line._charge_post_pending(company, up_to=FAR_FUTURE)
        else:
            Line._cron_post_queue()
        env.cr.flush()
        began, cpu_began = time.perf_counter(), time.process_time()
        for start in range(0, count, PAY_BATCH):  # as the settle queue pays a batch of stopped orders
            orders[start:start + PAY_BATCH]._pay_from_wallet()
        # what the payments' commit does (their tracking messages, the queue's trigger): the queue, which runs
        # after that commit, is not charged with it
        env.cr.flush()
        paid, cpu_paid = time.perf_counter(), time.process_time()
        if mode == "daily":
            moves = Line._charge_post_pending(company, up_to=FAR_FUTURE)
        else:
            moves = None
            entries_before = env["account.move"].search_count([])
            Line._cron_post_queue()
        env.cr.flush()
        # the Odoo process's own CPU time tells the cost apart from the machine's load (PostgreSQL's share is not in it)
        ended, cpu_ended = time.perf_counter(), time.process_time()
        lines = orders.wallet_transaction_ids
        assert len(lines) == count and all(lines.mapped("posted")), "every order is paid and its payment posted"
        payments = (f"payments {count} orders in batches of {PAY_BATCH} as the settle queue pays them: "
                    f"{paid - began:.2f} s, {count / max(paid - began, 1e-9):.0f} orders/s; one at a time, "
                    f"before the clock: {single_rate:.0f} orders/s")
        if quiet:
            pass
        elif mode == "document":
            entries = env["account.move"].search_count([]) - entries_before
            rate = entries / (ended - paid)
            print(f"posting (document): {entries} entries posted by the queue in {ended - paid:.2f} s: "
                  f"{rate:.1f} entries/s (target >= {TARGETS['document']}/s; Odoo CPU "
                  f"{(cpu_ended - cpu_paid) * 1000 / max(entries, 1):.1f} ms per entry; {payments}, no entry in them)")
        else:
            rate = count / (ended - began)
            print(f"posting (daily): {count} orders paid and posted in {ended - began:.2f} s: {rate:.1f} orders/s "
                  f"(target >= {TARGETS['daily']:,}/s; Odoo CPU {(cpu_ended - cpu_began) * 1000 / count:.2f} ms per "
                  f"order; {payments}; the summary entry of {len(moves.line_ids)} journal items {ended - paid:.2f} s, "
                  f"CPU {cpu_ended - cpu_paid:.2f} s)")
        savepoint.rollback()
    return None if quiet else rate


def bench(env, count=500):
    """{mode: rate} of paying ``count`` orders and posting them in each posting mode:
    entries per second of the posting queue per document, orders per second paid and posted daily."""
    for mode in MODES:  # a long-running process (listener, cron worker) has warmed the ORM's caches up
        bench_mode(env, mode, WARM_UP, quiet=True)
    return {mode: bench_mode(env, mode, count) for mode in MODES}
