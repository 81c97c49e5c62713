from odoo import api, fields, models
from odoo.exceptions import UserError

PRICE_FIELDS = ("price_sharp", "price_peak", "price_flat", "price_valley")


class ChargeBasePrice(models.Model):
    """The electricity the operator buys, per time-of-use band: the cost part
    of a tariff. A price in use is never edited: a new version is made and the
    tariffs move to it in their next version."""
    _name = "charge.base.price"
    _description = "Electricity Base Price"
    _inherit = ["mail.thread"]
    _order = "name, version desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    version = fields.Integer(default=1, required=True, readonly=True, copy=False)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(string="Valid From", default=fields.Date.context_today, tracking=True)
    price_sharp = fields.Float(string="Sharp (per kWh)", digits="Charge Unit Price", tracking=True)
    price_peak = fields.Float(string="Peak (per kWh)", digits="Charge Unit Price", tracking=True)
    price_flat = fields.Float(string="Flat (per kWh)", digits="Charge Unit Price", tracking=True)
    price_valley = fields.Float(string="Valley (per kWh)", digits="Charge Unit Price", tracking=True)
    note = fields.Text()
    tariff_version_ids = fields.One2many("charge.tariff.version", "base_price_id", string="Tariff Versions")
    tariff_count = fields.Integer(compute="_compute_tariff_count", string="Tariffs")

    _name_version_unique = models.Constraint("UNIQUE(company_id, name, version)",
                                             "This version of the base price already exists.")
    _prices_positive = models.Constraint(
        "CHECK(price_sharp >= 0 AND price_peak >= 0 AND price_flat >= 0 AND price_valley >= 0)",
        "Base prices cannot be negative.")

    @api.depends("name", "version")
    def _compute_display_name(self):
        for price in self:
            price.display_name = f"{price.name} v{price.version}"

    @api.depends("tariff_version_ids.tariff_id")
    def _compute_tariff_count(self):
        for price in self:
            price.tariff_count = len(price.tariff_version_ids.tariff_id)

    def band_prices(self):
        self.ensure_one()
        return {"sharp": self.price_sharp, "peak": self.price_peak, "flat": self.price_flat,
                "valley": self.price_valley}

    def write(self, vals):
        if any(name in vals for name in PRICE_FIELDS):
            for price in self:
                used = price.tariff_version_ids.filtered(lambda v: v.state == "published")
                if used:
                    raise UserError(self.env._(
                        "Base price %(price)s is used by published tariff versions (%(tariffs)s): "
                        "create a new version of it and use that one in the tariffs' next versions.",
                        price=price.display_name, tariffs=", ".join(used.mapped("display_name"))))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_unused_only(self):
        for price in self:
            if price.tariff_version_ids:
                raise UserError(self.env._(
                    "This electricity price is used by tariff(s) %(tariffs)s and cannot be deleted.",
                    tariffs=", ".join(f"【{name}】" for name in price.tariff_version_ids.tariff_id.mapped("name"))))

    def action_new_version(self):
        """A copy with the next version number, to edit while the old one stays as it is."""
        self.ensure_one()
        latest = self.search([("company_id", "=", self.company_id.id), ("name", "=", self.name)],
                             order="version desc", limit=1)
        new = self.copy({"version": latest.version + 1, "date_from": fields.Date.context_today(self)})
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": new.id, "view_mode": "form"}

    def action_view_tariffs(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "name": self.env._("Tariffs"), "res_model": "charge.tariff",
            "view_mode": "list,form", "domain": [("id", "in", self.tariff_version_ids.tariff_id.ids)],
        }
