import json
from decimal import Decimal
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import BaseCase, HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.charge_finance.tests.common import ChargeFinanceCase

from ..models.payment_provider import NOTIFY_ROUTE
from ..models.payment_transaction import POLL_AFTER
from ..tools import wechatpay_v3
from ..tools.wechatpay_v3 import WeChatPayError
from .wechatpay_fake import FakeWeChatPay, _key, _private_pem, _public_pem, verify

LOGGER = "odoo.addons.charge_payment_wechatpay.controllers.main"


@tagged("post_install", "-at_install")
class TestWeChatPay(ChargeFinanceCase, HttpCase):
    """A member recharges online with WeChat Pay, against a local WeChat Pay
    that signs and encrypts like the real one (tests/wechatpay_fake.py):
    every request the provider makes is signed with the merchant's key, and
    only genuine notifications credit a wallet, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.currency_id = cls.env.ref("base.CNY")  # the only currency WeChat Pay takes
        cls.fake = FakeWeChatPay().start()
        cls.addClassCleanup(cls.fake.stop)
        method = cls.env.ref("payment.payment_method_wechat_pay")
        cls.provider = cls.env["payment.provider"].create({
            "name": "WeChat Pay", "code": "wechatpay", "state": "test", "company_id": cls.company.id,
            "payment_method_ids": [Command.set(method.ids)], **cls.fake.provider_values()})
        method.active = True  # once a provider takes it
        cls.li.sudo().wechatpay_openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"

    def setUp(self):
        super().setUp()
        self.fake.requests.clear()

    def start(self, amount="100"):
        order, transaction = self.env["charge.payment.order"]._charge_start_recharge(
            self.li_wallet, Decimal(amount), self.provider)
        return order, transaction

    def prepaid(self, amount="100"):
        order, transaction = self.start(amount)
        transaction._get_processing_values()
        return order, transaction

    def post(self, headers, body):
        return self.url_open(NOTIFY_ROUTE, data=body.encode(), headers=headers)

    # orders -----------------------------------------------------------------------------

    def test_the_order_is_signed_and_gives_the_mini_program_its_signed_parameters(self):
        order, transaction = self.start("100")
        values = transaction._get_processing_values()
        placed = self.fake.orders[transaction.reference]
        self.assertEqual(self.fake.requests, [("POST", "/v3/pay/transactions/jsapi", True)])
        self.assertEqual((placed["amount"], placed["payer"]["openid"]),
                         ({"total": 10000, "currency": "CNY"}, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"))
        self.assertTrue(placed["notify_url"].endswith(NOTIFY_ROUTE))
        self.assertEqual((values["appId"], values["package"], values["signType"]),
                         (self.fake.appid, f"prepay_id={placed['prepay_id']}", "RSA"))
        signed = f"{values['appId']}\n{values['timeStamp']}\n{values['nonceStr']}\n{values['package']}\n"
        self.assertTrue(verify(self.fake.merchant_key.public_key(), values["paySign"], signed),
                        "wx.requestPayment gets a payment signed with the merchant's key")
        self.assertEqual(order.state, "draft", "nothing is paid before WeChat Pay says so")

    def test_a_request_not_signed_with_the_merchants_key_is_refused(self):
        self.provider.sudo().wechatpay_private_key = _private_pem(_key())
        _order, transaction = self.start("10")
        with self.assertRaisesRegex(ValidationError, "签名错误"), mute_logger(
                "odoo.addons.charge_payment_wechatpay.models.payment_transaction"):
            transaction._get_processing_values()
        self.assertEqual(self.fake.requests, [("POST", "/v3/pay/transactions/jsapi", False)])

    def test_a_company_in_another_currency_cannot_use_wechat_pay(self):
        self.company.currency_id = self.env.ref("base.USD")
        with self.assertRaisesRegex(UserError, "does not take payments in USD"):
            self.start("10")

    def test_a_member_without_openid_cannot_pay_with_wechat(self):
        self.li.sudo().wechatpay_openid = False
        _order, transaction = self.start("10")
        with self.assertRaisesRegex(ValidationError, "OpenID"):
            transaction._get_processing_values()
        self.assertFalse(self.fake.requests, "nothing is sent")

    # notifications ----------------------------------------------------------------------

    def test_the_same_notification_three_times_credits_the_wallet_once(self):
        order, transaction = self.prepaid("100")
        paid = self.fake.pay(transaction.reference)
        headers, body = self.fake.notification(transaction.reference)
        for _attempt in range(3):
            response = self.post(headers, body)
            self.assertEqual(response.status_code, 204)
        self.assertEqual((transaction.state, transaction.provider_reference), ("done", paid["transaction_id"]))
        self.assertEqual((order.state, self.li_wallet.withdrawable_balance), ("done", 100.0))
        lines = self.env["charge.wallet.transaction"].search([("payment_order_id", "=", order.id)])
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines.reference, paid["transaction_id"])

    def test_forged_notifications_are_refused_and_credit_nothing(self):
        order, transaction = self.prepaid("100")
        self.fake.pay(transaction.reference)
        reference = transaction.reference
        forged = {
            "another signing key": self.fake.notification(reference, key=_key()),
            "an unknown key id": self.fake.notification(reference, serial="PUB_KEY_ID_UNKNOWN"),
            "a replayed (old) notification": self.fake.notification(reference, timestamp=1_700_000_000),
            "another APIv3 key": self.fake.notification(reference, apiv3_key="0" * 32),
        }
        for what, (headers, body) in forged.items():
            with self.subTest(what), mute_logger(LOGGER):
                self.assertEqual(self.post(headers, body).status_code, 401)
        headers, body = self.fake.notification(reference)
        tampered = json.loads(body)
        tampered["event_type"] = "REFUND.SUCCESS"
        with mute_logger(LOGGER):
            self.assertEqual(self.post(headers, json.dumps(tampered)).status_code, 401, "a body changed in transit")
        resource = {**self.fake.resource(reference), "mchid": "1999999999"}
        with mute_logger(LOGGER):
            self.assertEqual(self.post(*self.fake.notification(reference, resource=resource)).status_code, 400)
        self.assertEqual((transaction.state, order.state, self.li_wallet.balance), ("draft", "draft", 0.0))

    def test_a_payment_of_another_amount_is_refused(self):
        order, transaction = self.prepaid("100")
        self.fake.pay(transaction.reference)
        self.assertEqual(self.post(*self.fake.notification(transaction.reference, total=1)).status_code, 204)
        self.assertEqual((transaction.state, order.state, self.li_wallet.balance), ("error", "error", 0.0))
        self.assertIn("doesn't match", order.state_message)

    def test_a_closed_order_is_cancelled(self):
        order, transaction = self.prepaid("50")
        self.fake.pay(transaction.reference, state="CLOSED")
        self.assertEqual(self.post(*self.fake.notification(transaction.reference)).status_code, 204)
        self.assertEqual((transaction.state, order.state, self.li_wallet.balance), ("cancel", "cancel", 0.0))

    # queries ----------------------------------------------------------------------------

    def test_the_poll_asks_wechat_pay_about_payments_whose_notification_did_not_come(self):
        order, transaction = self.prepaid("66")
        Transaction = self.env["payment.transaction"]
        with freeze_time(transaction.create_date.replace(microsecond=0)), patch.object(
                self.env.cr, "commit", lambda: None):
            Transaction._cron_wechatpay_poll()  # too early: the notification may still come
        self.assertEqual(len(self.fake.requests), 1)
        self.fake.pay(transaction.reference)
        with freeze_time(transaction.create_date + POLL_AFTER * 2), patch.object(
                self.env.cr, "commit", lambda: None):
            Transaction._cron_wechatpay_poll()
        self.assertEqual(self.fake.requests[-1][0:2],
                         ("GET", f"/v3/pay/transactions/out-trade-no/{transaction.reference}"))
        self.assertEqual((transaction.state, order.state, self.li_wallet.balance), ("done", "done", 66.0))


@tagged("post_install", "-at_install")
class TestWeChatPayTools(BaseCase):
    """The pure part (tools/wechatpay_v3.py) on the fake's keys."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeWeChatPay()

    def client(self):
        fake = self.fake
        return wechatpay_v3.client(fake.mchid, fake.appid, fake.merchant_serial, _private_pem(fake.merchant_key),
                                   fake.apiv3_key, _public_pem(fake.platform_key), fake.public_key_id,
                                   notify_url="https://example.com/notify", gateway="http://127.0.0.1:9")

    def test_amounts_in_fen(self):
        self.assertEqual([wechatpay_v3.to_fen(value) for value in ("0.01", "100", "37.5", "0.005", 19.99)],
                         [1, 10000, 3750, 1, 1999])
        self.assertEqual(wechatpay_v3.from_fen(1999), Decimal("19.99"))

    def test_a_notification_is_read_only_when_genuine_and_recent(self):
        fake = self.fake
        fake.orders["P1"] = {"out_trade_no": "P1", "amount": {"total": 500, "currency": "CNY"},
                             "payer": {"openid": "o1"}, "trade_state": "SUCCESS", "transaction_id": "4200001"}
        pay = self.client()
        headers, body = fake.notification("P1", timestamp=1_800_000_000)
        event, resource = wechatpay_v3.read_notification(pay, fake.public_key_id, headers, body, now=1_800_000_100)
        self.assertEqual((event, resource["out_trade_no"], resource["amount"]["total"]),
                         ("TRANSACTION.SUCCESS", "P1", 500))
        with self.assertRaisesRegex(WeChatPayError, "too old"):
            wechatpay_v3.read_notification(pay, fake.public_key_id, headers, body, now=1_800_000_400)
        with self.assertRaisesRegex(WeChatPayError, "public key"):
            wechatpay_v3.read_notification(pay, "PUB_KEY_ID_OTHER", headers, body, now=1_800_000_100)
        with self.assertRaisesRegex(WeChatPayError, "signature"):
            wechatpay_v3.read_notification(pay, fake.public_key_id, headers, body[:-1] + " }", now=1_800_000_100)

    def test_wechats_refusals_keep_its_code_and_message(self):
        with self.assertRaises(WeChatPayError) as caught:
            wechatpay_v3.answer(400, json.dumps({"code": "PARAM_ERROR", "message": "参数错误"}))
        self.assertEqual((caught.exception.code, str(caught.exception)), ("PARAM_ERROR", "参数错误"))
        self.assertEqual(wechatpay_v3.answer(200, '{"prepay_id": "wx1"}'), {"prepay_id": "wx1"})
        with self.assertRaisesRegex(WeChatPayError, "cannot be loaded"):
            wechatpay_v3.client("1", "wx", "S", "not a key", "k" * 32, None, None)
