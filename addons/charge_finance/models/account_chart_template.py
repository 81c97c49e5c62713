from odoo import models


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _post_load_data(self, template_code, company, template_data):
        """A company getting its chart of accounts gets its wallet journal and accounts too."""
        super()._post_load_data(template_code, company, template_data)
        (company or self.env.company)._charge_finance_setup()
