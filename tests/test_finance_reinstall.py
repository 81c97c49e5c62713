"""charge_finance uninstalled and installed again on a copy of the e2e
database (the demo with every charge addon): the links between the wallet
ledger lines and their journal entries survive, so the next posting run books
nothing a second time and the reconciliation still agrees with the wallets.

Odoo drops at uninstall the relation tables the module's fields declare
(ir.model.relation); charge_finance keeps its links in a table of its own
(addons/charge_finance/models/posting_link.py). The steps run in Odoo shells
(``button_immediate_uninstall`` / ``button_immediate_install`` reload the
registry), each committing."""

import json
import subprocess

import pytest

from scripts.ops import config as ops_config
from scripts.ops import odoo_cmd, postgres

DB = f"{ops_config.E2E_DB}_reinstall"

# post everything that waits (and some new money), then tell what is linked to what
SNAPSHOT = r'''
import json
Line = env["charge.wallet.transaction"].sudo()
companies = env["res.company"].sudo().search([])
if NEW_MONEY:
    wallet = env["charge.wallet"].sudo().search([("company_id", "=", env.ref("base.main_company").id)], limit=1)
    wallet._recharge(12.34, reference="REINSTALL")
    wallet._gift(1.5)
Line._charge_post_pending(companies, up_to=Line._charge_now_cutoff())
env.flush_all()
env.cr.execute("SELECT transaction_id, move_id FROM charge_wallet_transaction_move_rel ORDER BY 1")
links = env.cr.fetchall()
env.cr.execute("SELECT count(*) FROM account_move")
[[moves]] = env.cr.fetchall()
env["charge.wallet.reconciliation"].invalidate_model()
differences = [(row.company_id.id, row.bucket, row.difference)
               for row in env["charge.wallet.reconciliation"].sudo().search([])]
print("RESULT " + json.dumps({"links": links, "moves": moves, "lines": Line.search_count([]),
                              "unposted": Line.search_count([("posted", "=", False)]),
                              "differences": differences}))
'''

MODULE = r'''
module = env["ir.module.module"].search([("name", "=", "charge_finance")])
module.button_immediate_{action}()
'''


def shell(settings, code):
    argv = odoo_cmd.addon_command(settings, "shell", DB, "--no-http")
    result = subprocess.run(argv, input=code + "\nenv.cr.commit()\n", text=True, capture_output=True,
                            cwd=settings.repo, env=odoo_cmd.env(), timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def snapshot(settings, new_money=False):
    output = shell(settings, f"NEW_MONEY = {new_money!r}\n" + SNAPSHOT)
    return json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])


def state(settings):
    return postgres.rows(settings, "SELECT state FROM ir_module_module WHERE name = 'charge_finance'", db=DB)[0][0]


@pytest.fixture
def database(ops_settings):
    if not postgres.database_exists(ops_settings, ops_config.E2E_DB):
        pytest.skip(f"no {ops_config.E2E_DB} database: run through `make test`")
    postgres.copy_database(ops_settings, ops_config.E2E_DB, DB)
    try:
        yield ops_settings
    finally:
        postgres.drop_database(ops_settings, DB)


def test_reinstall_posts_nothing_twice(database):
    settings = database
    before = snapshot(settings, new_money=True)
    assert before["links"], "the demo's ledger lines are posted"
    assert before["unposted"] == 0
    assert all(difference == 0 for _company, _bucket, difference in before["differences"])

    shell(settings, MODULE.format(action="uninstall"))
    assert state(settings) == "uninstalled"
    kept = postgres.rows(settings, "SELECT transaction_id, move_id FROM charge_wallet_transaction_move_rel "
                                   "ORDER BY 1", db=DB)
    assert [[int(value) for value in row] for row in kept] == before["links"], "the uninstall keeps the links"

    shell(settings, MODULE.format(action="install"))
    assert state(settings) == "installed"
    after = snapshot(settings)
    assert after["links"] == before["links"], "every line keeps the entry that posted it"
    assert after["lines"] == before["lines"]
    assert after["unposted"] == 0
    assert after["moves"] == before["moves"], "no entry was made again"
    assert after["differences"] == before["differences"]
    assert all(difference == 0 for _company, _bucket, difference in after["differences"])
