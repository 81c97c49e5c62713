from odoo import _, api, models

from odoo.addons.account.models.chart_template import template

WALLET_JOURNAL = "charge_wallet_journal"


def _xmlid(field_name):
    """The template id of the record a company field of charge_finance takes
    (``charge_cash_liability_account_id`` -> ``charge_cash_liability_account``)."""
    return field_name.removesuffix("_id")


class AccountChartTemplate(models.AbstractModel):
    """charge_finance's part of every chart of accounts: the wallet journal,
    the wallet accounts and the company fields pointing to them; the Chinese
    charts (l10n_cn) take some of their own accounts instead, make the others
    sub-accounts of theirs and give each fee component its VAT.

    Loading a chart brings it like the rest of the chart (translations
    included, from this module's zh_CN.po); a company that already has a
    chart gets it from :meth:`_charge_finance_load` (the post-init hook, the
    settings' button)."""
    _inherit = "account.chart.template"

    # The data ------------------------------------------------------------------------

    def _charge_finance_accounts(self):
        """{res.company field: values of the account it takes in a chart
        that has nothing better}; the code is the start of the code in a
        generic chart (padded to the chart's digits; the next free code is
        taken when it is used). A chart variant below can change the code or
        take one of the chart's own accounts instead.

        To add a wallet account: its field on res.company, one entry here.
        """
        return {
            "charge_cash_liability_account_id": {
                "name": _("Wallet Cash Liability"), "code": "2140", "account_type": "liability_current"},
            "charge_gift_liability_account_id": {
                "name": _("Wallet Gift Liability"), "code": "2141", "account_type": "liability_current"},
            "charge_revenue_electricity_account_id": {
                "name": _("Charging Electricity Revenue"), "code": "4010", "account_type": "income"},
            "charge_revenue_service_account_id": {
                "name": _("Charging Service Fee Revenue"), "code": "4011", "account_type": "income"},
            "charge_revenue_reservation_account_id": {
                "name": _("Reservation Fee Revenue"), "code": "4012", "account_type": "income"},
            "charge_revenue_occupancy_account_id": {
                "name": _("Occupancy Fee Revenue"), "code": "4013", "account_type": "income"},
            "charge_card_fee_account_id": {
                "name": _("Card Fee Revenue"), "code": "4014", "account_type": "income"},
            "charge_marketing_expense_account_id": {
                "name": _("Marketing Expenses"), "code": "6510", "account_type": "expense"},
            "charge_recharge_clearing_account_id": {
                "name": _("Wallet Recharge Clearing"), "code": "1016", "account_type": "asset_current",
                "reconcile": True},
            "charge_card_liability_account_id": {
                "name": _("Stored-Value Card Liability"), "code": "2142", "account_type": "liability_current"},
            "charge_withdrawal_payable_account_id": {
                "name": _("Member Withdrawals Payable"), "code": "2143", "account_type": "liability_current"},
            "charge_withdrawal_fee_account_id": {
                "name": _("Withdrawal Fee Revenue"), "code": "4015", "account_type": "income"},
        }

    def _charge_finance_company_fields(self):
        """The res.company fields charge_finance's template data sets."""
        return {"charge_wallet_journal_id", *self._charge_finance_accounts(), "charge_tax_electricity_id",
                "charge_tax_service_id", "charge_tax_reservation_id", "charge_tax_occupancy_id"}

    @template(model="res.company")
    def _get_charge_finance_res_company(self, template_code):
        values = {"charge_wallet_journal_id": WALLET_JOURNAL}
        values.update({field_name: _xmlid(field_name) for field_name in self._charge_finance_accounts()})
        return {self.env.company.id: values}

    @template(model="account.journal")
    def _get_charge_finance_account_journal(self, template_code):
        return {
            WALLET_JOURNAL: {
                "name": _("Wallet"), "code": "WLT", "type": "general", "show_on_dashboard": False},
        }

    @template(model="account.account")
    def _get_charge_finance_account_account(self, template_code):
        """The wallet accounts the chart's company data asks for (not those a
        chart variant replaced by one of the chart's accounts)."""
        company_values = self._get_chart_template_model_data(template_code, "res.company").get(self.env.company.id, {})
        return {
            xmlid: dict(values)
            for field_name, values in self._charge_finance_accounts().items()
            if company_values.get(field_name) == (xmlid := _xmlid(field_name))
        }

    # The Chinese charts (l10n_cn): prepaid wallet money is an advance receipt
    # (2203 预收账款), each fee component is main business revenue with its VAT
    # (electricity is a sale of goods at 13 %, the service and reservation fees
    # modern services at 6 %, the occupancy fee a parking service, i.e. a real
    # estate lease, at 9 %), a card a side business (其他业务收入), a gift a
    # sales promotion expense, the money of paid recharges sits with the payment
    # channels (1012 其他货币资金) until it reaches the bank (readme/CONFIGURE.md).

    @template("cn_common", "account.account")
    def _get_cn_common_charge_finance_account_account(self):
        return {
            "charge_cash_liability_account": {"code": "2203.01"},
            "charge_gift_liability_account": {"code": "2203.02"},
            "charge_card_liability_account": {"code": "2203.03"},
            "charge_withdrawal_payable_account": {"code": "2241.01"},
        }

    @template("cn", "account.account")
    def _get_cn_charge_finance_account_account(self):
        return {
            "charge_revenue_electricity_account": {"code": "5001.01"},
            "charge_revenue_service_account": {"code": "5001.02"},
            "charge_revenue_reservation_account": {"code": "5001.03"},
            "charge_revenue_occupancy_account": {"code": "5001.04"},
            "charge_recharge_clearing_account": {"code": "1012.03"},
        }

    @template("cn", "res.company")
    def _get_cn_charge_finance_res_company(self):
        return {
            self.env.company.id: {
                "charge_card_fee_account_id": "l10n_cn_account_5051",
                "charge_withdrawal_fee_account_id": "l10n_cn_account_5051",
                "charge_marketing_expense_account_id": "l10n_cn_account_560102",
                "charge_tax_electricity_id": "l10n_cn_sales_excluded_13",
                "charge_tax_service_id": "l10n_cn_sales_excluded_6",
                "charge_tax_reservation_id": "l10n_cn_sales_excluded_6",
                "charge_tax_occupancy_id": "l10n_cn_sales_excluded_9",
            },
        }

    @template("cn_large_bis", "account.account")
    def _get_cn_large_bis_charge_finance_account_account(self):
        return {
            "charge_revenue_electricity_account": {"code": "6001.01"},
            "charge_revenue_service_account": {"code": "6001.02"},
            "charge_revenue_reservation_account": {"code": "6001.03"},
            "charge_revenue_occupancy_account": {"code": "6001.04"},
            "charge_recharge_clearing_account": {"code": "1012.01"},
        }

    @template("cn_large_bis", "res.company")
    def _get_cn_large_bis_charge_finance_res_company(self):
        return {
            self.env.company.id: {
                "charge_card_fee_account_id": "l10n_cn_large_bis_account_6051",
                "charge_withdrawal_fee_account_id": "l10n_cn_large_bis_account_6051",
                "charge_marketing_expense_account_id": "l10n_cn_large_bis_account_660102",
                "charge_tax_electricity_id": "l10n_cn_tax_large_bis_sales_excluded_13",
                "charge_tax_service_id": "l10n_cn_tax_large_bis_sales_excluded_6",
                "charge_tax_reservation_id": "l10n_cn_tax_large_bis_sales_excluded_6",
                "charge_tax_occupancy_id": "l10n_cn_tax_large_bis_sales_excluded_9",
            },
        }

    # Loading -------------------------------------------------------------------------

    def _pre_reload_data(self, company, template_data, data, force_create=True):
        """Reloading a chart keeps the company's values, Odoo's and ours; the
        wallet fields still empty get theirs, and the wallet accounts keep
        their code (so that Odoo does not mistake another account for them;
        a new one is matched by its code, as Odoo does with its own)."""
        company_data = data.get("res.company", {}).get(company.id, {})
        missing = {field_name: value for field_name, value in company_data.items()
                   if field_name in self._charge_finance_company_fields() and not company[field_name]}
        self._charge_finance_codes(company, data, int(template_data.get("code_digits", 6)), new=False)
        super()._pre_reload_data(company, template_data, data, force_create=force_create)
        if missing and "res.company" in data:
            data["res.company"].setdefault(company.id, {}).update(missing)

    def _pre_load_data(self, template_code, company, template_data, data):
        """What the company already has configured is kept; the wallet
        accounts and journal take a free code."""
        data = super()._pre_load_data(template_code, company, template_data, data)
        company_data = data.get("res.company", {}).get(company.id, {})
        for field_name in self._charge_finance_company_fields() & set(company_data):
            if company[field_name].exists():
                del company_data[field_name]
        self._charge_finance_codes(company, data, int(template_data.get("code_digits", 6)))
        return data

    def _charge_finance_codes(self, company, data, code_digits, new=True):
        """The wallet accounts of ``data`` that exist keep their code; with
        ``new``, the wallet accounts and journal that do not exist yet get a
        code no other account or journal of the company (or of ``data``) has:
        the template's code when it is free, else the next free one."""
        company = company.with_env(self.env)
        own_accounts = {_xmlid(field_name) for field_name in self._charge_finance_accounts()}
        accounts = data.get("account.account", {})
        Account = self.env["account.account"].with_company(company)
        taken = {values["code"].ljust(code_digits, "0") for xmlid, values in accounts.items()
                 if xmlid not in own_accounts and values.get("code")}
        for xmlid in sorted(own_accounts & set(accounts)):
            values = accounts[xmlid]
            existing = self.with_company(company).ref(xmlid, raise_if_not_found=False)
            if existing:
                values["code"] = existing.with_company(company).code
            elif new and "code" in values:
                values["code"] = Account._search_new_account_code(values["code"].ljust(code_digits, "0"), cache=taken)
            taken.add(values.get("code"))
        journal = data.get("account.journal", {}).get(WALLET_JOURNAL)
        if new and journal and "code" in journal and not self.with_company(company).ref(WALLET_JOURNAL,
                                                                               raise_if_not_found=False):
            Journal = self.env["account.journal"].with_context(active_test=False)
            used = set(Journal.search(Journal._check_company_domain(company)).mapped("code"))
            used |= {values.get("code") for xmlid, values in data["account.journal"].items() if xmlid != WALLET_JOURNAL}
            base = journal["code"]
            journal["code"] = next(code for code in (base, *(f"{base}{n}" for n in range(2, 100))) if code not in used)

    @api.model
    def _charge_finance_load(self, company):
        """Apply charge_finance's template data to ``company``, which already
        has a chart of accounts (installed before charge_finance, or a field
        emptied since): the wallet fields that are empty get the journal, the
        accounts and the taxes the chart gives them, the records the template
        made before (an earlier installation) are taken again, a general
        journal coded WLT is taken as the wallet journal, the names are
        translated into the installed languages. What is configured is kept."""
        template_code = company.chart_template
        if not template_code or template_code not in self._get_chart_template_mapping(get_all=True):
            return
        self = self.sudo().with_context(  # noqa: PLW0642 as `_load` does
            default_company_id=company.id, allowed_company_ids=[company.id], lang="en_US", tracking_disable=True)
        company = company.with_env(self.env)
        company_values = self._get_chart_template_model_data(template_code, "res.company").get(company.id, {})
        wanted = {field_name: value for field_name, value in company_values.items()
                  if field_name in self._charge_finance_company_fields() and not company[field_name]}
        if not wanted:
            return
        full_data = self._get_chart_template_data(template_code)
        template_data = full_data.pop("template_data")
        xmlids = set(wanted.values())
        data = {"res.company": {company.id: wanted}}
        if not company.parent_id:  # a branch takes its parent's records, as in `_load`
            for model in ("account.account", "account.journal"):
                data[model] = {xmlid: dict(values) for xmlid, values in full_data.get(model, {}).items()
                               if xmlid in xmlids and not self.ref(xmlid, raise_if_not_found=False)}
            journal = data["account.journal"].get(WALLET_JOURNAL)
            if journal:
                Journal = self.env["account.journal"]
                existing = Journal.search([*Journal._check_company_domain(company), ("type", "=", journal["type"]),
                                           ("code", "=", journal["code"])], limit=1)
                if existing:
                    self.env["ir.model.data"]._update_xmlids([{
                        "xml_id": self.company_xmlid(WALLET_JOURNAL, company), "record": existing, "noupdate": True}])
                    del data["account.journal"][WALLET_JOURNAL]
            self._charge_finance_codes(company, data, int(template_data.get("code_digits", 6)))
        self._load_data(data)
        self._load_translations(companies=company, template_data=full_data)

    # Demo ----------------------------------------------------------------------------

    @api.model
    def _charge_demo_chinese_chart(self, company_id):
        """Demo data: ``company_id`` keeps its books with the Chinese small
        business chart (``cn``), hence in CNY with the VAT of the fee
        components, instead of the generic chart `account`'s demo data gives
        the main company (in USD, with demo invoices). l10n_cn is installed in
        the same run (Odoo loads the modules marked during an installation
        after it), the chart is loaded once the registry is ready
        (:meth:`_register_hook`)."""
        company = self.env["res.company"].browse(company_id)
        if company.chart_template in ("cn", "cn_large_bis"):
            return
        module = self.env.ref("base.module_l10n_cn")
        if module.state == "uninstalled":
            module.button_install()
        self.env.registry._charge_demo_chinese_chart = company.id

    def _register_hook(self):
        """Load the Chinese chart :meth:`_charge_demo_chinese_chart` asked for,
        as Odoo's demo data load theirs: with ``install_demo``, which replaces
        the company's demo accounting (entries, accounts, journals, taxes) by
        the chart's and sets the currency of its country."""
        super()._register_hook()
        company_id = getattr(self.env.registry, "_charge_demo_chinese_chart", None)
        if company_id:
            del self.env.registry._charge_demo_chinese_chart
            company = self.env["res.company"].browse(company_id)
            if company.exists() and company.chart_template not in ("cn", "cn_large_bis"):
                self.try_loading("cn", company, install_demo=True)
                # the demo's recharges, wallet payments and orders were posted on the chart the demo of `account`
                # gave the company, whose entries the Chinese chart replaced: they are posted again on it
                self.env["charge.wallet.transaction"].sudo()._cron_post_daily_summary()
                self.env["charge.order"].sudo().search([("company_id", "=", company.id),
                                                        ("state", "=", "completed")])._charge_book()
                # per document, what waits is the posting queue's: the demo posts it now
                self.env["charge.wallet.transaction"].sudo()._cron_post_queue()
        reviews = getattr(self.env.registry, "_charge_demo_fapiao_reviews", None)
        if reviews is not None:
            # the demo's fapiao reviewed once the company has its accounts (models/charge_fapiao_demo.py)
            del self.env.registry._charge_demo_fapiao_reviews
            self.env["charge.fapiao.request"].sudo()._charge_demo_review(reviews)
