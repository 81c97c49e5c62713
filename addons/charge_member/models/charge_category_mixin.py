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
            category = self.sudo().create({"name": self.env._("Default Category"), "company_id": company.id,
                                           "is_default": True})
            category._translate_default_name()
        return category.sudo(False)
