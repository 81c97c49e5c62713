import logging

from odoo import http
from odoo.http import request

from odoo.addons.charge_finance.models.payment_provider import ENABLED_PROVIDER_STATES

from ..models.payment_provider import NOTIFY_ROUTE
from ..tools import wechatpay_v3
from ..tools.wechatpay_v3 import WeChatPayError

_logger = logging.getLogger(__name__)


class WeChatPayController(http.Controller):

    @http.route(NOTIFY_ROUTE, type="http", auth="public", methods=["POST"], csrf=False, save_session=False)
    def wechatpay_notify(self):
        """A payment notification of WeChat Pay (API v3). Only a genuine one
        is processed: signed with the public key of an enabled WeChat Pay
        provider, recent, decrypted with its APIv3 key, for its merchant and
        app. Answered 204 once processed (WeChat Pay then stops resending
        it; a resent one changes nothing), 401 when not genuine, 500 when it
        could not be processed (WeChat Pay sends it again later)."""
        body = request.httprequest.get_data(as_text=True)
        headers = dict(request.httprequest.headers)
        serial = wechatpay_v3.header(headers, "Wechatpay-Serial")
        providers = request.env["payment.provider"].sudo().search([("code", "=", "wechatpay"),
                                                                   ("state", "in", ENABLED_PROVIDER_STATES)])
        provider = providers.filtered(lambda p: serial and p.wechatpay_public_key_id == serial)[:1]
        if not provider:
            _logger.warning("WeChat Pay notification refused: no enabled provider has the key %r", serial)
            return self._fail(401, "unknown key")
        try:
            event, resource = wechatpay_v3.read_notification(
                provider._wechatpay_client(), provider.wechatpay_public_key_id, headers, body)
        except WeChatPayError as error:
            _logger.warning("WeChat Pay notification refused: %s", error)
            return self._fail(401, str(error))
        if resource.get("mchid") != provider.wechatpay_mchid or resource.get("appid") != provider.wechatpay_appid:
            _logger.warning("WeChat Pay notification refused: merchant %r / app %r are not the provider's",
                            resource.get("mchid"), resource.get("appid"))
            return self._fail(400, "merchant or app unknown")
        Transaction = request.env["payment.transaction"].sudo()
        transaction = Transaction._search_by_reference("wechatpay", resource).filtered(
            lambda tx: tx.provider_id == provider)
        if not transaction:
            _logger.warning("WeChat Pay notification %s of an unknown payment %r acknowledged", event,
                            resource.get("out_trade_no"))
            return request.make_response("", status=204)
        _logger.info("WeChat Pay notification %s for %s: %s", event, transaction.reference, resource.get("trade_state"))
        transaction._process("wechatpay", resource)
        return request.make_response("", status=204)

    @staticmethod
    def _fail(status, message):
        return request.make_json_response({"code": "FAIL", "message": message}, status=status)
