from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False):
        """A language loaded after the wallet accounting was set up translates
        the journal and the accounts the setup created."""
        super()._load_module_terms(modules, langs, overwrite=overwrite)
        if "charge_finance" in modules and self.env.registry.loaded:
            companies = self.env["res.company"].sudo().search([("charge_wallet_journal_id", "!=", False)])
            companies._charge_translate_setup(langs)
