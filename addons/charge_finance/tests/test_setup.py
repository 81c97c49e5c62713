from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from ..models.res_company import ACCOUNT_SETUP


@tagged("post_install", "-at_install")
class TestFinanceSetup(TransactionCase):
    """The wallet journal and accounts a company gets with its chart of accounts."""

    def new_company(self, name, chart="generic_coa"):
        company = self.env["res.company"].create({"name": name})
        if chart:
            self.env["account.chart.template"].try_loading(chart, company=company, install_demo=False)
        return company

    def test_a_chart_brings_the_journal_and_the_accounts(self):
        company = self.new_company("Setup Co")
        journal = company.charge_wallet_journal_id
        self.assertEqual((journal.code, journal.type, journal.name, journal.company_id),
                         ("WLT", "general", "Wallet", company))
        expected_types = {
            "charge_cash_liability_account_id": "liability_current",
            "charge_gift_liability_account_id": "liability_current",
            "charge_revenue_electricity_account_id": "income", "charge_revenue_service_account_id": "income",
            "charge_revenue_reservation_account_id": "income", "charge_revenue_occupancy_account_id": "income",
            "charge_card_fee_account_id": "income", "charge_marketing_expense_account_id": "expense",
            "charge_recharge_clearing_account_id": "asset_current",
        }
        accounts = company.env["account.account"].browse()
        for field_name, account_type in expected_types.items():
            account = company[field_name].with_company(company)
            self.assertEqual(account.account_type, account_type, field_name)
            self.assertEqual(len(account.code), 6, "the generic chart numbers its accounts with 6 digits")
            accounts |= account
        self.assertEqual(len(accounts), len(expected_types), "one account per role")
        self.assertEqual(company.charge_cash_liability_account_id.with_company(company).code, "214000")
        self.assertTrue(company.charge_recharge_clearing_account_id.reconcile)
        self.assertEqual(company.charge_adjustment_account_id, company.charge_marketing_expense_account_id)
        self.assertFalse(company.charge_tax_electricity_id, "the generic chart has no Chinese VAT to choose")
        self.assertTrue(company._charge_finance_ready())
        self.assertEqual(company.charge_posting_mode, "document")

    def test_setup_keeps_what_is_configured(self):
        company = self.new_company("Setup Co")
        other = company.charge_marketing_expense_account_id.copy({"code": "651099"})
        company.charge_adjustment_account_id = other
        count = self.env["account.account"].search_count([("company_ids", "in", company.ids)])
        company._charge_finance_setup()
        self.assertEqual(self.env["account.account"].search_count([("company_ids", "in", company.ids)]), count)
        self.assertEqual(company.charge_adjustment_account_id, other)
        gift = company.charge_gift_liability_account_id
        company.charge_gift_liability_account_id = False
        self.assertFalse(company._charge_finance_ready())
        company._charge_finance_setup()
        self.assertEqual(company.charge_gift_liability_account_id, gift, "an installation's account is found again")
        gift.name = "Old Gift Liability"
        company.charge_gift_liability_account_id = False
        company._charge_finance_setup()
        self.assertEqual(company.charge_gift_liability_account_id.with_company(company).code, "214101",
                         "a new account, on the next free code")

    def test_a_company_without_chart_is_left_alone(self):
        company = self.new_company("No Chart Co", chart=None)
        company._charge_finance_setup()
        self.assertFalse(company.charge_wallet_journal_id or company.charge_cash_liability_account_id)
        self.assertFalse(company._charge_finance_ready())

    def test_account_names_are_translated(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        company = self.new_company("Setup Co")
        account = company.charge_cash_liability_account_id
        self.assertEqual(account.with_context(lang="en_US").name, "Wallet Cash Liability")
        self.assertEqual(account.with_context(lang="zh_CN").name, "钱包现金负债")
        self.assertEqual(company.charge_wallet_journal_id.with_context(lang="zh_CN").name, "钱包")
        account.update_field_translations("name", {"zh_CN": False})
        company._charge_translate_setup(["zh_CN"])
        self.assertEqual(account.with_context(lang="zh_CN").name, "钱包现金负债")

    def test_liabilities_need_two_accounts_and_taxes_are_sale_taxes(self):
        company = self.new_company("Setup Co")
        with self.assertRaisesRegex(ValidationError, "two different accounts"):
            company.charge_gift_liability_account_id = company.charge_cash_liability_account_id
        purchase = self.env["account.tax"].create({"name": "Input VAT", "amount": 13, "type_tax_use": "purchase",
                                                   "company_id": company.id})
        with self.assertRaisesRegex(ValidationError, "sale tax"):
            company.charge_tax_service_id = purchase

    def test_setup_specs_cover_every_required_account(self):
        self.assertEqual(set(ACCOUNT_SETUP), {
            "charge_cash_liability_account_id", "charge_gift_liability_account_id",
            "charge_revenue_electricity_account_id", "charge_revenue_service_account_id",
            "charge_revenue_reservation_account_id", "charge_revenue_occupancy_account_id",
            "charge_card_fee_account_id", "charge_marketing_expense_account_id",
            "charge_recharge_clearing_account_id"})
