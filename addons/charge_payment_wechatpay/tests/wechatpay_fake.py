"""A local WeChat Pay (API v3) for the tests: it signs and encrypts as the
real one does, with keys generated for each run, and answers on 127.0.0.1.

- the merchant's API certificate key (its private half goes to the
  provider, the fake verifies each request's Authorization header with the
  public half) and WeChat Pay's own key (the fake signs its answers and
  notifications with the private half, the provider verifies them with the
  public half and its id);
- ``POST /v3/pay/transactions/jsapi`` (a mini-program order: a prepay id),
  ``GET /v3/pay/transactions/out-trade-no/<reference>`` (its state);
- ``pay(reference)`` makes an order paid as a member would, and
  ``notification(reference)`` gives the headers and body of its payment
  notification (resource encrypted with AEAD_AES_256_GCM and the APIv3 key).

Nothing here imports Odoo.
"""
import json
import secrets
import threading
import time
import uuid
from base64 import b64decode, b64encode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _private_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _public_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def sign(key, text):
    return b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(public_key, signature, text):
    try:
        public_key.verify(b64decode(signature), text.encode(), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


class FakeWeChatPay:
    def __init__(self, mchid="1900000109", appid="wxd678efh567hg6787"):
        self.mchid, self.appid = mchid, appid
        self.merchant_key, self.platform_key = _key(), _key()
        self.merchant_serial = secrets.token_hex(20).upper()
        self.public_key_id = "PUB_KEY_ID_" + secrets.token_hex(16).upper()
        self.apiv3_key = secrets.token_hex(16)  # 32 characters
        self.orders = {}  # out_trade_no -> order
        self.requests = []  # (method, path, authorised) of every request
        self.server = None

    # what the operator types into the provider
    def provider_values(self):
        return {"wechatpay_mchid": self.mchid, "wechatpay_appid": self.appid,
                "wechatpay_cert_serial_no": self.merchant_serial,
                "wechatpay_private_key": _private_pem(self.merchant_key), "wechatpay_apiv3_key": self.apiv3_key,
                "wechatpay_public_key": _public_pem(self.platform_key),
                "wechatpay_public_key_id": self.public_key_id, "wechatpay_gateway": self.url}

    # server ---------------------------------------------------------------------------

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handle(self, handler, method):
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        parts = urlsplit(handler.path)
        authorised = self._authorised(method, handler.path, body, handler.headers.get("Authorization", ""))
        self.requests.append((method, parts.path, authorised))
        if not authorised:
            return self._answer(handler, 401, {"code": "SIGN_ERROR", "message": "签名错误"})
        if method == "POST" and parts.path == "/v3/pay/transactions/jsapi":
            return self._jsapi(handler, json.loads(body))
        prefix = "/v3/pay/transactions/out-trade-no/"
        if method == "GET" and parts.path.startswith(prefix):
            order = self.orders.get(parts.path[len(prefix):])
            if not order or parse_qs(parts.query).get("mchid") != [self.mchid]:
                return self._answer(handler, 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
            return self._answer(handler, 200, self.resource(order["out_trade_no"]))
        return self._answer(handler, 404, {"code": "NOT_FOUND", "message": "not found"})

    def _authorised(self, method, path, body, authorization):
        """The merchant's signature of the request, as WeChat Pay checks it."""
        if not authorization.startswith(SIGNATURE_TYPE + " "):
            return False
        fields = dict(item.split("=", 1) for item in authorization[len(SIGNATURE_TYPE) + 1:].split(","))
        fields = {key.strip(): value.strip('"') for key, value in fields.items()}
        if fields.get("mchid") != self.mchid or fields.get("serial_no") != self.merchant_serial:
            return False
        if abs(time.time() - int(fields.get("timestamp", 0))) > 300:
            return False
        text = f"{method}\n{path}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body}\n"
        return verify(self.merchant_key.public_key(), fields.get("signature", ""), text)

    def _jsapi(self, handler, data):
        if data.get("mchid") != self.mchid or data.get("appid") != self.appid:
            return self._answer(handler, 400, {"code": "PARAM_ERROR", "message": "mchid与appid不匹配"})
        if data["out_trade_no"] in self.orders:
            return self._answer(handler, 400, {"code": "OUT_TRADE_NO_USED", "message": "商户订单号重复"})
        prepay_id = "wx" + uuid.uuid4().hex
        self.orders[data["out_trade_no"]] = {
            "out_trade_no": data["out_trade_no"], "amount": data["amount"], "payer": data["payer"],
            "description": data["description"], "notify_url": data["notify_url"], "prepay_id": prepay_id,
            "trade_state": "NOTPAY", "transaction_id": None}
        return self._answer(handler, 200, {"prepay_id": prepay_id})

    def _answer(self, handler, status, data):
        body = json.dumps(data, ensure_ascii=False)
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in self.signed_headers(body).items():
            handler.send_header(name, value)
        encoded = body.encode()
        handler.send_header("Content-Length", str(len(encoded)))
        handler.end_headers()
        handler.wfile.write(encoded)

    # WeChat Pay's side ---------------------------------------------------------------

    def signed_headers(self, body, timestamp=None, key=None, serial=None):
        timestamp = str(int(timestamp if timestamp is not None else time.time()))
        nonce = uuid.uuid4().hex
        return {"Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce,
                "Wechatpay-Signature": sign(key or self.platform_key, f"{timestamp}\n{nonce}\n{body}\n"),
                "Wechatpay-Serial": serial or self.public_key_id, "Wechatpay-Signature-Type": SIGNATURE_TYPE}

    def pay(self, reference, state="SUCCESS"):
        """The member pays (or the order ends in ``state``)."""
        order = self.orders[reference]
        order["trade_state"] = state
        if state == "SUCCESS":
            order["transaction_id"] = order["transaction_id"] or "42000" + secrets.token_hex(12)
        return order

    def resource(self, reference, total=None):
        order = self.orders[reference]
        amount = {"total": order["amount"]["total"] if total is None else total,
                  "currency": order["amount"]["currency"]}
        resource = {"mchid": self.mchid, "appid": self.appid, "out_trade_no": reference,
                    "trade_type": "JSAPI", "trade_state": order["trade_state"],
                    "trade_state_desc": {"SUCCESS": "支付成功", "NOTPAY": "未支付", "CLOSED": "已关闭"}.get(
                        order["trade_state"], order["trade_state"]),
                    "payer": {"openid": order["payer"]["openid"]}, "amount": amount}
        if order["transaction_id"]:
            resource.update(transaction_id=order["transaction_id"], success_time="2026-12-07T10:00:00+08:00",
                            bank_type="OTHERS")
            amount.update(payer_total=amount["total"], payer_currency=amount["currency"])
        return resource

    def notification(self, reference, total=None, timestamp=None, key=None, serial=None, apiv3_key=None,
                     resource=None):
        """(headers, body) of the payment notification of ``reference``, as
        WeChat Pay posts it; the arguments forge one (another amount, an old
        timestamp, another signing key or key id, another APIv3 key)."""
        resource = resource or self.resource(reference, total)
        nonce = secrets.token_hex(6)  # 12 characters
        ciphertext = AESGCM((apiv3_key or self.apiv3_key).encode()).encrypt(
            nonce.encode(), json.dumps(resource, ensure_ascii=False).encode(), b"transaction")
        body = json.dumps({
            "id": str(uuid.uuid4()), "create_time": "2026-12-07T10:00:01+08:00", "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
            "resource": {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
                         "ciphertext": b64encode(ciphertext).decode(), "associated_data": "transaction",
                         "nonce": nonce},
        }, ensure_ascii=False)
        headers = {"Content-Type": "application/json", **self.signed_headers(body, timestamp, key, serial)}
        return headers, body
