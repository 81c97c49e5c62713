from odoo.tests.common import JsonRpcException, new_test_user


class ChargeRpcMixin:
    """Calls as a logged-in user through the web client's RPC endpoint, the way a hostile client would:
    whatever the views show or hide, only the server's rules stand between the caller and the data."""

    @classmethod
    def make_outsider(cls):
        """``cls.other``, a company of its own, and ``cls.outsider``, its Charging Manager: another tenant's staff."""
        cls.other = cls.env["res.company"].create({"name": "Other Charging Co"})
        cls.outsider = new_test_user(cls.env, login="charge_outsider", groups="charge_base.group_charge_manager",
                                     company_id=cls.other.id, company_ids=[cls.other.id])

    def rpc(self, user, model, method, *args, **kwargs):
        self.authenticate(user.login, user.login)
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": list(args), "kwargs": kwargs,
        })

    def assertRpcRefused(self, user, model, method, *args, error="AccessError", **kwargs):
        with self.assertRaises(JsonRpcException) as caught:
            self.rpc(user, model, method, *args, **kwargs)
        self.assertIn(error, str(caught.exception))
