from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.charge_base.tests.rpc import ChargeRpcMixin

from .common import ChargeFinanceCase

# the finance menus of the Invoicing app (the accountant's) and of the Charging app's Wallets menu
ACCOUNTING_MENUS = [
    "charge_finance.menu_account_charge_wallet_entries", "charge_finance.menu_account_charge_orders",
    "charge_finance.menu_account_charge_wallet_ledger", "charge_finance.menu_account_charge_card_loads",
    "charge_finance.menu_account_charge_orders_pending", "charge_finance.menu_account_charge_wallet_lines_pending",
    "charge_finance.menu_account_charge_wallet_recon", "charge_finance.menu_account_charge_order_recon",
    "charge_finance.menu_account_charge_post_pending", "charge_finance.menu_account_charge_wallet_reconciliation",
    "charge_finance.menu_account_charge_order_reconciliation",
]
CHARGING_MENUS = [
    "charge_finance.menu_charge_wallet_reconciliation", "charge_finance.menu_charge_order_reconciliation",
    "charge_finance.menu_charge_card_load", "charge_finance.menu_charge_wallet_post_pending",
]
X2MANY = ("one2many", "many2many")


def view_spec(node, model, models):
    """The web client's specification of the fields a view shows (the fields
    a group hides are not in the arch nor in the fields of get_views)."""
    spec = {}
    known = models[model]["fields"]
    for field_node in _field_nodes(node):
        name = field_node.get("name")
        field = known.get(name)
        if field is None:
            continue
        if field["type"] == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif field["type"] in X2MANY:
            subviews = [child for child in field_node if child.tag in ("list", "kanban")]
            spec[name] = {"fields": view_spec(subviews[0], field["relation"], models) if subviews
                          else {"display_name": {}}}
        else:
            spec[name] = {}
    return spec


def _field_nodes(node):
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "field":
            yield child
        else:
            yield from _field_nodes(child)


@tagged("post_install", "-at_install")
class TestAccountantPath(ChargeRpcMixin, ChargeFinanceCase, HttpCase):
    """The Charging Accountant (no charging group) reads, through the web
    client's calls, the wallet journal's entries with their journal items,
    every finance menu, the reconciliation reports down to the orders, and
    the links between the orders and their entries; a Charging Manager who is
    no accountant opens the finance menus he sees without an error."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(cls.env, login="charge_accountant",
                                       groups="charge_finance.group_charge_accountant",
                                       company_id=cls.company.id, company_ids=[cls.company.id])
        cls.li_wallet._recharge(100, reference="WX-0001")
        # an order of 16.60 paid from the member's wallet: booked by its wallet payment
        cls.paid = cls.make_order(cls, cls.li_wallet, electricity=11.3, service=5.3)
        cls.paid._pay_from_wallet()
        # a member order of 10.00 the member's empty wallet cannot pay: unpaid, booked by an entry of its own
        stop = fields.Datetime.now() - timedelta(minutes=5)
        cls.unpaid = cls.env["charge.order"].sudo().create({
            "pile_id": cls.pile.id, "connector_id": cls.connector1.id, "partner_id": cls.wang.id,
            "start_method": "card",
        })
        cls.unpaid.write({"amount_electricity": 7.0, "amount_service": 3.0, "amount_total": 10.0,
                          "start_date": stop - timedelta(hours=1), "stop_date": stop,
                          "wallet_id": cls.wang_wallet.id, "payment_state": "to_pay"})
        cls.unpaid._complete()

    # the web client's calls ------------------------------------------------------------------

    def load_action(self, user, action):
        """The action of a menu or a button, as the web client loads it."""
        self.authenticate(user.login, user.login)
        if isinstance(action, (int, str)):
            action = self.make_jsonrpc_request("/web/action/load", {"action_id": action})
        return action

    def get_views(self, user, model, views):
        result = self.rpc(user, model, "get_views", views, options={"load_filters": True, "toolbar": True})
        return {view_type: (etree.fromstring(view["arch"]), result["models"])
                for view_type, view in result["views"].items()}

    def open_window(self, user, action):
        """Load the views of a window action, search its records with the
        first view and read the first record with its form view; returns
        (records' values, form values, the views)."""
        model = action["res_model"]
        if not action.get("views"):
            action = {**action, "views": [[False, mode] for mode in action["view_mode"].split(",")]}
        views = [list(view) for view in action["views"]]
        if not any(view_type == "search" for _id, view_type in views):
            views.append([action.get("search_view_id") and action["search_view_id"][0] or False, "search"])
        loaded = self.get_views(user, model, views)
        first_type = action["views"][0][1]
        values = {"uid": user.id, "allowed_company_ids": user.company_ids.ids, "context": {}}
        context = action.get("context") or {}
        if isinstance(context, str):
            context = safe_eval(context, values)
        domain = action.get("domain") or []
        if isinstance(domain, str):
            domain = safe_eval(domain, {**values, "context": context})
        records, form = [], None
        if action.get("res_id"):
            ids = [action["res_id"]]
        elif first_type in ("list", "kanban"):
            arch, models = loaded[first_type]
            records = self.rpc(user, model, "web_search_read", domain, view_spec(arch, model, models),
                               limit=80, context={**context, "lang": user.lang})["records"]
            ids = [record["id"] for record in records]
        else:
            ids = self.rpc(user, model, "search", domain, limit=1)
        if ids and "form" in loaded:
            arch, models = loaded["form"]
            form = self.rpc(user, model, "web_read", ids[:1], view_spec(arch, model, models))[0]
        return records, form, loaded

    def shown(self, user, xmlid):
        """Whether the web client shows the menu ``xmlid`` to ``user``: the menu and its parents are visible."""
        visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        menu = self.env.ref(xmlid)
        return all(int(menu_id) in visible for menu_id in menu.parent_path.strip("/").split("/"))

    def open_menu(self, user, xmlid):
        menu = self.env.ref(xmlid)
        self.assertTrue(self.shown(user, xmlid), f"{xmlid} is shown to {user.login}")
        action = self.load_action(user, menu.action.id)
        if action["type"] == "ir.actions.server":
            self.authenticate(user.login, user.login)
            action = self.make_jsonrpc_request("/web/action/run", {"action_id": action["id"]})
            if not (action and action.get("type") == "ir.actions.act_window"):
                return None, None, None
        return self.open_window(user, action)

    def call_button(self, user, model, method, ids):
        self.authenticate(user.login, user.login)
        return self.make_jsonrpc_request("/web/dataset/call_button", {
            "model": model, "method": method, "args": [ids], "kwargs": {},
        })

    # the tests -------------------------------------------------------------------------------------

    def test_the_accountant_reads_the_wallet_entries_with_their_journal_items(self):
        records, form, loaded = self.open_menu(self.accountant, "charge_finance.menu_account_charge_wallet_entries")
        wallet_moves = self.env["account.move"].search([("journal_id", "=", self.company.charge_wallet_journal_id.id)])
        self.assertEqual({record["id"] for record in records}, set(wallet_moves.ids))
        arch, models = loaded["form"]
        spec = view_spec(arch, "account.move", models)
        self.assertIn("line_ids", spec, "the Journal Items tab is shown to the accountant")
        self.assertIn("debit", spec["line_ids"]["fields"])
        self.assertIn("credit", spec["line_ids"]["fields"])
        self.assertTrue(arch.xpath("//button[@name='action_view_charge_orders']"))
        payment = self.paid.charge_entry_ids
        self.assertEqual(len(payment), 1)
        entry = self.rpc(self.accountant, "account.move", "web_read", payment.ids, spec)[0]
        items = entry["line_ids"]
        self.assertEqual(round(sum(item["debit"] for item in items), 2), 16.6)
        self.assertEqual(round(sum(item["credit"] for item in items), 2), 16.6)
        self.assertEqual(sorted(item["tax_line_id"]["display_name"] for item in items if item.get("tax_line_id")),
                         ["VAT 13%", "VAT 6%"], "the output VAT of the fee components is posted")
        self.assertEqual(entry["charge_order_count"], 1)

    def test_an_invoicing_user_alone_sees_no_journal_items(self):
        """Why the accountant needs the group: Odoo shows the Journal Items tab to the accounting readers only."""
        clerk = new_test_user(self.env, login="charge_invoicing", groups="account.group_account_invoice",
                              company_id=self.company.id, company_ids=[self.company.id])
        arch, models = self.get_views(clerk, "account.move", [[False, "form"]])["form"]
        self.assertNotIn("line_ids", view_spec(arch, "account.move", models))
        arch, models = self.get_views(self.accountant, "account.move", [[False, "form"]])["form"]
        self.assertIn("line_ids", view_spec(arch, "account.move", models))

    def test_every_finance_menu_opens_for_the_accountant(self):
        for xmlid in ACCOUNTING_MENUS:
            with self.subTest(menu=xmlid):
                self.open_menu(self.accountant, xmlid)
        self.assertFalse(self.shown(self.accountant, "charge_base.menu_charge_root"),
                         "the accountant works in the Invoicing app")

    def test_a_charging_manager_opens_the_finance_menus_he_sees(self):
        shown = [xmlid for xmlid in ACCOUNTING_MENUS + CHARGING_MENUS if self.shown(self.manager, xmlid)]
        self.assertEqual(sorted(shown), sorted(CHARGING_MENUS[:3]))
        for xmlid in shown:
            with self.subTest(menu=xmlid):
                records, _form, loaded = self.open_menu(self.manager, xmlid)
                arch = loaded["list"][0]
                # the drill-downs to journal items are an accountant's: hidden, never an error
                self.assertFalse(arch.xpath("//button[@name='action_view_move_lines' or "
                                            "@name='action_view_revenue_items' or "
                                            "@name='action_view_receivable_items']"))
                model = self.env.ref(xmlid).action.res_model
                for record in records:
                    for button in arch.xpath("//button[@type='object']"):
                        self.open_window(self.manager,
                                         self.call_button(self.manager, model, button.get("name"), [record["id"]]))

    def test_the_accountant_drills_from_the_order_reconciliation_to_the_orders_and_their_entries(self):
        records, _form, loaded = self.open_menu(self.accountant, "charge_finance.menu_account_charge_order_recon")
        month = fields.Date.to_string(fields.Date.context_today(self.unpaid, self.unpaid.stop_date).replace(day=1))
        row = next(record for record in records if record["month"] == month)
        for method in ("action_view_orders", "action_view_unpaid_orders", "action_view_revenue_items",
                       "action_view_receivable_items"):
            with self.subTest(button=method):
                self.assertTrue(loaded["list"][0].xpath(f"//button[@name='{method}']"))
                orders, form, _loaded = self.open_window(
                    self.accountant, self.call_button(self.accountant, "charge.order.reconciliation", method,
                                                      [row["id"]]))
                self.assertTrue(orders)
        orders, form, loaded = self.open_window(
            self.accountant, self.call_button(self.accountant, "charge.order.reconciliation", "action_view_unpaid_orders",
                                              [row["id"]]))
        self.assertEqual([order["id"] for order in orders], self.unpaid.ids)
        self.assertEqual(form["charge_entry_count"], 1)
        arch = loaded["form"][0]
        self.assertFalse(arch.xpath("//button[@name='action_stop' or @name='action_open_handle' or "
                                    "@name='action_mark_abnormal' or @name='action_view_session']"),
                         "the accountant only reads orders")
        self.assertIn(arch.xpath("//form")[0].get("edit"), ("false", "False"), "no write access: a read-only form")
        # the order's Entries button opens its entry, whose Charging Orders button comes back to the order
        _records, entry, loaded = self.open_window(
            self.accountant, self.call_button(self.accountant, "charge.order", "action_view_charge_entries",
                                              self.unpaid.ids))
        self.assertEqual(entry["id"], self.unpaid.sudo().charge_move_ids.id)
        self.assertTrue(entry["line_ids"])
        _records, order, _loaded = self.open_window(
            self.accountant, self.call_button(self.accountant, "account.move", "action_view_charge_orders",
                                              [entry["id"]]))
        self.assertEqual(order["id"], self.unpaid.id)

    def test_orders_and_entries_link_both_ways(self):
        payment_entry = self.env["charge.wallet.transaction"].search([("order_id", "=", self.paid.id)]).move_ids
        self.assertEqual(len(payment_entry), 1)
        self.assertFalse(self.paid.charge_move_ids, "a paid order is booked by its wallet payment")
        self.assertEqual(self.paid.with_user(self.accountant).charge_entry_ids, payment_entry)
        self.assertEqual(payment_entry.with_user(self.accountant).charge_order_ids, self.paid)
        self.assertEqual(self.unpaid.with_user(self.accountant).charge_entry_ids, self.unpaid.charge_move_ids)
        self.assertEqual(self.unpaid.charge_move_ids.with_user(self.accountant).charge_order_ids, self.unpaid)
        recharge = self.env["charge.wallet.transaction"].search([("wallet_id", "=", self.li_wallet.id),
                                                                 ("type", "=", "recharge")])
        self.assertFalse(recharge.move_ids.charge_order_ids)
        # a clerk's order form has no Entries button; the accountant's one opens the payment entry
        entries = self.call_button(self.accountant, "charge.order", "action_view_charge_entries", self.paid.ids)
        self.assertEqual(entries["res_id"], payment_entry.id)
        arch, _models = self.get_views(self.user, "charge.order", [[False, "form"]])["form"]
        self.assertFalse(arch.xpath("//button[@name='action_view_charge_entries']"))
        self.assertTrue(arch.xpath("//button[@name='action_stop']"))
