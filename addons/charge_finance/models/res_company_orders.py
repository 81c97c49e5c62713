from odoo import fields, models


class ResCompany(models.Model):
    """What the order postings need besides the wallet accounts: the partner
    of the orders nobody known pays (made by the installation), and the
    liability of the stored-value cards (brought by the chart template with
    the wallet accounts, models/account_chart_template.py)."""
    _inherit = "res.company"

    charge_walkin_partner_id = fields.Many2one(
        "res.partner", string="Walk-in Customer", check_company=True,
        help="The receivable partner of completed orders nobody known pays: a non-member id tag without a "
             "holder partner, a back-office start without a member.")
    charge_card_liability_account_id = fields.Many2one(
        "account.account", string="Stored-Value Card Liability", check_company=True,
        domain=[("account_type", "in", ("liability_current", "liability_non_current"))],
        help="What the stored-value cards hold: credited by card sales and top-ups, debited by the orders "
             "charged on the cards.")

    def _charge_role_accounts(self):
        accounts = super()._charge_role_accounts()
        accounts["card_liability"] = self.charge_card_liability_account_id
        return accounts

    def _charge_orders_setup(self):
        """Give the companies their walk-in customer where they have none."""
        for company in self:
            company._charge_walkin_partner()

    def _charge_walkin_partner(self):
        """The company's walk-in customer, created on first use."""
        self.ensure_one()
        if not self.charge_walkin_partner_id:
            lang = self._charge_operator_lang() or "en_US"
            env = self.env(context=dict(self.env.context, lang=lang))
            partner = self.env["res.partner"].sudo().create({
                "name": env._("Walk-in Customer"), "company_id": self.id, "lang": lang})
            self.sudo().charge_walkin_partner_id = partner
        return self.charge_walkin_partner_id
