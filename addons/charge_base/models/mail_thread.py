from odoo import api, models


class MailThread(models.AbstractModel):
    """The creation message ("充电站 创建") in one language.

    Odoo writes it as ``_('%s created', <the model's name>)``: ``_()`` falls
    back on the user's language when the context has none, as while a module's
    data and demo records are loaded, but the model's name was read in the
    context's language, English then, which left "Charging Station 创建" in
    the chatter. Both are read in the language ``_()`` uses here.
    """
    _inherit = "mail.thread"

    def _creation_message(self):
        thread = self
        if not self.env.context.get("lang"):
            # the language ``_()`` falls back on: the user's, else the company's...
            thread = self.with_context(lang=self.env["res.users"].context_get()["lang"])
        return super(MailThread, thread)._creation_message()


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    @api.model
    def _charge_load_terms(self, module_name):
        """Loads the translations of ``module_name`` (being installed) into the
        installed languages. Called at the top of a charge addon's demo data:
        Odoo loads a module's translations only after its demo data, whose
        records would otherwise log their creation under an untranslated model
        name."""
        self.search([("name", "=", module_name)])._update_translations()
