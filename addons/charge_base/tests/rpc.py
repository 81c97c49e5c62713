from odoo.tests.common import JsonRpcException


class ChargeRpcMixin:
    """Calls as a logged-in user through the web client's RPC endpoint, the way a hostile client would:
    whatever the views show or hide, only the server's rules stand between the caller and the data."""

    def rpc(self, user, model, method, *args, **kwargs):
        self.authenticate(user.login, user.login)
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": list(args), "kwargs": kwargs,
        })

    def assertRpcRefused(self, user, model, method, *args, error="AccessError", **kwargs):
        with self.assertRaises(JsonRpcException) as caught:
            self.rpc(user, model, method, *args, **kwargs)
        self.assertIn(error, str(caught.exception))
