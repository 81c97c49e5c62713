from odoo import fields, models

from ..tools.local_time import FALLBACK_TZ


class ResCompany(models.Model):
    _inherit = "res.company"

    charge_hotline = fields.Char(
        string="Charging Hotline",
        help="Default service hotline of new stations; also shown on the piles' screens.",
    )
    charge_map_provider = fields.Selection(
        selection=[
            ("amap", "AMap (Gaode)"),
            ("baidu", "Baidu Maps"),
            ("osm", "OpenStreetMap"),
        ],
        string="Map Provider",
        default="amap",
        required=True,
        help="Map that opens when a clerk follows a station's location link.",
    )
    charge_max_operation_amount = fields.Monetary(
        string="Maximum Amount per Operation", currency_field="currency_id", default=50000.0,
        help="No amount a user types (a recharge, an adjustment, a prepaid amount, an order's adjusted "
        "figures) may exceed this: a slip of a few zeros is refused, not booked.",
    )

    _charge_max_operation_amount_positive = models.Constraint(
        "CHECK(charge_max_operation_amount > 0)", "The maximum amount per operation must be positive.")

    # Operator's local time and language --------------------------------------

    def _charge_tz(self):
        """The operator's time zone: the company's contact's, else the
        current user's, else the pack's home zone."""
        company = self[:1] or self.env.company
        return company.partner_id.tz or self.env.user.tz or FALLBACK_TZ

    def _charge_operator_lang(self):
        """The operator's language (the company's contact's, else the current
        user's) when it is installed, else None."""
        company = self[:1] or self.env.company
        lang = company.partner_id.lang or self.env.user.lang
        installed = dict(self.env["res.lang"].get_installed())
        return lang if lang in installed else None

    def _charge_in_operator_lang(self, records):
        """``records`` in the operator's language when the context has none:
        device events and crons write chatter and bill lines that clerks read."""
        if records.env.context.get("lang"):
            return records
        lang = self._charge_operator_lang()
        return records.with_context(lang=lang) if lang else records
