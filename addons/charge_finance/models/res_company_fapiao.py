from odoo import api, fields, models
from odoo.exceptions import ValidationError

# 税收分类编码 of the fee components (the operator checks them with its tax bureau)
DEFAULT_CODES = {
    "electricity": "1100101000000000000",  # 电力
    "service": "3040502029900000000",      # 其他现代服务: charging service
    "reservation": "3040502029900000000",
    "occupancy": "3040502020200000000",    # 停车服务
}


class ResCompany(models.Model):
    """The company's fapiao (发票) to members: on or off, the kinds, which fee
    components are invoiced (with their tax classification codes), the
    minimum, the period within which orders may be invoiced, and who issues
    them (typed in by hand, or an e-invoicing provider)."""
    _inherit = "res.company"

    charge_fapiao_enabled = fields.Boolean(string="Fapiao for Members", default=True)
    charge_fapiao_electronic = fields.Boolean(string="E-Invoices", default=True)
    charge_fapiao_paper = fields.Boolean(string="Paper Invoices", default=False)
    charge_fapiao_electricity = fields.Boolean(string="Invoice the Electricity Fee", default=True)
    charge_fapiao_service = fields.Boolean(string="Invoice the Service Fee", default=True)
    charge_fapiao_reservation = fields.Boolean(string="Invoice the Reservation Fee", default=True)
    charge_fapiao_occupancy = fields.Boolean(string="Invoice the Occupancy Fee", default=True)
    charge_fapiao_code_electricity = fields.Char(string="Electricity Tax Code",
                                                 default=DEFAULT_CODES["electricity"])
    charge_fapiao_code_service = fields.Char(string="Service Fee Tax Code", default=DEFAULT_CODES["service"])
    charge_fapiao_code_reservation = fields.Char(string="Reservation Fee Tax Code",
                                                 default=DEFAULT_CODES["reservation"])
    charge_fapiao_code_occupancy = fields.Char(string="Occupancy Fee Tax Code", default=DEFAULT_CODES["occupancy"])
    charge_fapiao_min_amount = fields.Monetary(string="Minimum Fapiao Amount", currency_field="currency_id",
                                               default=0.0)
    charge_fapiao_period_months = fields.Integer(
        string="Invoiceable Period (months)", default=6,
        help="Orders that ended longer ago cannot be invoiced any more; 0: no limit.")
    charge_fapiao_provider = fields.Selection(
        [("manual", "Typed in by Hand"), ("demo", "Demo E-Invoicing")], string="Fapiao Issued by",
        default="manual", required=True,
        help="Typed in by hand: finance issues the fapiao in the tax system and records its number, code and PDF. "
             "Demo e-invoicing: a number, a code and a PDF at once (for the demo; no tax bureau is involved).")
    charge_fapiao_journal_id = fields.Many2one(
        "account.journal", string="Fapiao Journal", check_company=True, domain=[("type", "=", "sale")],
        help="The sales journal of the fapiao invoices; empty: the company's first sales journal.")
    charge_fapiao_note = fields.Text(string="Fapiao Notes", translate=True)

    @api.constrains("charge_fapiao_period_months", "charge_fapiao_min_amount")
    def _check_charge_fapiao_settings(self):
        for company in self:
            if company.charge_fapiao_period_months < 0 or company.charge_fapiao_min_amount < 0:
                raise ValidationError(self.env._("The fapiao period and minimum cannot be negative."))


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    charge_fapiao_enabled = fields.Boolean(related="company_id.charge_fapiao_enabled", readonly=False)
    charge_fapiao_electronic = fields.Boolean(related="company_id.charge_fapiao_electronic", readonly=False)
    charge_fapiao_paper = fields.Boolean(related="company_id.charge_fapiao_paper", readonly=False)
    charge_fapiao_electricity = fields.Boolean(related="company_id.charge_fapiao_electricity", readonly=False)
    charge_fapiao_service = fields.Boolean(related="company_id.charge_fapiao_service", readonly=False)
    charge_fapiao_reservation = fields.Boolean(related="company_id.charge_fapiao_reservation", readonly=False)
    charge_fapiao_occupancy = fields.Boolean(related="company_id.charge_fapiao_occupancy", readonly=False)
    charge_fapiao_code_electricity = fields.Char(related="company_id.charge_fapiao_code_electricity",
                                                 readonly=False)
    charge_fapiao_code_service = fields.Char(related="company_id.charge_fapiao_code_service", readonly=False)
    charge_fapiao_code_reservation = fields.Char(related="company_id.charge_fapiao_code_reservation",
                                                 readonly=False)
    charge_fapiao_code_occupancy = fields.Char(related="company_id.charge_fapiao_code_occupancy", readonly=False)
    charge_fapiao_min_amount = fields.Monetary(related="company_id.charge_fapiao_min_amount", readonly=False)
    charge_fapiao_period_months = fields.Integer(related="company_id.charge_fapiao_period_months", readonly=False)
    charge_fapiao_provider = fields.Selection(related="company_id.charge_fapiao_provider", readonly=False)
    charge_fapiao_journal_id = fields.Many2one(related="company_id.charge_fapiao_journal_id", readonly=False)
    charge_fapiao_note = fields.Text(related="company_id.charge_fapiao_note", readonly=False)
