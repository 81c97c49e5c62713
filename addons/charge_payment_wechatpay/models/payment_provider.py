from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import wechatpay_v3

SUPPORTED_CURRENCIES = ("CNY",)
DEFAULT_PAYMENT_METHOD_CODES = {"wechat_pay"}
NOTIFY_ROUTE = "/payment/wechatpay/notify"


class PaymentProvider(models.Model):
    """WeChat Pay, API v3, a merchant account in direct mode (直连商户):
    the merchant id, the mini-program's app id, the merchant's API
    certificate (its serial number and private key), the APIv3 key, and
    WeChat Pay's public key with its id (微信支付公钥), which verifies
    what WeChat Pay answers and notifies. The keys are readable by system
    administrators only."""
    _inherit = "payment.provider"

    code = fields.Selection(selection_add=[("wechatpay", "WeChat Pay")], ondelete={"wechatpay": "set default"})
    wechatpay_mchid = fields.Char(string="Merchant ID", required_if_provider="wechatpay", copy=False,
                                  help="商户号, e.g. 1230000109.")
    wechatpay_appid = fields.Char(string="App ID", required_if_provider="wechatpay", copy=False,
                                  help="The mini-program's AppID (wx...), bound to the merchant account.")
    wechatpay_cert_serial_no = fields.Char(
        string="Merchant Certificate Serial", required_if_provider="wechatpay", copy=False,
        groups="base.group_system", help="The serial number of the merchant's API certificate (商户API证书序列号).")
    wechatpay_private_key = fields.Text(
        string="Merchant Private Key", required_if_provider="wechatpay", copy=False, groups="base.group_system",
        help="apiclient_key.pem: the private key of the merchant's API certificate, in PEM.")
    wechatpay_apiv3_key = fields.Char(
        string="APIv3 Key", required_if_provider="wechatpay", copy=False, groups="base.group_system",
        help="The 32-character key that decrypts WeChat Pay's notifications (APIv3密钥).")
    wechatpay_public_key = fields.Text(
        string="WeChat Pay Public Key", required_if_provider="wechatpay", copy=False, groups="base.group_system",
        help="WeChat Pay's public key (微信支付公钥, pub_key.pem), which verifies its answers and notifications.")
    wechatpay_public_key_id = fields.Char(
        string="WeChat Pay Public Key ID", required_if_provider="wechatpay", copy=False, groups="base.group_system",
        help="PUB_KEY_ID_...: the id of WeChat Pay's public key.")
    wechatpay_gateway = fields.Char(
        string="Gateway", default=wechatpay_v3.GATEWAY, copy=False, groups="base.group_system",
        help="WeChat Pay's API address; change it only for a proxy.")

    @api.constrains("wechatpay_apiv3_key")
    def _check_wechatpay_apiv3_key(self):
        for provider in self.sudo().filtered(lambda p: p.code == "wechatpay" and p.wechatpay_apiv3_key):
            if len(provider.wechatpay_apiv3_key.encode()) != 32:
                raise ValidationError(self.env._("The APIv3 key of WeChat Pay has 32 characters."))

    def _get_supported_currencies(self):
        currencies = super()._get_supported_currencies()
        if self.code == "wechatpay":
            currencies = currencies.filtered(lambda currency: currency.name in SUPPORTED_CURRENCIES)
        return currencies

    def _get_default_payment_method_codes(self):
        self.ensure_one()
        if self.code != "wechatpay":
            return super()._get_default_payment_method_codes()
        return DEFAULT_PAYMENT_METHOD_CODES

    def _wechatpay_client(self):
        """The SDK's client of this merchant account (a WeChatPayError when its keys cannot be loaded)."""
        self.ensure_one()
        provider = self.sudo()
        return wechatpay_v3.client(
            provider.wechatpay_mchid, provider.wechatpay_appid, provider.wechatpay_cert_serial_no,
            provider.wechatpay_private_key, provider.wechatpay_apiv3_key, provider.wechatpay_public_key,
            provider.wechatpay_public_key_id, notify_url=provider.get_base_url().rstrip("/") + NOTIFY_ROUTE,
            gateway=provider.wechatpay_gateway)
