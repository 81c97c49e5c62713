from . import models


def _post_init_hook(env):
    """Companies that already have a chart of accounts get their wallet journal and accounts."""
    env["res.company"].search([("chart_template", "!=", False)])._charge_finance_setup()
