from . import models
from . import wizards


def _post_init_hook(env):
    """Companies that already have a chart of accounts get charge_finance's part
    of it (models/account_chart_template.py: the wallet journal, accounts and,
    with the Chinese charts, the VAT of the fee components), as a chart loaded
    after the installation brings it; what is configured is kept."""
    env["res.company"].search([("chart_template", "!=", False)], order="parent_path")._charge_finance_setup()
    # every company gets its walk-in customer: who owes the orders of non-member tags
    env["res.company"].search([])._charge_orders_setup()
    # orders completed before the installation that no wallet paid are booked too (or wait for the daily job)
    env["charge.order"].search([("state", "=", "completed")])._charge_book()


def _uninstall_hook(env):
    """The posting links of the ledger lines and of the orders outlive the
    module (a reinstall finds them: nothing is posted twice), unless the
    ledger lines, the orders or the entries go with it."""
    models.posting_link.uninstall(env)
    models.order_move_link.uninstall(env)
