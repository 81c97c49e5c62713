"""Two database connections post wallet entries into the same journal at once.

The posting queue writes its plain entries by SQL (charge_finance
models/account_move_direct.py) and numbers them as Odoo's sequence mixin does:
the first number is taken under the journal's unique index on the name, the
next ones from the transaction's cache. The second connection, arriving while
the first holds numbers it has not committed, waits for it, then takes the
numbers after them: no number twice, none skipped, in the order of the
commits."""
import pytest

from device_bus_harness import e2e_bus

SCRIPT = r'''
import json, threading, time
from unittest.mock import patch
from odoo import SUPERUSER_ID, api

company = env.company
if not company._charge_finance_ready():
    company._charge_finance_setup()
company.charge_posting_mode = "document"
stamp = time.time_ns()
members = env["res.partner"].create([{
    "name": "Posting race %s %s" % (stamp, index), "charge_member": True,
    "charge_mobile": "1360%07d" % ((stamp + index) % 10**7), "company_id": company.id} for index in range(6)])
lines = env["charge.wallet.transaction"]
for member in members:
    lines |= member._charge_wallet()._recharge(10)
env.cr.commit()  # the lines wait for the queue, which no cron worker runs here
halves = [lines.ids[:3], lines.ids[3:]]
registry = env.registry
posted = threading.Event()
report = {"names": {}, "direct": []}
Move = type(env["account.move"])
insert = Move._charge_insert_entries

def spy(model, company, values):
    report["direct"].append(len(values))
    return insert(model, company, values)

def post(index, hold):
    with registry.cursor() as cr:
        env_ = api.Environment(cr, SUPERUSER_ID, {})
        started = time.monotonic()
        moves = env_["charge.wallet.transaction"].browse(halves[index])._charge_post_each(
            env_["res.company"].browse(company.id))
        report["names"][index] = moves.mapped("name")
        report.setdefault("waited", {})[index] = time.monotonic() - started
        posted.set()
        time.sleep(hold)  # the numbers stay uncommitted meanwhile

with patch.object(Move, "_charge_insert_entries", spy):
    first = threading.Thread(target=post, args=(0, 1.0))
    first.start()
    posted.wait(30)
    second = threading.Thread(target=post, args=(1, 0.0))
    second.start()
    first.join(60)
    second.join(60)
env.invalidate_all()
moves = lines.sudo().move_ids
report["numbers"] = sorted(moves.mapped("sequence_number"))
report["prefixes"] = sorted(set(moves.mapped("sequence_prefix")))
journal = company.charge_wallet_journal_id
env.cr.execute("SELECT count(*) FROM account_move WHERE journal_id = %s AND name = ANY(%s)",
               [journal.id, moves.mapped("name")])
report["rows"] = env.cr.fetchone()[0]
print("RESULT " + json.dumps(report))
'''


@pytest.fixture(scope="module")
def bus(tmp_path_factory):
    with e2e_bus(tmp_path_factory.mktemp("posting-concurrency"), start=False) as bus:
        yield bus


def test_two_connections_posting_into_one_journal_number_without_gap_or_duplicate(bus):
    result = bus.odoo_shell_result(SCRIPT)
    assert result["direct"] == [3, 3], "both batches were written by SQL"
    first, second = result["names"]["0"], result["names"]["1"]
    assert len(first) == len(second) == 3
    # the second waited for the first's commit, then numbered after it
    assert result["waited"]["1"] >= 0.5
    assert sorted(first) == first and sorted(second) == second and max(first) < min(second)
    numbers = result["numbers"]
    assert len(result["prefixes"]) == 1
    assert numbers == list(range(numbers[0], numbers[0] + 6)), "no number skipped or taken twice"
    assert result["rows"] == 6
