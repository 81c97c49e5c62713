from odoo import api, fields, models


class ChargeDefaultCategoryMixin(models.AbstractModel):
    """Categories with one default per company, created on first use and
    named in every installed language."""
    _name = "charge.default.category.mixin"
    _description = "Category with a Default per Company"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    is_default = fields.Boolean(string="Default", readonly=True)

    def _translate_default_name(self):
        names = {lang: self.with_context(lang=lang).env._("Default Category")
                 for lang, _name in self.env["res.lang"].get_installed()}
        self.update_field_translations("name", names)

    @api.model
    def _default_for(self, company):
        """The company's default category, created on first use."""
        category = self.sudo().search([("company_id", "=", company.id), ("is_default", "=", True)], limit=1)
        if not category:
            # created in the operator's language when the context has none (demo data, a
            # member registered over RPC): names computed from it, such as a card
            # category's complete name, are shown in it
            categories = company._charge_in_operator_lang(self.sudo())
            category = categories.create({"name": categories.env._("Default Category"),
                                          "company_id": company.id, "is_default": True})
            category._translate_default_name()
        return self.browse(category.id)
