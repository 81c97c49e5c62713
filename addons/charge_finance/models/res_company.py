import logging
from collections import Counter

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

from ..tools.posting import COMPONENTS

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

POSTING_MODES = [("document", "One Entry per Document"), ("daily", "Daily Summary Entry")]
CN_TEMPLATES = ("cn", "cn_large_bis")
JOURNAL_CODE = "WLT"
JOURNAL_NAME = _lt("Wallet")

# The accounts _charge_finance_setup provides, in creation order:
# field: (name, account type, reconcile, start code of a generic chart, l10n_cn).
# l10n_cn is (how, {chart template: account template}): "sub" creates a
# sub-account of the template's account (2203 -> 2203.01), "reuse" takes it.
ACCOUNT_SETUP = {
    "charge_cash_liability_account_id": (
        _lt("Wallet Cash Liability"), "liability_current", False, "2140",
        ("sub", {"cn": "l10n_cn_common_account_2203", "cn_large_bis": "l10n_cn_common_account_2203"})),
    "charge_gift_liability_account_id": (
        _lt("Wallet Gift Liability"), "liability_current", False, "2141",
        ("sub", {"cn": "l10n_cn_common_account_2203", "cn_large_bis": "l10n_cn_common_account_2203"})),
    "charge_revenue_electricity_account_id": (
        _lt("Charging Electricity Revenue"), "income", False, "4010",
        ("sub", {"cn": "l10n_cn_account_5001", "cn_large_bis": "l10n_cn_large_bis_account_6001"})),
    "charge_revenue_service_account_id": (
        _lt("Charging Service Fee Revenue"), "income", False, "4011",
        ("sub", {"cn": "l10n_cn_account_5001", "cn_large_bis": "l10n_cn_large_bis_account_6001"})),
    "charge_revenue_reservation_account_id": (
        _lt("Reservation Fee Revenue"), "income", False, "4012",
        ("sub", {"cn": "l10n_cn_account_5001", "cn_large_bis": "l10n_cn_large_bis_account_6001"})),
    "charge_revenue_occupancy_account_id": (
        _lt("Occupancy Fee Revenue"), "income", False, "4013",
        ("sub", {"cn": "l10n_cn_account_5001", "cn_large_bis": "l10n_cn_large_bis_account_6001"})),
    "charge_card_fee_account_id": (
        _lt("Card Fee Revenue"), "income", False, "4014",
        ("reuse", {"cn": "l10n_cn_account_5051", "cn_large_bis": "l10n_cn_large_bis_account_6051"})),
    "charge_marketing_expense_account_id": (
        _lt("Marketing Expenses"), "expense", False, "6510",
        ("reuse", {"cn": "l10n_cn_account_560102", "cn_large_bis": "l10n_cn_large_bis_account_660102"})),
    "charge_recharge_clearing_account_id": (
        _lt("Wallet Recharge Clearing"), "asset_current", True, "1016",
        ("sub", {"cn": "l10n_cn_common_account_1012", "cn_large_bis": "l10n_cn_common_account_1012"})),
}
# VAT of a Chinese charging operator: electricity is a sale of goods (13%),
# the service and reservation fees are modern services (6%), the occupancy
# fee is a parking (real estate lease) service (9%)
CN_TAXES = {
    "charge_tax_electricity_id": {"cn": "l10n_cn_sales_excluded_13",
                                  "cn_large_bis": "l10n_cn_tax_large_bis_sales_excluded_13"},
    "charge_tax_service_id": {"cn": "l10n_cn_sales_excluded_6", "cn_large_bis": "l10n_cn_tax_large_bis_sales_excluded_6"},
    "charge_tax_reservation_id": {"cn": "l10n_cn_sales_excluded_6",
                                  "cn_large_bis": "l10n_cn_tax_large_bis_sales_excluded_6"},
    "charge_tax_occupancy_id": {"cn": "l10n_cn_sales_excluded_9", "cn_large_bis": "l10n_cn_tax_large_bis_sales_excluded_9"},
}
# the accounts every posting needs (the adjustment account falls back on marketing expenses)
REQUIRED_ACCOUNTS = tuple(ACCOUNT_SETUP)


def _account_field(string, help_text, account_types):
    return fields.Many2one("account.account", string=string, help=help_text, check_company=True,
                           domain=[("account_type", "in", account_types)])


def _tax_field(string):
    return fields.Many2one("account.tax", string=string, check_company=True, domain=[("type_tax_use", "=", "sale")],
                           help="Output VAT of this fee component. Consumer prices include VAT: the tax is always "
                                "computed as included in the amount, even when the tax itself is price-excluded.")


LIABILITY_TYPES = ("liability_current", "liability_non_current")
INCOME_TYPES = ("income", "income_other")
EXPENSE_TYPES = ("expense", "expense_other", "expense_direct_cost")


class ResCompany(models.Model):
    _inherit = "res.company"

    charge_wallet_journal_id = fields.Many2one(
        "account.journal", string="Wallet Journal", check_company=True, domain=[("type", "=", "general")],
        help="The journal of the entries posting the wallet ledger.")
    charge_cash_liability_account_id = _account_field(
        "Wallet Cash Liability", "What the wallets hold in cash: withdrawable and on-account money.", LIABILITY_TYPES)
    charge_gift_liability_account_id = _account_field(
        "Wallet Gift Liability", "What the wallets hold in gift money.", LIABILITY_TYPES)
    charge_revenue_electricity_account_id = _account_field(
        "Electricity Revenue", "Revenue of the electricity fee of charging orders.", INCOME_TYPES)
    charge_revenue_service_account_id = _account_field(
        "Service Fee Revenue", "Revenue of the service fee of charging orders.", INCOME_TYPES)
    charge_revenue_reservation_account_id = _account_field(
        "Reservation Fee Revenue", "Revenue of the reservation fee of charging orders.", INCOME_TYPES)
    charge_revenue_occupancy_account_id = _account_field(
        "Occupancy Fee Revenue", "Revenue of the occupancy fee of charging orders.", INCOME_TYPES)
    charge_card_fee_account_id = _account_field(
        "Card Fee Revenue", "Revenue of the card fees taken from wallets.", INCOME_TYPES)
    charge_marketing_expense_account_id = _account_field(
        "Marketing Expenses", "The cost of the gift money credited to wallets.", EXPENSE_TYPES)
    charge_recharge_clearing_account_id = fields.Many2one(
        "account.account", string="Recharge Clearing", check_company=True,
        domain=[("account_type", "in", ("asset_current", "asset_cash"))],
        help="Paid recharges: money received for the wallets and not yet matched with the bank.")
    charge_adjustment_account_id = fields.Many2one(
        "account.account", string="Adjustment Account", check_company=True,
        help="The other side of cash adjustments of wallets; empty: the marketing expenses account.")
    charge_tax_electricity_id = _tax_field("Electricity VAT")
    charge_tax_service_id = _tax_field("Service Fee VAT")
    charge_tax_reservation_id = _tax_field("Reservation Fee VAT")
    charge_tax_occupancy_id = _tax_field("Occupancy Fee VAT")
    charge_posting_mode = fields.Selection(
        POSTING_MODES, string="Wallet Posting", default="document", required=True,
        help="One journal entry per wallet ledger line, posted at once; or one summary entry per day, "
             "posted by a daily job for the days before today.")

    @api.constrains("charge_cash_liability_account_id", "charge_gift_liability_account_id")
    def _check_charge_liability_accounts(self):
        for company in self:
            cash, gift = company.charge_cash_liability_account_id, company.charge_gift_liability_account_id
            if cash and cash == gift:
                raise ValidationError(self.env._(
                    "The cash and the gift liabilities of the wallets need two different accounts: the "
                    "reconciliation compares each with the wallets."))

    @api.constrains("charge_tax_electricity_id", "charge_tax_service_id", "charge_tax_reservation_id",
                    "charge_tax_occupancy_id")
    def _check_charge_taxes(self):
        for company in self:
            for component in COMPONENTS:
                tax = company[f"charge_tax_{component}_id"]
                if tax and (tax.type_tax_use != "sale" or tax.amount_type not in ("percent", "division", "group")):
                    raise ValidationError(self.env._(
                        "Tax %s cannot tax a charging fee: use a sale tax computed as a percentage.",
                        tax.display_name))

    def write(self, vals):
        """Leaving the daily summary for one entry per document posts the
        lines still waiting for their summary first, up to now."""
        leaving = self.browse()
        if vals.get("charge_posting_mode") == "document":
            leaving = self.filtered(lambda company: company.charge_posting_mode == "daily")
        if leaving:
            transactions = self.env["charge.wallet.transaction"]
            transactions._charge_post_pending(leaving, up_to=transactions._charge_now_cutoff())
        return super().write(vals)

    # Accounts ---------------------------------------------------------------------

    def _charge_finance_ready(self):
        """True when the company has the wallet journal and every wallet account."""
        self.ensure_one()
        return bool(self.charge_wallet_journal_id) and all(self[field] for field in REQUIRED_ACCOUNTS)

    def _charge_role_accounts(self):
        """{posting role: account} of the roles whose account is the company's
        (not the receivable, which is the partner's, nor the tax lines, whose
        account comes from the tax)."""
        self.ensure_one()
        accounts = {
            "cash_liability": self.charge_cash_liability_account_id,
            "gift_liability": self.charge_gift_liability_account_id,
            "clearing": self.charge_recharge_clearing_account_id,
            "marketing_expense": self.charge_marketing_expense_account_id,
            "adjustment": self.charge_adjustment_account_id or self.charge_marketing_expense_account_id,
            "card_fee": self.charge_card_fee_account_id,
        }
        accounts.update({f"revenue_{name}": self[f"charge_revenue_{name}_account_id"] for name in COMPONENTS})
        return accounts

    # Setup ------------------------------------------------------------------------

    def _charge_finance_setup(self):
        """Create the wallet journal and the missing wallet accounts of the
        companies that have a chart of accounts; with the Chinese charts, use
        or extend the chart's own accounts (see readme/CONFIGURE.md). What is
        already configured is kept."""
        for company in self.filtered("chart_template"):
            company = company.with_company(company)
            values = {}
            if not company.charge_wallet_journal_id:
                values["charge_wallet_journal_id"] = company._charge_setup_journal().id
            codes = set()
            for field_name in ACCOUNT_SETUP:
                if not company[field_name]:
                    values[field_name] = company._charge_setup_account(field_name, codes).id
            if not company.charge_adjustment_account_id:
                values["charge_adjustment_account_id"] = (
                    values.get("charge_marketing_expense_account_id")
                    or company.charge_marketing_expense_account_id.id)
            if company.chart_template in CN_TEMPLATES:
                for field_name, templates in CN_TAXES.items():
                    tax = company._charge_chart_ref(templates)
                    if not company[field_name] and tax:
                        values[field_name] = tax.id
            if values:
                company.sudo().write(values)
                _logger.info("Wallet accounting of company %s set up: %s", company.name, ", ".join(sorted(values)))

    def _charge_chart_ref(self, templates):
        """The record of this company made from the chart template's record
        ``templates[chart]``, if any."""
        xmlid = templates.get(self.chart_template)
        if not xmlid:
            return None
        return self.env["account.chart.template"].with_company(self).ref(xmlid, raise_if_not_found=False)

    def _charge_setup_journal(self):
        """The company's general journal coded WLT, else a new one (on the
        first free code WLT, WLT2... when another journal took WLT)."""
        Journal = self.env["account.journal"]
        domain = Journal._check_company_domain(self)
        journal = Journal.search([*domain, ("type", "=", "general"), ("code", "=", JOURNAL_CODE)], limit=1)
        if journal:
            return journal
        used = set(Journal.with_context(active_test=False).search(domain).mapped("code"))
        code = next(code for code in (JOURNAL_CODE, *(f"{JOURNAL_CODE}{n}" for n in range(2, 100)))
                    if code not in used)
        journal = Journal.with_context(lang="en_US").create({
            "name": self._charge_english(JOURNAL_NAME), "code": code, "type": "general", "company_id": self.id,
            "show_on_dashboard": False,
        })
        self._charge_translate(journal, "name", JOURNAL_NAME)
        return journal

    def _charge_setup_account(self, field_name, codes):
        """The account of ``field_name``: the l10n_cn account it reuses, the
        account of that name an earlier installation made, else a new account,
        numbered after the chart's habits; ``codes`` collects the codes given
        during this setup."""
        name, account_type, reconcile, generic_code, (how, templates) = ACCOUNT_SETUP[field_name]
        Account = self.env["account.account"].with_company(self)
        template_account = self._charge_chart_ref(templates)
        if template_account and how == "reuse":
            return template_account
        # an account an earlier installation created (the module was uninstalled and installed again)
        existing = Account.with_context(lang="en_US").search([
            *Account._check_company_domain(self), ("account_type", "=", account_type),
            ("name", "=", self._charge_english(name))], limit=1)
        if existing:
            return existing
        if template_account:
            start = f"{template_account.code}.01"
        else:
            start = generic_code.ljust(self._charge_code_digits(), "0")
        code = Account._search_new_account_code(start, cache=set(codes))
        codes.add(code)
        account = Account.with_context(lang="en_US").create({
            "code": code, "name": self._charge_english(name),
            "account_type": account_type, "reconcile": reconcile, "company_ids": [(6, 0, self.root_id.ids)],
        })
        self._charge_translate(account, "name", name)
        return account

    def _charge_code_digits(self):
        """The usual length of the company's account codes (6 when it has none)."""
        accounts = self.env["account.account"].with_company(self).search(
            self.env["account.account"]._check_company_domain(self))
        lengths = Counter(len(code) for code in accounts.mapped("code") if code and code.isdigit())
        return max(lengths, key=lambda length: (lengths[length], length)) if lengths else 6

    def _charge_english(self, source):
        """The English text of a lazy term."""
        return self._charge_in(source, "en_US")

    def _charge_in(self, source, lang):
        """A lazy term in ``lang``."""
        return self.env(context=dict(self.env.context, lang=lang))._(source)

    def _charge_translate(self, record, field_name, source, langs=None):
        """Give ``record.field_name`` the translations of ``source`` in ``langs``
        (by default the installed languages)."""
        if langs is None:
            langs = [lang for lang, _name in self.env["res.lang"].get_installed()]
        translations = {lang: self._charge_in(source, lang) for lang in langs if lang != "en_US"}
        if translations:
            record.update_field_translations(field_name, translations)

    def _charge_translate_setup(self, langs):
        """Translate the journal and the accounts the setup created into ``langs``
        (a language loaded after the setup); renamed records are left alone."""
        sources = {field_name: spec[0] for field_name, spec in ACCOUNT_SETUP.items()}
        sources["charge_wallet_journal_id"] = JOURNAL_NAME
        for company in self:
            for field_name, source in sources.items():
                record = company[field_name].with_context(lang="en_US")
                if record and record.name == company._charge_english(source):
                    company._charge_translate(record, "name", source, langs)
