from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from odoo.addons.charge_finance import _post_init_hook

ACCOUNT_FIELDS = (
    "charge_cash_liability_account_id", "charge_gift_liability_account_id", "charge_revenue_electricity_account_id",
    "charge_revenue_service_account_id", "charge_revenue_reservation_account_id",
    "charge_revenue_occupancy_account_id", "charge_card_fee_account_id", "charge_marketing_expense_account_id",
    "charge_recharge_clearing_account_id", "charge_card_liability_account_id",
)
TAX_FIELDS = ("charge_tax_electricity_id", "charge_tax_service_id", "charge_tax_reservation_id",
              "charge_tax_occupancy_id")


@tagged("post_install", "-at_install")
class TestFinanceSetup(TransactionCase):
    """The wallet journal, accounts and taxes charge_finance adds to the
    charts of accounts (account.chart.template's @template data)."""

    def new_company(self, name, chart="generic_coa"):
        company = self.env["res.company"].create({"name": name})
        if chart:
            self.env["account.chart.template"].try_loading(chart, company=company, install_demo=False)
        return company

    def set_up_company(self, name):
        """A company with the generic chart, set up once more (the records other setups add on first use made)."""
        company = self.new_company(name)
        company._charge_finance_setup()
        return company

    def chart(self, company):
        return self.env["account.chart.template"].with_company(company)

    def codes(self, company, field_names=ACCOUNT_FIELDS):
        return {field_name: company[field_name].with_company(company).code for field_name in field_names}

    def company_accounts(self, company):
        return self.env["account.account"].search([("company_ids", "in", company.ids)])

    def wallet_journals(self, company):
        return self.env["account.journal"].search([("company_id", "=", company.id), ("code", "like", "WLT")])

    def require_l10n_cn(self):
        if self.env.ref("base.module_l10n_cn").state != "installed":
            if not self.env.ref("base.module_charge_finance").demo:
                self.skipTest("l10n_cn is installed with charge_finance's demo data")
            self.fail("charge_finance's demo data installs l10n_cn")

    def drop_setup(self, company):
        """The company as it was before charge_finance: its chart without the wallet records."""
        chart = self.chart(company)
        fields = ("charge_wallet_journal_id", *ACCOUNT_FIELDS)
        ours = [company[field_name] for field_name in fields
                if company[field_name] == chart.ref(field_name.removesuffix("_id"), raise_if_not_found=False)]
        company.write({field_name: False for field_name in (*fields, *TAX_FIELDS)})
        for record in ours:
            record.unlink()

    # generic chart -------------------------------------------------------------------

    def test_a_generic_chart_brings_the_journal_and_the_accounts(self):
        company = self.new_company("Setup Co")
        chart = self.chart(company)
        journal = company.charge_wallet_journal_id
        self.assertEqual(journal, chart.ref("charge_wallet_journal"), "the journal comes from the template")
        self.assertRecordValues(journal, [{"code": "WLT", "type": "general", "name": "Wallet",
                                           "company_id": company.id, "show_on_dashboard": False}])
        self.assertEqual(self.codes(company), {
            "charge_cash_liability_account_id": "214000", "charge_gift_liability_account_id": "214100",
            "charge_revenue_electricity_account_id": "401000", "charge_revenue_service_account_id": "401100",
            "charge_revenue_reservation_account_id": "401200", "charge_revenue_occupancy_account_id": "401300",
            "charge_card_fee_account_id": "401400", "charge_marketing_expense_account_id": "651000",
            "charge_recharge_clearing_account_id": "101600", "charge_card_liability_account_id": "214200"})
        for field_name in ACCOUNT_FIELDS:
            self.assertEqual(company[field_name], chart.ref(field_name.removesuffix("_id")),
                             f"{field_name}: the account comes from the template")
        self.assertEqual(
            [company[field_name].account_type for field_name in ACCOUNT_FIELDS],
            ["liability_current"] * 2 + ["income"] * 5 + ["expense", "asset_current", "liability_current"])
        self.assertEqual(company.charge_cash_liability_account_id.name, "Wallet Cash Liability")
        self.assertTrue(company.charge_recharge_clearing_account_id.reconcile)
        self.assertFalse(any(company[field_name] for field_name in TAX_FIELDS),
                         "the generic chart has no Chinese VAT to choose")
        self.assertFalse(company.charge_adjustment_account_id)
        self.assertEqual(company._charge_role_accounts()["adjustment"], company.charge_marketing_expense_account_id)
        self.assertTrue(company._charge_finance_ready())
        self.assertEqual(company.charge_posting_mode, "document")

    def test_reloading_the_chart_duplicates_nothing_and_keeps_the_configuration(self):
        company = self.set_up_company("Setup Co")
        accounts, journals = self.company_accounts(company), self.wallet_journals(company)
        other = company.charge_marketing_expense_account_id.copy({"code": "651099"})
        company.charge_marketing_expense_account_id = other
        gift = company.charge_gift_liability_account_id
        company.charge_gift_liability_account_id = False
        self.env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
        self.assertEqual(self.company_accounts(company), accounts | other)
        self.assertEqual(self.wallet_journals(company), journals)
        self.assertEqual(company.charge_marketing_expense_account_id, other, "a configured account is kept")
        self.assertEqual(company.charge_gift_liability_account_id, gift, "an empty field gets its account back")
        self.assertEqual(gift, self.chart(company).ref("charge_gift_liability_account"))
        company._charge_finance_setup()
        self.assertEqual(self.company_accounts(company), accounts | other)
        self.assertEqual(self.wallet_journals(company), journals)

    def test_a_company_without_chart_is_left_alone(self):
        company = self.new_company("No Chart Co", chart=None)
        company._charge_finance_setup()
        self.assertFalse(company.charge_wallet_journal_id or company.charge_cash_liability_account_id)
        self.assertFalse(company._charge_finance_ready())

    # a chart installed before charge_finance ---------------------------------------------

    def test_the_post_init_hook_completes_a_chart_loaded_before(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        company = self.new_company("Old Books Co")
        self.drop_setup(company)
        self.assertFalse(company._charge_finance_ready())
        taken = self.env["account.account"].create({
            "code": "214000", "name": "Salaries Payable", "account_type": "liability_current",
            "company_ids": company.ids})
        own_clearing = self.env["account.account"].create({
            "code": "101699", "name": "WeChat Pay Clearing", "account_type": "asset_current", "reconcile": True,
            "company_ids": company.ids})
        company.charge_recharge_clearing_account_id = own_clearing
        _post_init_hook(self.env)
        chart = self.chart(company)
        self.assertTrue(company._charge_finance_ready())
        self.assertEqual(company.charge_wallet_journal_id, chart.ref("charge_wallet_journal"))
        self.assertEqual(company.charge_wallet_journal_id.code, "WLT")
        self.assertEqual(company.charge_recharge_clearing_account_id, own_clearing, "what is configured is kept")
        self.assertFalse(chart.ref("charge_recharge_clearing_account", raise_if_not_found=False))
        self.assertEqual(company.charge_cash_liability_account_id, chart.ref("charge_cash_liability_account"))
        self.assertNotEqual(company.charge_cash_liability_account_id, taken)
        self.assertEqual(self.codes(company, ["charge_cash_liability_account_id", "charge_gift_liability_account_id"]),
                         {"charge_cash_liability_account_id": "214001", "charge_gift_liability_account_id": "214100"},
                         "an account whose code is taken gets the next free one")
        self.assertEqual(company.charge_gift_liability_account_id.with_context(lang="zh_CN").name, "赠送余额负债")
        self.assertEqual(company.charge_wallet_journal_id.with_context(lang="zh_CN").name, "钱包")
        accounts = self.company_accounts(company)
        _post_init_hook(self.env)
        self.assertEqual(self.company_accounts(company), accounts, "applied twice, nothing is duplicated")

    def test_a_reinstallation_takes_the_records_of_the_first_one(self):
        company = self.set_up_company("Setup Co")
        values = {field_name: company[field_name] for field_name in ("charge_wallet_journal_id", *ACCOUNT_FIELDS)}
        accounts = self.company_accounts(company)
        # the accountant renamed the accounts and the journal
        company.charge_cash_liability_account_id.name = "Prepaid Charging Cards and Wallets"
        company.charge_gift_liability_account_id.name = "Prepaid Promotions"
        company.charge_wallet_journal_id.name = "Member Wallets"
        # uninstalling charge_finance drops the company fields; the template's records stay
        company.write({field_name: False for field_name in values})
        _post_init_hook(self.env)
        self.assertEqual({field_name: company[field_name] for field_name in values}, values)
        self.assertEqual(self.company_accounts(company), accounts, "nothing is created twice")
        self.assertEqual(company.charge_cash_liability_account_id.name, "Prepaid Charging Cards and Wallets")

    def test_a_general_journal_coded_wlt_is_the_wallet_journal(self):
        company = self.new_company("Setup Co")
        self.drop_setup(company)
        journal = self.env["account.journal"].create({"name": "Wallets", "code": "WLT", "type": "general",
                                                      "company_id": company.id})
        company._charge_finance_setup()
        self.assertEqual(company.charge_wallet_journal_id, journal)
        self.assertEqual(self.chart(company).ref("charge_wallet_journal"), journal)

    # translations --------------------------------------------------------------------

    def test_names_are_translated_by_the_chart_template_translations(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        company = self.new_company("Setup Co")
        account = company.charge_cash_liability_account_id
        self.assertEqual(account.with_context(lang="en_US").name, "Wallet Cash Liability")
        self.assertEqual(account.with_context(lang="zh_CN").name, "钱包现金负债")
        self.assertEqual(company.charge_revenue_service_account_id.with_context(lang="zh_CN").name, "服务费收入")
        self.assertEqual(company.charge_wallet_journal_id.with_context(lang="zh_CN").name, "钱包")
        # a language installed later: account's own hook loads the chart translations
        account.update_field_translations("name", {"zh_CN": False})
        company.charge_wallet_journal_id.update_field_translations("name", {"zh_CN": False})
        self.assertEqual(account.with_context(lang="zh_CN").name, "Wallet Cash Liability")
        self.env["account.chart.template"]._load_translations(langs=["zh_CN"], companies=company)
        self.assertEqual(account.with_context(lang="zh_CN").name, "钱包现金负债")
        self.assertEqual(company.charge_wallet_journal_id.with_context(lang="zh_CN").name, "钱包")

    # Chinese charts ------------------------------------------------------------------

    def test_the_chinese_small_business_chart(self):
        self.require_l10n_cn()
        company = self.new_company("深圳充电", chart="cn")
        chart = self.chart(company)
        self.assertEqual(company.currency_id, self.env.ref("base.CNY"))
        self.assertEqual(self.codes(company), {
            "charge_cash_liability_account_id": "2203.01", "charge_gift_liability_account_id": "2203.02",
            "charge_card_liability_account_id": "2203.03",
            "charge_revenue_electricity_account_id": "5001.01", "charge_revenue_service_account_id": "5001.02",
            "charge_revenue_reservation_account_id": "5001.03", "charge_revenue_occupancy_account_id": "5001.04",
            "charge_card_fee_account_id": "5051", "charge_marketing_expense_account_id": "5601.02",
            "charge_recharge_clearing_account_id": "1012.03"})
        self.assertEqual(company.charge_card_fee_account_id, chart.ref("l10n_cn_account_5051"), "the chart's own")
        self.assertEqual(company.charge_marketing_expense_account_id, chart.ref("l10n_cn_account_560102"))
        self.assertFalse(chart.ref("charge_card_fee_account", raise_if_not_found=False),
                         "no account of ours where the chart has one")
        self.assertFalse(self.env["account.account"].search([("company_ids", "in", company.ids),
                                                             ("name", "in", ("Card Fee Revenue", "Marketing Expenses"))]))
        self.assertEqual(company.charge_cash_liability_account_id.account_type, "liability_current")
        self.assertEqual([company[field_name] for field_name in TAX_FIELDS], [
            chart.ref("l10n_cn_sales_excluded_13"), chart.ref("l10n_cn_sales_excluded_6"),
            chart.ref("l10n_cn_sales_excluded_6"), chart.ref("l10n_cn_sales_excluded_9")])
        self.assertEqual([company[field_name].amount for field_name in TAX_FIELDS], [13, 6, 6, 9])
        self.assertEqual(company.charge_wallet_journal_id.code, "WLT")
        self.assertTrue(company._charge_finance_ready())
        # reloaded: nothing more
        accounts = self.company_accounts(company)
        self.env["account.chart.template"].try_loading("cn", company=company, install_demo=False)
        self.assertEqual(self.company_accounts(company), accounts)

    def test_the_chinese_enterprise_chart(self):
        self.require_l10n_cn()
        company = self.new_company("深圳充电", chart="cn_large_bis")
        chart = self.chart(company)
        self.assertEqual(self.codes(company), {
            "charge_cash_liability_account_id": "2203.01", "charge_gift_liability_account_id": "2203.02",
            "charge_card_liability_account_id": "2203.03",
            "charge_revenue_electricity_account_id": "6001.01", "charge_revenue_service_account_id": "6001.02",
            "charge_revenue_reservation_account_id": "6001.03", "charge_revenue_occupancy_account_id": "6001.04",
            "charge_card_fee_account_id": "6051", "charge_marketing_expense_account_id": "6601.02",
            "charge_recharge_clearing_account_id": "1012.01"})
        self.assertEqual([company[field_name] for field_name in TAX_FIELDS], [
            chart.ref("l10n_cn_tax_large_bis_sales_excluded_13"), chart.ref("l10n_cn_tax_large_bis_sales_excluded_6"),
            chart.ref("l10n_cn_tax_large_bis_sales_excluded_6"), chart.ref("l10n_cn_tax_large_bis_sales_excluded_9")])

    def test_the_post_init_hook_on_a_chinese_chart(self):
        self.require_l10n_cn()
        self.env["res.lang"]._activate_lang("zh_CN")
        company = self.new_company("深圳充电", chart="cn")
        self.drop_setup(company)
        service = company.env["account.tax"].search([("company_id", "=", company.id), ("amount", "=", 6),
                                                     ("type_tax_use", "=", "sale")], limit=1)
        own = service.copy({"name": "服务费 6%"})
        company.charge_tax_service_id = own
        _post_init_hook(self.env)
        chart = self.chart(company)
        self.assertEqual(company.charge_tax_electricity_id, chart.ref("l10n_cn_sales_excluded_13"))
        self.assertEqual(company.charge_tax_service_id, own, "a configured tax is kept")
        self.assertEqual(company.charge_card_fee_account_id, chart.ref("l10n_cn_account_5051"))
        self.assertEqual(company.charge_cash_liability_account_id.with_company(company).code, "2203.01")
        self.assertEqual(company.charge_cash_liability_account_id.with_context(lang="zh_CN").name, "钱包现金负债")

    # the demo --------------------------------------------------------------------------

    def test_the_demo_operator_keeps_chinese_books(self):
        if not self.env.ref("base.module_charge_finance").demo:
            self.skipTest("without demo data")
        company = self.env.ref("base.main_company")
        self.assertEqual(company.chart_template, "cn")
        self.assertEqual(company.currency_id, self.env.ref("base.CNY"))
        self.assertEqual(company.country_id, self.env.ref("base.cn"))
        self.assertEqual([company[field_name].amount for field_name in TAX_FIELDS], [13, 6, 6, 9])
        self.assertEqual(company.charge_cash_liability_account_id.with_company(company).code, "2203.01")
        if self.env["res.lang"]._lang_get("zh_CN").active:
            self.assertEqual(company.charge_cash_liability_account_id.with_context(lang="zh_CN").name, "钱包现金负债")
        self.assertTrue(company._charge_finance_ready())

    # checks ----------------------------------------------------------------------------

    def test_liabilities_need_two_accounts_and_taxes_are_sale_taxes(self):
        company = self.new_company("Setup Co")
        with self.assertRaisesRegex(ValidationError, "two different accounts"):
            company.charge_gift_liability_account_id = company.charge_cash_liability_account_id
        purchase = self.env["account.tax"].create({"name": "Input VAT", "amount": 13, "type_tax_use": "purchase",
                                                   "company_id": company.id})
        with self.assertRaisesRegex(ValidationError, "sale tax"):
            company.charge_tax_service_id = purchase
