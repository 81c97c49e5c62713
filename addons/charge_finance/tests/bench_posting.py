"""Benchmark of the wallet posting: completed orders paid from members'
wallets and posted to accounting, per posting mode.

Not a test (tests/__init__.py does not import it). Run it in an Odoo shell on
a database with the charge addons and a chart of accounts (the bench
database of ``make bench``)::

    from odoo.addons.charge_finance.tests.bench_posting import bench
    bench(env, 500)

Each mode runs inside a savepoint that is rolled back: the database is left
as it was. Returns ``{mode: orders per second}`` and prints the figures.
"""
import time
from datetime import datetime

MODES = ("document", "daily")
MEMBERS = 20
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


def bench_mode(env, mode, count):
    """Orders per second paid and posted in ``mode``, inside a rolled back savepoint."""
    with env.cr.savepoint() as savepoint:
        company = _company(env)
        _taxes(env, company)
        company.charge_posting_mode = mode
        orders = _orders(env, company, _wallets(env, company), count)
        env.flush_all()
        Line = env["charge.wallet.transaction"]
        began = time.perf_counter()
        for order in orders:
            order._pay_from_wallet()
        paid = time.perf_counter()
        moves = Line._charge_post_pending(company, up_to=FAR_FUTURE) if mode == "daily" else None
        env.flush_all()
        ended = time.perf_counter()
        lines = orders.wallet_transaction_ids
        entries = len(lines.sudo().move_ids)
        assert all(lines.mapped("posted")), "every payment is posted"
        rate = count / (ended - began)
        after = "summary entry" if mode == "daily" else "final flush"
        items = f", {len(moves.line_ids)} journal items" if moves else ""
        print(f"posting ({mode}): {count} orders paid and posted in {ended - began:.2f} s: {rate:.1f} orders/s "
              f"(payments {paid - began:.2f} s, {after} {ended - paid:.2f} s, {entries} entries{items})")
        savepoint.rollback()
    return rate


def bench(env, count=500):
    """{mode: orders per second} of paying and posting ``count`` orders in each posting mode."""
    return {mode: bench_mode(env, mode, count) for mode in MODES}
