import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import wechatpay_v3
from ..tools.wechatpay_v3 import WeChatPayError

_logger = logging.getLogger(__name__)

# the transactions the poll asks WeChat Pay about: older than this (the notification may still come)...
POLL_AFTER = timedelta(minutes=2)
# ...and younger than this (a mini-program payment not made within a day never will be)
POLL_UNTIL = timedelta(days=1)


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _get_specific_processing_values(self, processing_values):
        """A mini-program (JSAPI) order at WeChat Pay, and what the
        mini-program passes to wx.requestPayment to pay it."""
        values = super()._get_specific_processing_values(processing_values)
        if self.provider_code != "wechatpay":
            return values
        return {**values, **self._wechatpay_prepay()}

    def _wechatpay_prepay(self):
        self.ensure_one()
        openid = self.partner_id.sudo().wechatpay_openid
        if not openid:
            raise ValidationError(self.env._("%s has no WeChat OpenID: WeChat Pay cannot charge them.",
                                             self.partner_id.display_name))
        provider = self.provider_id.sudo()
        try:
            pay = provider._wechatpay_client()
            data = wechatpay_v3.call(
                pay.pay, description=self._wechatpay_description(), out_trade_no=self.reference,
                amount={"total": wechatpay_v3.to_fen(self.amount), "currency": self.currency_id.name},
                payer={"openid": openid})
            if not data.get("prepay_id"):
                raise WeChatPayError("no prepay_id in the answer")
        except WeChatPayError as error:
            _logger.warning("WeChat Pay refused the order of transaction %s: %s (%s)", self.reference, error,
                            error.code)
            raise ValidationError(self.env._("WeChat Pay: %(error)s", error=str(error))) from error
        return wechatpay_v3.jsapi_params(pay, provider.wechatpay_appid, data["prepay_id"])

    def _wechatpay_description(self):
        """What the member's WeChat shows of the payment (127 bytes at most)."""
        name = (self.company_id.name or "").strip()
        text = f"{name} {self.reference}".strip()
        return text.encode()[:127].decode(errors="ignore")

    # Notifications and queries -----------------------------------------------------------------

    @api.model
    def _extract_reference(self, provider_code, payment_data):
        if provider_code != "wechatpay":
            return super()._extract_reference(provider_code, payment_data)
        return payment_data.get("out_trade_no")

    def _extract_amount_data(self, payment_data):
        """The amount paid, checked against the transaction's (a payment of
        another amount puts it in error); only a successful payment has one."""
        if self.provider_code != "wechatpay":
            return super()._extract_amount_data(payment_data)
        if payment_data.get("trade_state") != "SUCCESS":
            return None
        amount = payment_data.get("amount") or {}
        if not isinstance(amount.get("total"), int):
            return {"amount": None, "currency_code": None}
        return {"amount": float(wechatpay_v3.from_fen(amount["total"])), "currency_code": amount.get("currency"),
                "precision_digits": 2}

    def _apply_updates(self, payment_data):
        if self.provider_code != "wechatpay":
            return super()._apply_updates(payment_data)
        if payment_data.get("transaction_id"):
            self.provider_reference = payment_data["transaction_id"]
        trade_state = payment_data.get("trade_state")
        state = wechatpay_v3.TRADE_STATES.get(trade_state)
        message = payment_data.get("trade_state_desc") or trade_state
        if state == "done":
            self._set_done()
        elif state == "pending":
            self._set_pending(state_message=message)
        elif state == "cancel":
            self._set_canceled(state_message=message)
        else:
            _logger.warning("WeChat Pay: transaction %s in state %r", self.reference, trade_state)
            self._set_error(self.env._("WeChat Pay: %(state)s", state=message or "?"))

    def _wechatpay_query(self):
        """Ask WeChat Pay how each transaction stands, and process its answer."""
        for transaction in self.filtered(lambda tx: tx.provider_code == "wechatpay"):
            provider = transaction.provider_id.sudo()
            try:
                data = wechatpay_v3.call(provider._wechatpay_client().query, out_trade_no=transaction.reference)
            except WeChatPayError as error:
                _logger.info("WeChat Pay query of %s failed: %s (%s)", transaction.reference, error, error.code)
                continue
            if data.get("out_trade_no") != transaction.reference or data.get("mchid") != provider.wechatpay_mchid:
                _logger.warning("WeChat Pay answered the query of %s about another payment", transaction.reference)
                continue
            transaction._process("wechatpay", data)

    @api.model
    def _cron_wechatpay_poll(self):
        """The WeChat Pay transactions still waiting whose notification did not come: asked about."""
        now = fields.Datetime.now()
        waiting = self.search([("provider_code", "=", "wechatpay"), ("state", "in", ("draft", "pending")),
                               ("operation", "!=", "refund"), ("create_date", "<", now - POLL_AFTER),
                               ("create_date", ">", now - POLL_UNTIL)], limit=500)
        for transaction in waiting:
            transaction._wechatpay_query()
            self.env.cr.commit()
