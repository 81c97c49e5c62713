"""What the platform needs of WeChat Pay API v3, on the ``wechatpayv3`` SDK
(PyPI, maintained): the client of a merchant account, amounts in fen, the
states of a payment, the check of a notification. No Odoo here.

The SDK signs every request with the merchant's private key, verifies every
answer and notification with WeChat Pay's public key (the "platform public
key" mode: no certificate download), and decrypts the notifications'
resources with the APIv3 key. Two things it leaves to its caller are done
here: the age of a notification (a replayed one is refused: its signed
timestamp must be within ``MAX_SKEW``), and the gateway, which the SDK
hard-codes (a sandbox, a proxy or the tests' local fake server set it).
"""
import json
import time
from decimal import ROUND_HALF_UP, Decimal

GATEWAY = "https://api.mch.weixin.qq.com"
MAX_SKEW = 300  # seconds between a notification's signed timestamp and now
TIMEOUT = 20  # seconds to connect, and to wait for each read

# trade_state -> payment.transaction state
TRADE_STATES = {
    "SUCCESS": "done",
    "REFUND": "done",  # paid, then refunded (the refund is a transaction of its own)
    "NOTPAY": "pending",
    "USERPAYING": "pending",
    "ACCEPT": "pending",
    "CLOSED": "cancel",
    "REVOKED": "cancel",
    "PAYERROR": "error",
}


class WeChatPayError(Exception):
    """A request WeChat Pay refused or that could not be made, or a notification that is not genuine."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


def to_fen(amount):
    """A yuan amount (a Decimal, a float or a text) in fen, as WeChat Pay counts."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_fen(fen):
    return Decimal(int(fen)) / 100


def client(mchid, appid, cert_serial_no, private_key, apiv3_key, public_key, public_key_id, notify_url=None,
           gateway=GATEWAY):
    """The SDK's client of a merchant account, for mini-program payments."""
    from wechatpayv3 import WeChatPay, WeChatPayType

    try:
        pay = WeChatPay(wechatpay_type=WeChatPayType.MINIPROG, mchid=mchid, private_key=private_key,
                        cert_serial_no=cert_serial_no, appid=appid, apiv3_key=apiv3_key, notify_url=notify_url,
                        timeout=TIMEOUT, public_key=public_key, public_key_id=public_key_id)
    except Exception as error:  # noqa: BLE001 - the SDK raises bare Exceptions for bad keys
        raise WeChatPayError(f"the merchant's keys cannot be loaded: {error}") from error
    pay._core._gate_way = (gateway or GATEWAY).rstrip("/")  # the SDK has no parameter for it
    return pay


def answer(code, message):
    """The JSON of an SDK call's answer, or a WeChatPayError with WeChat's own code and message."""
    try:
        data = json.loads(message) if isinstance(message, (str, bytes)) and message else {}
    except ValueError:
        data = {}
    if not 200 <= code < 300:
        raise WeChatPayError(data.get("message") or f"HTTP {code}", data.get("code") or str(code))
    return data


def call(method, *args, **kwargs):
    """An SDK call, its failures (network, signature of the answer) as WeChatPayError."""
    try:
        code, message = method(*args, **kwargs)
    except WeChatPayError:
        raise
    except Exception as error:  # noqa: BLE001 - requests' errors and the SDK's bare Exceptions
        raise WeChatPayError(f"{type(error).__name__}: {error}") from error
    return answer(code, message)


def jsapi_params(pay, appid, prepay_id, timestamp=None, nonce=None):
    """What the mini-program passes to wx.requestPayment, signed with the merchant's key."""
    import uuid

    timestamp = str(int(timestamp if timestamp is not None else time.time()))
    nonce = nonce or uuid.uuid4().hex.upper()
    package = f"prepay_id={prepay_id}"
    return {"appId": appid, "timeStamp": timestamp, "nonceStr": nonce, "package": package, "signType": "RSA",
            "paySign": pay.sign([appid, timestamp, nonce, package])}


def header(headers, name):
    """A header of a notification, whatever its case."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def read_notification(pay, public_key_id, headers, body, now=None):
    """(event type, decrypted resource) of a genuine notification, or a
    WeChatPayError: the key it is signed with (only WeChat Pay's public key
    ``public_key_id``: another serial would make the SDK download
    certificates), the signature, the age of the signed timestamp, and the
    decryption (APIv3 key) are all checked."""
    headers = {key.lower(): value for key, value in headers.items()}
    if headers.get("wechatpay-serial") != public_key_id:
        raise WeChatPayError("the notification is not signed with WeChat Pay's public key")
    try:
        timestamp = int(headers.get("wechatpay-timestamp") or "")
    except ValueError:
        raise WeChatPayError("the notification has no timestamp") from None
    if abs((now if now is not None else time.time()) - timestamp) > MAX_SKEW:
        raise WeChatPayError("the notification is too old or from the future (replayed?)")
    try:
        data = pay.callback(headers, body)
    except Exception as error:  # noqa: BLE001 - the SDK raises bare Exceptions for unknown algorithms
        raise WeChatPayError(f"the notification cannot be read: {error}") from error
    if not data:
        raise WeChatPayError("the notification's signature or encryption is not WeChat Pay's")
    resource = data.get("resource")
    if not isinstance(resource, dict):
        raise WeChatPayError("the notification carries no resource")
    return data.get("event_type"), resource
