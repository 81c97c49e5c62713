"""The broker asks the platform who may log in and what each account may do:
for a broker cluster, where the access files of one machine do not reach
every node (EMQX 5's HTTP authentication and authorization, mosquitto with
mosquitto-go-auth's HTTP backend). Same accounts and rights as the files
(tools/broker_access.AccessRules, cached in charge.device.broker): a pile logs
in with its serial and its password, publishes only on {prefix}/{serial}/up
and subscribes only to {prefix}/{serial}/down; the platform's account reads
and writes under every prefix and subscribes through its shared group.

Requests (POST, JSON or form-encoded):

- /charge_device/broker/authenticate: username, password (clientid ignored);
- /charge_device/broker/authorize: username, topic, and action (EMQX:
  publish or subscribe) or acc (mosquitto-go-auth: 1 read, 2 write, 3 both,
  4 subscribe).

Answers 200 with ``{"result": "allow"|"deny", "is_superuser": false, "ok":
true|false}``: EMQX reads ``result``, mosquitto-go-auth (response mode json)
reads ``ok``. Anything not allowed is denied. A request without the shared
secret of ``broker_auth_secret`` ([charge_device] of odoo.conf) in the
``X-Charge-Broker-Secret`` header, or as the whole ``User-Agent`` (the only
header mosquitto-go-auth lets one set), is refused with 403 before anything
is read, and so is every request when no secret is configured.

The database is the request's (``X-Odoo-Database`` header, or Odoo's dbfilter
and monodb rules). No write, and no query once the rules are cached; the
route uses the primary database, never a replica that could lag behind a
pile just created, so that the cache is never filled with old piles."""
import hmac
import json
import logging

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Charge-Broker-Secret"
MAX_BODY = 8192  # bytes: a username, a password, a topic


class ChargeBrokerAuth(http.Controller):

    @http.route("/charge_device/broker/authenticate", type="http", auth="none", methods=["POST"],
                csrf=False, save_session=False, readonly=False)
    def authenticate(self, **_kwargs):
        params = self._broker_params()
        if params is None:
            return self._refuse()
        rules = request.env["charge.device.broker"].sudo()._access_rules()
        return self._answer(rules.authenticate(params.get("username"), params.get("password")))

    @http.route("/charge_device/broker/authorize", type="http", auth="none", methods=["POST"],
                csrf=False, save_session=False, readonly=False)
    def authorize(self, **_kwargs):
        params = self._broker_params()
        if params is None:
            return self._refuse()
        action = params.get("action", params.get("acc"))
        rules = request.env["charge.device.broker"].sudo()._access_rules()
        return self._answer(rules.authorize(params.get("username"), action, params.get("topic")))

    # ------------------------------------------------------------------------

    def _broker_params(self):
        """The request's parameters, or None when it is not the broker's (no
        or a wrong secret, no secret configured, no database, a body too big
        or unreadable)."""
        if not request.db:
            return None
        secret = request.env["charge.device.broker"].sudo()._file_config().broker_auth_secret
        if not secret or not self._secret_matches(secret):
            return None
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_BODY:
            return None
        if httprequest.mimetype == "application/json":
            try:
                params = json.loads(httprequest.get_data(cache=False)[:MAX_BODY] or b"{}")
            except ValueError:
                return None
            return params if isinstance(params, dict) else None
        return dict(httprequest.form)

    def _secret_matches(self, secret):
        """The secret in its header or as the whole User-Agent, compared in
        constant time (both compared, whichever matches)."""
        expected = secret.encode()
        headers = request.httprequest.headers
        matches = [hmac.compare_digest(expected, (headers.get(name) or "").encode())
                   for name in (SECRET_HEADER, "User-Agent")]
        return any(matches)

    def _answer(self, allowed):
        body = {"result": "allow" if allowed else "deny", "is_superuser": False, "ok": bool(allowed)}
        if not allowed:
            body["error"] = "denied"
        return request.make_json_response(body)

    def _refuse(self):
        _logger.warning("broker access request refused: no or a wrong shared secret (%s)",
                        request.httprequest.remote_addr)
        return request.make_json_response({"result": "deny", "ok": False, "error": "forbidden"}, status=403)
