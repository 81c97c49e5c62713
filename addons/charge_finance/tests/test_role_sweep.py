"""The role sweep: every screen of the charge apps as a Charging User (the clerk), a Charging Manager and
the Charging Accountant, the way the web client loads it, and every button of every form they open there.

For each role, every menu of the charge addons the role sees opens its action as ``/web/action/load``
does and loads each of its views: ``get_views`` (in zh_CN), the list/kanban/calendar records with the
fields of the arch (and the list's Export, for the clerks allowed to export), the graph/pivot groups,
every filter and every "group by" of the search view, the form of the first record (or a new one), the
toolbar's wizards, server actions and reports. Then, on every form opened that way, every button the
role's view shows (the server already strips those of groups the role is not in; the ``invisible``
conditions are evaluated on the record) is pressed as ``/web/dataset/call_button`` does, on a record per
state, inside a savepoint rolled back afterwards: the device commands it queues are published as after
the commit (on a fake bus), the window action it returns is opened, a wizard's own buttons are pressed
after saving it (when its defaults fill its required fields).

A clear, translated UserError (or ValidationError) is a fine outcome for a button; an AccessError, a
MissingError, a crash, a bad group by, a missing field, an English message, or a button of the
accountant (who only reads) changing a record they may only read, is a failure: the test lists every one
of them, naming the role, the menu, the action, the view and the button."""
import logging
import re
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, MissingError, RedirectWarning, UserError
from odoo.fields import Command
from odoo.service.model import call_kw
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import datetime as safe_datetime, dateutil, safe_eval, time as safe_time

from odoo.addons.charge_device.tests.common import FakePublisher

from .common import ChargeFinanceCase

_logger = logging.getLogger(__name__)
CHARGE_ADDONS = ("charge_base", "charge_device", "charge_billing", "charge_member", "charge_finance")
LANG = "zh_CN"
CJK = re.compile(r"[\u4e00-\u9fff]")
RELATIONAL = ("many2one", "one2many", "many2many")
# records of a model whose buttons are pressed: one per state, at most this many
RECORDS_PER_MODEL = 6


class ReadOnlyChanged(Exception):
    """A button changed a record its user may only read (through an action writing as superuser)."""


class Problems(list):
    def add(self, where, exc):
        self.append(f"{where}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:400])


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestRoleSweep(ChargeFinanceCase):
    """The finance scenario (a commissioned pile on the bus, a time-of-use tariff with its versions, wallets,
    the generic chart of accounts), swept as a clerk, a Charging Manager and an accountant of its company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang(LANG)
        cls.env["ir.module.module"]._load_module_terms(list(CHARGE_ADDONS), [LANG])
        common = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        # the operator's accountant: the Charging Accountant group only, as the demo's accountant
        cls.accountant = new_test_user(cls.env, login="sweep_accountant",
                                       groups="charge_finance.group_charge_accountant", **common)
        cls.roles = {"clerk": cls.user, "manager": cls.manager, "accountant": cls.accountant}
        # the clerks allowed to export (Odoo's opt-in group): the Export of every list is swept too (not the
        # accountant's: reading the orders, not their stations, piles and connectors, they cannot export them)
        for user in (cls.user, cls.manager):
            user.group_ids = [Command.link(cls.env.ref("base.group_allow_export").id)]

    def make_scenario(self):
        """A card and a lost one, a wallet with its ledger, a completed order paid from it, an unpaid order, an
        abnormal order, a running order and a reservation: a record of each kind a clerk or an accountant opens."""
        Card = self.env["charge.card"]
        Card.create({"name": "CARD1001", "partner_id": self.li.id, "company_id": self.company.id})
        lost = Card.create({"name": "CARD1002", "partner_id": self.wang.id, "company_id": self.company.id})
        lost.action_report_lost()
        self.li_wallet._recharge(100)
        unpaid = self.make_order(self.wang_wallet, electricity=5.0)
        unpaid._pay_from_wallet()
        completed = self.run_session(id_tag="CARD1001", start="2026-11-21 00:00", stop="2026-11-21 01:00")
        abnormal = self.run_session(id_tag="CARD1001", start="2026-11-21 02:00", meter_start=5000,
                                    samples=[("2026-11-21 02:30", 5500)], stop="2026-11-21 03:00", meter_stop=4001)
        self.connector1.status = "available"
        reservation = self.env["charge.reservation"].create({
            "connector_id": self.connector1.id, "partner_id": self.li.id, "id_tag": "CARD1001"})
        reservation.action_reserve()
        running = self.run_session(id_tag="CARD1001", connector=2, start="2026-11-21 11:00",
                                   samples=[("2026-11-21 11:30", 4000)], stop=None)
        self.assertEqual((completed.state, completed.payment_state), ("completed", "paid"))
        self.assertEqual((abnormal.state, running.state, unpaid.payment_state), ("abnormal", "charging", "unpaid"))
        self.assertEqual(lost.state, "lost")
        self.assertEqual(reservation.state, "reserved")
        self.assertTrue(self.li_wallet.transaction_ids)
        self.assertGreater(len(self.tou.version_ids), 0)

    def test_every_screen_and_button_as_each_role(self):
        self.make_scenario()
        problems = Problems()
        for role in self.roles:
            self.sweep(role, problems)
        self.assertFalse(problems, f"{len(problems)} error dialog(s):\n" + "\n".join(problems))

    def test_accountant_cannot_block_or_cancel_a_card(self):
        """The accountant reads the cards; reporting one lost or cancelling it (actions writing as superuser)
        stays with the clerks, over RPC too, and their form shows the accountant none of these buttons."""
        card = self.env["charge.card"].create({"name": "CARD1001", "partner_id": self.li.id,
                                               "company_id": self.company.id})
        for method in ("action_report_lost", "action_cancel"):
            with self.assertRaises(AccessError):
                call_kw(self.role_env("accountant")["charge.card"], method, [card.ids], {})
        self.assertEqual(card.state, "active")
        form = Form(card.with_user(self.accountant))
        buttons = {name for _kind, name, _context, _string in self.visible_buttons(form)}
        self.assertFalse(buttons & {"action_report_lost", "action_cancel", "action_open_replace", "action_found"})
        call_kw(self.role_env("clerk")["charge.card"], "action_report_lost", [card.ids], {})
        self.assertEqual(card.state, "lost")

    def test_sweep_reports_error_dialogs(self):
        """The sweep is no empty check: a button refused with an AccessError, one that crashes and one whose
        message is left in English are reported with the role and the button; a translated UserError is not."""
        Station = type(self.env["charge.station"])

        def refused(station):
            raise AccessError("不允许访问")

        def crashing(station):
            return {}["missing"]

        def english(station):
            raise UserError("Nothing to export.")

        def translated(station):
            raise UserError("该充电站无法停止运营。")

        problems = Problems()
        self.pressed, self.forms = 0, {}
        with patch.object(Station, "action_view_piles", refused), \
                patch.object(Station, "action_view_areas", crashing), \
                patch.object(Station, "action_export_qr_xlsx", english), \
                patch.object(Station, "action_stop", translated):
            self.press_buttons(self.role_env("clerk"), "charge.station", False, [("id", "=", self.station.id)],
                               "[clerk] stations", problems)
        report = "\n".join(problems)
        self.assertEqual(len(problems), 3, report)
        self.assertIn("[clerk] stations", report)
        self.assertRegex(report, r"button action_view_piles .*: AccessError")
        self.assertRegex(report, r"button action_view_areas .*: KeyError")
        self.assertRegex(report, r"button action_export_qr_xlsx .*\(untranslated message\): UserError")
        self.assertNotIn("action_stop", report)

    def test_sweep_runs_what_a_button_queues_for_the_commit(self):
        """A device command is published after the commit, and its outcome recorded then: the sweep runs that
        too, so that recording it with the clerk's rights (issue 12: 访问错误 on every command) is reported."""
        Command = type(self.env["charge.device.command"])

        def publish_as_the_user(command):
            ids = command.env.cr.postcommit.data.pop("charge_device.commands", [])
            command.browse(ids).write({"state": "sent"})

        publish_as_the_user.__name__ = "_publish_committed"
        problems = Problems()
        self.pressed, self.forms = 0, {}
        with patch.object(Command, "_publish_committed", publish_as_the_user):
            self.press_buttons(self.role_env("clerk"), "charge.pile", False, [("id", "=", self.pile.id)],
                               "[clerk] piles", problems)
        self.assertRegex("\n".join(problems), r"button action_sync_clock .*: AccessError")

    # the sweep --------------------------------------------------------------------------------------------

    def sweep(self, role, problems):
        env = self.role_env(role)
        self.forms = {}  # (model, view id) -> (where it was opened from, the action's domain)
        self.pressed = 0
        menus = self.charge_menus(env)
        for menu in menus:
            where = f"[{role}] menu {menu.complete_name!r}"
            action_ref = menu.sudo().action
            if action_ref:
                self.load_action(env, action_ref._name, action_ref.id, where, problems)
        for (model, view_id), (where, domain) in list(self.forms.items()):
            if True:
                self.press_buttons(env, model, view_id, domain, f"[{role}] form of {model} ({where})", problems)
        _logger.info("role sweep as the %s: %d menus, %d forms, %d buttons pressed", role, len(menus),
                     len(self.forms), self.pressed)

    def role_env(self, role):
        """The environment of a request of the web client in Chinese, as ``role``."""
        user = self.roles[role]
        return self.env(user=user, context={"lang": LANG, "allowed_company_ids": [self.company.id], "uid": user.id})

    def charge_menus(self, env):
        data = self.env["ir.model.data"].sudo().search([("model", "=", "ir.ui.menu"),
                                                        ("module", "in", CHARGE_ADDONS)])
        visible = env["ir.ui.menu"]._visible_menu_ids()
        return self.env["ir.ui.menu"].browse(sorted(set(data.mapped("res_id")) & set(visible)))

    def eval_context(self, env, active=None):
        context = {"uid": env.uid, "user": env.user, "allowed_company_ids": [self.company.id],
                   "current_company_id": self.company.id,
                   "active_id": active.id if active else False, "active_ids": active.ids if active else [],
                   "active_model": active._name if active else False,
                   "context_today": lambda: date.today(), "current_date": date.today().strftime("%Y-%m-%d"),
                   "datetime": safe_datetime, "time": safe_time, "relativedelta": dateutil.relativedelta.relativedelta,
                   "dateutil": dateutil}
        context["context"] = dict(env.context)
        return context

    def evaluate(self, text, env, active=None, default=None):
        if not isinstance(text, str):
            return text if text is not None else default
        if not text.strip():
            return default
        return safe_eval(text, self.eval_context(env, active))

    def step(self, where, problems, function, *args, accept_user_error=False):
        """Runs ``function(*args)`` in a savepoint always rolled back; an exception is a problem,
        a translated UserError only if not ``accept_user_error``. Returns the result (None if it failed)."""
        savepoint = self.env.cr.savepoint()
        try:
            return function(*args)
        except (AccessError, MissingError) as exc:
            problems.add(where, exc)
        except RedirectWarning:
            if not accept_user_error:
                raise
        except UserError as exc:
            if not accept_user_error:
                problems.add(where, exc)
            elif not CJK.search(str(exc)):
                problems.add(where + " (untranslated message)", exc)
        except Exception as exc:  # noqa: BLE001 - any other exception is an error dialog
            problems.add(where, exc)
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all(flush=False)
            self.env.cr.postcommit.clear()  # what a rolled back step queued for after the commit
        return None

    # actions -----------------------------------------------------------------------------------------------

    def load_action(self, env, action_type, action_id, where, problems, active=None):
        """/web/action/load, then the action's views."""
        action = self.env[action_type].sudo().browse(action_id)
        values = action._get_action_dict() if action_type == "ir.actions.act_window" else action.read()[0]
        self.run_action(env, values, f"{where} > action {values.get('name')!r}", problems, active)

    def run_action(self, env, action, where, problems, active=None, accept_user_error=False, wizards=True):
        kind = action.get("type")
        if kind == "ir.actions.act_window":
            self.step(where, problems, self.open_window, env, action, where, problems, active, wizards,
                      accept_user_error=accept_user_error)
        elif kind == "ir.actions.server":
            result = self.step(where + " (run)", problems, self.run_server_action, env, action["id"], active,
                               accept_user_error=True)
            if isinstance(result, dict):
                self.run_action(env, result, where, problems, active, accept_user_error=True)
        elif kind == "ir.actions.report" and active:
            self.step(where + " (render)", problems, self.render_report, env, action["id"], active)

    def run_server_action(self, env, action_id, active):
        context = {"active_id": active.id, "active_ids": active.ids, "active_model": active._name} if active else {}
        return env["ir.actions.server"].with_context(**context).browse(action_id).run()

    def render_report(self, env, report_id, records):
        report = env["ir.actions.report"].browse(report_id)
        return env["ir.actions.report"]._render_qweb_html(report.report_name, records.ids)

    def open_window(self, env, action, where, problems, active=None, wizards=True):
        model = action["res_model"]
        context = self.evaluate(action.get("context"), env, active, {}) or {}
        domain = self.evaluate(action.get("domain"), env, active, []) or []
        Model = env[model].with_context(**context)
        modes = (action.get("view_mode") or "list,form").split(",")
        views = list(action.get("views") or [[False, mode] for mode in modes])
        views.append([action.get("search_view_id") and action["search_view_id"][0], "search"])
        loaded = Model.get_views(views, {"toolbar": True, "load_filters": True, "action_id": action.get("id")})
        fields = loaded["models"][model]["fields"]
        arch = {kind: etree.fromstring(view["arch"]) for kind, view in loaded["views"].items()}
        groupbys = self.search_view(Model, arch.get("search"), fields, context, domain, where, problems)
        first = Model.browse()
        for view_id, kind in views:
            label = f"{where} > {kind} view"
            if kind in ("list", "kanban", "calendar"):
                spec = self.fields_spec(arch[kind], fields)
                if kind == "calendar":
                    for attribute in ("date_start", "date_stop", "color"):
                        if arch[kind].get(attribute):
                            spec[arch[kind].get(attribute)] = {}
                result = self.step(label, problems, Model.web_search_read, domain, spec, 0, 80)
                if result and result["records"] and not first:
                    first = Model.browse(result["records"][0]["id"])
                if result and result["records"] and kind == "list" and env.user.has_group("base.group_allow_export"):
                    # the Export button of the list, with the list's columns
                    records = Model.browse([values["id"] for values in result["records"]])
                    self.step(f"{label} export", problems, records.export_data, [name for name in spec if name != "id"])
                default = arch[kind].get("default_group_by")
                for groupby in ([default] if default else []) + groupbys[:1]:
                    self.step(f"{label} grouped by {groupby}", problems, Model.web_read_group, domain, [groupby],
                              ["__count"])
            elif kind in ("graph", "pivot"):
                rows = [f"{node.get('name')}:{node.get('interval')}" if node.get("interval") else node.get("name")
                        for node in arch[kind].iter("field") if node.get("type") in ("row", "col")]
                measures = [f"{node.get('name')}:{fields[node.get('name')].get('aggregator') or 'sum'}"
                            for node in arch[kind].iter("field") if node.get("type") == "measure"]
                for groupby in ([rows] if rows else []) + [[groupby] for groupby in groupbys]:
                    self.step(f"{label} by {groupby}", problems, Model.formatted_read_group, domain, groupby,
                              ["__count", *measures])
            elif kind == "form":
                view = view_id or False
                if action.get("target") == "new" or action.get("res_id"):
                    record = Model.browse(action["res_id"]) if action.get("res_id") else Model
                    form = self.step(label, problems, Form, record, view, accept_user_error=True)
                    if form is not None and wizards and not record and action.get("target") == "new":
                        self.press_wizard(env, lambda record=record, view=view: Form(record, view), label, problems)
                elif first:
                    self.step(label, problems, Form, first, view)
                    self.forms.setdefault((model, view), (where, domain))
                elif Model.has_access("create") and arch[kind].get("create") not in ("0", "false", "False"):
                    # an empty list: the user's next click is "New"
                    self.step(label + " (new)", problems, Form, Model, view)
        # the toolbar: the wizards of the Action menu and the reports of the Print menu
        sample = first or (active if active and active._name == model else None)
        for kind, view in loaded["views"].items():
            for binding in (view.get("toolbar") or {}).get("action", []) + (view.get("toolbar") or {}).get("print", []):
                if sample and binding.get("type") in ("ir.actions.act_window", "ir.actions.report",
                                                      "ir.actions.server"):
                    self.load_action(env, binding["type"], binding["id"], f"{where} > {kind} toolbar", problems,
                                     active=sample)
            break  # every view of the action has the same toolbar

    def search_view(self, Model, arch, fields, context, domain, where, problems):
        """Every filter's domain and every group by of the search view; returns the action's default group bys."""
        if arch is None:
            return []
        defaults = list(context.get("group_by") or []) if not isinstance(context.get("group_by"), str) \
            else [context["group_by"]]
        for node in arch.iter("filter"):
            name = node.get("name")
            label = f"{where} > search filter {name or node.get('string')!r}"
            try:
                filter_context = self.evaluate(node.get("context"), Model.env, None, {}) or {}
                filter_domain = self.evaluate(node.get("domain"), Model.env, None, []) or []
            except Exception as exc:  # noqa: BLE001
                problems.add(label + " (evaluation)", exc)
                continue
            groupby = filter_context.get("group_by")
            if groupby:
                groupby = [groupby] if isinstance(groupby, str) else list(groupby)
                # the web client groups a date by month unless the filter says otherwise
                groupby = [f"{name}:month" if ":" not in name and fields.get(name, {}).get("type") in
                           ("date", "datetime") else name for name in groupby]
                self.step(label, problems, Model.web_read_group, domain, groupby[:1], ["__count"])
                if name and context.get(f"search_default_{name}"):
                    defaults += groupby
            elif filter_domain:
                self.step(label, problems, Model.search_count, domain + list(filter_domain))
        return defaults

    def fields_spec(self, arch, fields):
        spec = {}
        for node in arch.iter("field"):
            if any(parent.tag == "field" for parent in node.iterancestors()):
                continue
            name = node.get("name")
            if name in fields:
                spec[name] = {"fields": {"display_name": {}}} if fields[name]["type"] in RELATIONAL else {}
        return spec

    # buttons -------------------------------------------------------------------------------------------------

    def candidates(self, Model, domain):
        records = Model.search(domain, limit=200, order="id desc")
        if "state" not in Model._fields:
            return records[:2]
        chosen, states = Model.browse(), set()
        for record in records:
            if record.state not in states:
                states.add(record.state)
                chosen |= record
        return chosen[:RECORDS_PER_MODEL]

    def press_buttons(self, env, model, view_id, domain, where, problems):
        Model = env[model]
        try:
            candidates = self.candidates(Model, domain)
        except Exception as exc:  # noqa: BLE001
            problems.add(where + " (search)", exc)
            return
        for record in candidates:
            form = self.step(f"{where} record {record.id}", problems, Form, record, view_id)
            if form is None:
                continue
            for kind, name, context, string in self.visible_buttons(form):
                label = f"{where} record {record.display_name!r} ({getattr(record.sudo(), 'state', '')}) " \
                        f"button {name} {string!r}"
                self.pressed += 1
                if kind == "object":
                    self.step(label, problems, self.press, env, record, name, context, label, problems,
                              accept_user_error=True)
                else:
                    self.step(label, problems, self.press_action, env, record, int(name), label, problems,
                              accept_user_error=True)

    def visible_buttons(self, form):
        """(type, name, context, string) of the buttons of the form the user sees (the server removed those of
        groups the user is not in), the ``invisible`` conditions evaluated on the form's values."""
        eval_context = form._get_eval_context()
        for button in form._view["tree"].iter("button"):
            if any(parent.tag == "field" for parent in button.iterancestors()):
                continue  # a button of a line, in the list of a one2many
            kind, name = button.get("type"), button.get("name")
            if kind not in ("object", "action") or not name:
                continue
            try:
                if safe_eval(button.get("invisible") or "False", eval_context):
                    continue
            except Exception:  # noqa: BLE001 - a condition on a field the view does not load: show it
                pass
            try:
                context = safe_eval(button.get("context") or "{}", eval_context)
            except Exception:  # noqa: BLE001
                context = {}
            yield kind, name, context, button.get("string")

    def press_wizard(self, env, open_form, where, problems):
        """The buttons of a wizard: the web client saves it (unless a required field is empty, which it asks
        for first), then calls the button on the saved record."""
        form = open_form()
        for kind, name, context, string in self.visible_buttons(form):
            if kind == "object":
                label = f"{where} > wizard button {name} {string!r}"
                self.pressed += 1
                self.step(label, problems, self.save_and_press, env, open_form, name, context, label, problems,
                          accept_user_error=True)

    def save_and_press(self, env, open_form, method, context, where, problems):
        form = open_form()
        try:
            record = form.save()
        except AssertionError:
            return  # a required field is empty: the web client asks for it, no request
        self.press(env, record, method, context, where, problems, wizard=True)

    def press(self, env, record, method, context, label, problems, wizard=False):
        """/web/dataset/call_button, then the action it returns (a wizard's buttons too, not a wizard's
        wizard's)."""
        # the web client sends its whole context (language, companies) with the button's
        # the accountant (no Charging User) only reads: a button of theirs that changes a record they may only
        # read is an action writing as superuser without checking who calls it
        read_only = not record._transient and not env.user.has_group("charge_base.group_charge_user") \
            and not env[record._name].has_access("write")
        before = read_only and self.snapshot(record)
        result = call_kw(env[record._name], method, [[record.id]], {"context": {**env.context, **context}})
        self.publish_queued_commands()
        if read_only and self.snapshot(record) != before:
            raise ReadOnlyChanged(f"{env.user.login} may only read {record._name} but the button changed {record}")
        if isinstance(result, dict) and result.get("type"):
            self.run_nested(env, result, label, problems, record, wizard)

    def snapshot(self, record):
        self.env.flush_all()
        record = record.with_env(self.env)
        record.invalidate_recordset()
        names = [name for name, field in record._fields.items()
                 if field.store and field.type not in ("binary", "one2many", "many2many")]
        return record.read(names)

    def publish_queued_commands(self):
        """The device commands a button queued are published after the commit, and their outcome recorded
        (issue 12: as the clerk, which failed): run that as Odoo does after the request, on a fake bus."""
        Command = type(self.env["charge.device.command"])
        for callback in [func for func in self.env.cr.postcommit._funcs if func.__name__ == "_publish_committed"]:
            self.env.cr.postcommit._funcs.remove(callback)
            with self.enter_registry_test_mode(), patch.object(Command, "_publisher", return_value=FakePublisher()):
                callback()

    def press_action(self, env, record, action_id, label, problems):
        action = self.env["ir.actions.actions"].sudo().browse(action_id)
        values = self.env[action.type].sudo().browse(action_id)
        values = values._get_action_dict() if action.type == "ir.actions.act_window" else values.read()[0]
        self.run_nested(env, values, label, problems, record, False)

    def run_nested(self, env, action, label, problems, record, wizard):
        # the savepoint of the button is open: these steps use their own, nested
        nested = Problems()
        self.run_action(env, action, label + " > returned action", nested, active=record, accept_user_error=True,
                        wizards=not wizard)
        problems.extend(nested)
