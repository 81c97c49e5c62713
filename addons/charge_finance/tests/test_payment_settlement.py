import base64
import io
from decimal import Decimal

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import BaseCase, tagged

from ..tools.settlement_report import ReportError, entry_amounts, read
from .common import ChargeFinanceCase

D = Decimal
WECHAT_BILL = """交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,\
应结订单总金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,\
订单金额,申请退款金额,费率备注
`2026-12-07 10:00:00,`wx1,`1900000109,`0,`,`4200001,`P1,`o1,`JSAPI,`SUCCESS,`OTHERS,`CNY,`100.00,`0.00,`0,`0,`0.00,\
`0.00,`,`,`Recharge,`,`0.60000,`0.60%,`100.00,`0.00,`
`2026-12-07 11:00:00,`wx1,`1900000109,`0,`,`4200001,`P1,`o1,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`5030001,\
`R-P1,`20.00,`0.00,`ORIGINAL,`SUCCESS,`Recharge,`,`-0.12000,`0.60%,`0.00,`20.00,`
总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额
`2,`100.00,`20.00,`0.00,`0.48000,`100.00,`20.00
"""


@tagged("post_install", "-at_install")
class TestSettlementReport(BaseCase):
    """tools/settlement_report.py: the layouts a report comes in."""

    def test_the_platforms_template_in_csv_and_xlsx(self):
        text = "日期,类型,商户订单号,渠道交易号,金额,手续费\n2026-12-07 10:00:00,支付,P1,T1,100.00,0.60\n" \
               "2026-12-07 11:00:00,退款,R-P1,T2,20.00,-0.12\n"
        rows = read(text.encode("utf-8-sig"), "report.csv")
        self.assertEqual([(r.line, r.kind, r.reference, r.amount, r.fee) for r in rows],
                         [(2, "payment", "P1", D("100.00"), D("0.60")), (3, "refund", "R-P1", D("20.00"), D("-0.12"))])
        self.assertEqual(read(text.encode("gb18030"), "report.csv")[1].reference, "R-P1")
        import openpyxl
        book = openpyxl.Workbook()
        for row in [["date", "type", "reference", "provider_reference", "amount", "fee"],
                    ["2026-12-07", "payment", "P1", "T1", 100, 0.6]]:
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        [row] = read(buffer.getvalue(), "report.xlsx")
        self.assertEqual((row.kind, row.amount, row.fee), ("payment", D("100"), D("0.6")))

    def test_wechat_pays_trade_bill(self):
        rows = read(WECHAT_BILL.encode(), "tradebill.csv")
        self.assertEqual([(r.kind, r.reference, r.provider_reference, r.amount, r.fee) for r in rows], [
            ("payment", "P1", "4200001", D("100.00"), D("0.60000")),
            ("refund", "R-P1", "5030001", D("20.00"), D("-0.12000"))])

    def test_unreadable_reports(self):
        for content, code in ((b"", "empty"), (b"date,type\n2026-12-07,payment\n", "header"),
                              (b"type,reference,amount\ngift,P1,10\n", "type"),
                              (b"type,reference,amount\npayment,P1,ten\n", "amount"),
                              (b"type,reference,amount\npayment,,10\n", "reference"),
                              (b"PK\x03\x04 broken", "format")):
            with self.subTest(code=code), self.assertRaises(ReportError) as caught:
                read(content, "report.csv")
            self.assertEqual(caught.exception.code, code)

    def test_the_entry_balances(self):
        amounts = entry_amounts(D(150), D(20), D("0.78"))
        self.assertEqual(amounts, {"bank": D("129.22"), "fee": D("0.78"), "clearing": D(-130)})
        self.assertEqual(sum(amounts.values()), 0)


@tagged("post_install", "-at_install")
class TestPaymentSettlement(ChargeFinanceCase):
    """A provider's settlement report against its transactions and the clearing account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.demo_provider("1012.92", reconcile=True)
        cls.clearing = cls.provider.charge_clearing_account_id
        cls.fees = cls.env["account.account"].create({
            "name": "Provider fees", "code": "6603.90", "account_type": "expense",
            "company_ids": [Command.set(cls.company.ids)]})
        cls.company.charge_provider_fee_account_id = cls.fees
        cls.bank = cls.env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", cls.company.id)],
                                                     limit=1)
        cls.transactions = []
        for wallet, amount in ((cls.li_wallet, "100"), (cls.wang_wallet, "50")):
            order, transaction = cls.env["charge.payment.order"]._charge_start_recharge(wallet, D(amount),
                                                                                       cls.provider)
            transaction._process("demo", {"reference": transaction.reference, "simulated_state": "done"})
            cls.transactions.append(transaction)
        cls.accountant = accountant = cls.company_user("settlement-accountant",
                                                       "charge_finance.group_charge_accountant")
        refund = cls.env["charge.refund"]._charge_refund_recharge(
            cls.transactions[0].charge_payment_order_id.wallet_transaction_id, D("20"), "too much", "online")
        refund.with_user(accountant)._charge_process()
        cls.refund_tx = refund.transaction_id

    def report(self, rows):
        text = "date,type,reference,provider_reference,amount,fee\n" + "".join(
            f"2026-12-07 10:00:00,{kind},{reference},X{index},{amount},{fee}\n"
            for index, (kind, reference, amount, fee) in enumerate(rows))
        return self.env["charge.payment.settlement"].with_user(self.accountant).create({
            "provider_id": self.provider.id, "journal_id": self.bank.id, "company_id": self.company.id,
            "report_file": base64.b64encode(text.encode()), "report_filename": "report.csv"})

    def full_report(self):
        first, second = self.transactions
        return self.report([("payment", first.reference, "100.00", "0.60"), ("payment", second.reference, "50.00",
                                                                              "0.30"),
                            ("refund", self.refund_tx.reference, "20.00", "-0.12")])

    def test_a_report_matching_its_transactions_books_the_bank_and_the_fees(self):
        settlement = self.full_report()
        settlement.action_import()
        self.assertEqual(settlement.line_ids.mapped("status"), ["matched"] * 3)
        self.assertEqual((settlement.payments_amount, settlement.refunds_amount, settlement.fees_amount,
                          settlement.net_amount), (150.0, 20.0, 0.78, 129.22))
        self.assertEqual(self.gl_balance(self.clearing), -130.0, "130 waits on the clearing account")
        settlement.action_post()
        self.assertEqual(settlement.state, "posted")
        self.assertEqual(self.by_account(settlement.move_id), {
            self.bank.default_account_id.code: 129.22, "6603.90": 0.78, "1012.92": -130.0})
        self.assertEqual(self.gl_balance(self.clearing), 0.0, "the clearing account is settled")
        items = self.env["account.move.line"].search([("account_id", "=", self.clearing.id)])
        self.assertTrue(all(item.reconciled for item in items), "every clearing item is matched")
        self.assertEqual(set(settlement.line_ids.transaction_id.mapped("charge_settlement_id")), {settlement})
        with self.assertRaises(UserError):
            settlement.action_post()

        again = self.full_report()
        again.action_import()
        self.assertEqual(again.line_ids.mapped("status"), ["settled"] * 3, "a transaction is settled once")
        with self.assertRaisesRegex(UserError, "do not match"):
            again.action_post()

    def test_lines_that_do_not_match_block_the_posting(self):
        first, second = self.transactions
        settlement = self.report([("payment", first.reference, "99.00", "0.60"), ("payment", "P-UNKNOWN", "10", "0"),
                                  ("payment", second.reference, "50.00", "0.30"),
                                  ("payment", second.reference, "50.00", "0.30"),
                                  ("refund", first.reference, "100.00", "0")])
        settlement.action_import()
        self.assertEqual(settlement.line_ids.mapped("status"),
                         ["mismatch", "unknown", "matched", "duplicate", "unknown"])
        self.assertIn("99", settlement.line_ids[0].message)
        with self.assertRaisesRegex(UserError, "4 line"):
            settlement.action_post()
        self.assertFalse(settlement.move_id)

    def test_only_accountants(self):
        clerk = self.company_user("settlement-clerk", "charge_base.group_charge_user")
        settlement = self.full_report()
        with self.assertRaises(AccessError):
            settlement.with_user(clerk).action_import()
        with self.assertRaises(AccessError):
            self.env["charge.payment.settlement"].with_user(clerk).create({
                "provider_id": self.provider.id, "journal_id": self.bank.id, "company_id": self.company.id})
