from odoo import api, fields, models
from odoo.exceptions import UserError


class ChargeCardCategory(models.Model):
    """A tree of card categories, with a default one per company."""
    _name = "charge.card.category"
    _description = "Card Category"
    _parent_store = True
    _order = "complete_name"
    _rec_name = "complete_name"
    _rec_names_search = ["complete_name", "name"]
    _inherit = ["charge.default.category.mixin"]
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(compute="_compute_complete_name", store=True, recursive=True)
    parent_id = fields.Many2one("charge.card.category", string="Parent Category", index=True, ondelete="restrict",
                                check_company=True)
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("charge.card.category", "parent_id", string="Sub-categories")
    card_count = fields.Integer(compute="_compute_card_count")

    _default_unique = models.UniqueIndex("(company_id) WHERE is_default",
                                         "A company has one default card category.")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            category.complete_name = (f"{category.parent_id.complete_name} / {category.name}"
                                      if category.parent_id else category.name)

    @api.depends_context("lang")
    @api.depends("name", "parent_id.complete_name")
    def _compute_display_name(self):
        """The path of names in the reader's language (the stored complete name is in
        the language of whoever last changed it; demo data has none)."""
        for category in self:
            names, node = [], category
            while node:
                names.insert(0, node.name or "")
                node = node.parent_id
            category.display_name = " / ".join(names)

    def _compute_card_count(self):
        counts = dict(self.env["charge.card"]._read_group([("category_id", "child_of", self.ids)],
                                                          ["category_id"], ["__count"]))
        for category in self:
            category.card_count = sum(count for cat, count in counts.items()
                                      if str(category.id) in cat.parent_path.split("/"))

    @api.constrains("parent_id")
    def _check_recursion_of_parent(self):
        if self._has_cycle():
            raise UserError(self.env._("A card category cannot be its own ancestor."))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_default(self):
        if self.filtered("is_default"):
            raise UserError(self.env._("The default card category cannot be deleted."))
