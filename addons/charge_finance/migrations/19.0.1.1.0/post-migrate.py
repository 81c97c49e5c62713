"""19.0.1.1.0: the withdrawal accounts join the wallet accounts every chart
gets (models/account_chart_template.py); the companies of a database updated
to this version get them now, as a new installation would: without them
their postings would wait for the accountant to create them."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.company"].search([("chart_template", "!=", False)], order="parent_path")._charge_finance_setup()
