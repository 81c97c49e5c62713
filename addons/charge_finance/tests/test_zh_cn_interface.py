"""No English is left in the zh_CN interface of the charge menus.

Walks, in zh_CN, every menu of the charge addons, every window action they
define or open (each view type of it, with its search view and its Action
menu entries) and every other view of the charge addons (wizards, views
opened by buttons), as the web client loads them (``get_views``), and
collects what a user reads there: the labels, help texts, placeholders and
selection values of the fields shown, the strings, titles, confirmations and
texts of the views (buttons, pages, groups, filters), the action and menu
names. A text is left in English when it holds a latin word and no Chinese;
codes, units and proper names are allowed (ALLOWED). tests/test_translations.py
checks that the .po files translate every exported term; this test checks what
is shown, Odoo's own terms included, and catches a msgstr left in English.
"""
import re

from lxml import etree

from odoo.tests.common import TransactionCase, tagged

LANG = "zh_CN"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_@./:+-]*")
# codes, units, protocols, formats and proper names a Chinese interface keeps in latin letters
ALLOWED = {
    "kW", "kWh", "Wh", "W", "V", "A", "kV", "kVA", "h", "min", "s", "km", "SoC", "VIN", "QR", "OCPP", "ID", "Id",
    "URL", "MQTT", "XLSX", "CSV", "PDF", "API", "AC", "DC", "GB/T", "CCS", "CCS1", "CCS2", "CHAdeMO", "IC",
    "RFID", "NFC", "SN", "TLS", "IP", "VAT", "Odoo", "UTC", "JSON", "HTTP", "HTTPS", "TOU", "EV", "e.g.", "ISO",
    "IEC", "Type", "GB", "T", "CNY", "RMB", "SMS", "App", "APP", "PIN", "OK", "No.", "Tesla", "NACS", "Wi-Fi",
    "OpenStreetMap", "v",
}
# attributes of view nodes whose value a user reads
TEXT_ATTRIBUTES = ("string", "help", "placeholder", "title", "confirm", "sum", "avg", "aria-label")
# nodes whose text is not shown as such
SKIPPED_NODES = {"script", "style", "code", "pre"}


def untranslated(text):
    """True when ``text`` is a label left in English: a latin word that is not
    a code, unit or proper name (no digit, no path), and no Chinese."""
    if not text or CJK.search(text):
        return False
    return any(word.rstrip(".:") not in ALLOWED and word not in ALLOWED
               and not re.search(r"[0-9@/_]", word) and not word.startswith("http") and re.search("[A-Za-z]", word)
               for word in WORD.findall(text))


ALWAYS_HIDDEN = ("1", "True", "true")


def _node_name(node):
    return f"<{node.tag}{' name=' + repr(node.get('name')) if node.get('name') else ''}>"


def arch_texts(arch, model=None, models=None):
    """(model, field name or None, where, text) of what a user reads in a
    view's arch: the texts and text attributes of its nodes, and the label,
    help and selection values of the fields it shows (``models``: the fields
    of get_views per model)."""
    root = etree.fromstring(arch.encode() if isinstance(arch, str) else arch)
    yield from _node_texts(root, model, models or {}, root.tag == "kanban")


def _node_texts(node, model, models, card):
    """``card``: in a kanban card, where fields show their values, not their labels."""
    if not isinstance(node.tag, str) or node.get("invisible") in ALWAYS_HIDDEN \
            or node.get("column_invisible") in ALWAYS_HIDDEN:
        return
    where = _node_name(node)
    for attribute in TEXT_ATTRIBUTES:
        value = node.get(attribute)
        # the string of a view's root node is not shown (the action's name is)
        if value and not (attribute in ("sum", "avg") and value in ALWAYS_HIDDEN) \
                and not (attribute == "string" and node.getparent() is None):
            yield model, None, f"{where} {attribute}", value
    fields = models.get(model, {})
    child_model = model
    if node.tag in ("field", "label") and (node.get("name") or node.get("for")) in fields:
        fname = node.get("name") or node.get("for")
        description = fields[fname]
        if not node.get("string") and not card:
            yield model, fname, f"{where} label", description.get("string")
        if node.tag == "field":
            if description.get("help") and not node.get("help") and not card:
                yield model, fname, f"{where} help", description["help"]
            for value, label in description.get("selection") or ():
                yield model, fname, f"{where} selection value {value!r}", label
            if description.get("relation") and len(node):
                child_model = description["relation"]
    if node.tag not in SKIPPED_NODES and not any(name in node.attrib for name in ("t-esc", "t-out", "t-raw")):
        if node.text and node.text.strip():
            yield model, None, f"{where} text", node.text.strip()
    for child in node:
        yield from _node_texts(child, child_model, models, card if child_model == model else child.tag == "kanban")
        if child.tail and child.tail.strip():
            yield model, None, f"text after {_node_name(child)}", child.tail.strip()


@tagged("post_install", "-at_install")
class TestZhCnInterface(TransactionCase):
    """Every text of the charge menus is Chinese in a zh_CN database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Module = cls.env["ir.module.module"]
        cls.charge_modules = Module.search([("name", "=like", "charge\\_%"), ("state", "=", "installed")])
        lang = cls.env["res.lang"].with_context(active_test=False).search([("code", "=", LANG)])
        if not lang.active:
            # a test database without the language: what `make run` loads
            cls.env["res.lang"]._activate_lang(LANG)
            Module.search([("state", "=", "installed")])._update_translations([LANG])
        # the charge addons' terms as the .po files have them now
        cls.charge_modules._update_translations([LANG], overwrite=True)
        cls.env.registry.clear_all_caches()
        cls.addClassCleanup(cls.env.registry.clear_all_caches)
        cls.zh = cls.env(context={"lang": LANG})
        names = cls.charge_modules.mapped("name")
        cls.xmlids = cls.zh["ir.model.data"].search([("module", "in", names)])
        cls.charge_ids = {d.res_id for d in cls.xmlids if d.model.startswith("ir.actions.")}

    def _records(self, model):
        data = self.xmlids.filtered(lambda d: d.model == model)
        return {d.res_id: f"{d.module}.{d.name}" for d in data}

    def _is_charge(self, model, fname=None):
        """A charge model, or a charge addon's field of another model."""
        if model.startswith("charge."):
            return True
        field = self.env[model]._fields.get(fname) if fname else None
        return bool(field and (field._module or "").startswith("charge_"))

    @classmethod
    def _charge_view_texts(cls):
        """The English texts of the charge addons' own views."""
        if not hasattr(cls, "_view_texts"):
            views = cls.env["ir.ui.view"].with_context(lang="en_US").browse(
                [d.res_id for d in cls.xmlids if d.model == "ir.ui.view"])
            cls._view_texts = {text for view in views if view.arch_db
                               for _model, _fname, _where, text in arch_texts(view.arch_db)}
        return cls._view_texts

    def _shown_english(self, model, fname, where, text):
        """Whether ``text`` shown at ``where`` of a view of ``model`` is an
        English text the charge addons own: their models' texts, their fields,
        their views' texts in views of other models."""
        if not untranslated(text):
            return False
        if fname and where.endswith(f"selection value {text!r}"):
            # a code shown as such by a dynamic selection (time zones)
            field = self.env[model]._fields.get(fname)
            if field is not None and not isinstance(field.selection, list):
                return False
        if self._is_charge(model, fname):
            return True
        return not fname and text in self._charge_view_texts()

    def _check_views(self, where, model, views, problems, action=None):
        result = self.zh[model].get_views(views, {"toolbar": True, "action_id": action and action.id})
        models = {name: info["fields"] for name, info in result["models"].items()}
        for view_type, view in result["views"].items():
            here = f"{where} {model} {view_type} view {view.get('id')}"
            for node_model, fname, node, text in arch_texts(view["arch"], model, models):
                if self._shown_english(node_model, fname, node, text):
                    problems.append(f"{here}: {node_model if node_model != model else ''} {node} {text!r}")
            for key, bindings in (view.get("toolbar") or {}).items():
                for binding in bindings:
                    if binding["id"] in self.charge_ids and untranslated(binding.get("name")):
                        problems.append(f"{here}: {key} menu entry {binding['name']!r}")

    def _report(self, what, problems):
        unique = sorted(set(problems))
        if unique:
            self.fail(f"{len(unique)} English text(s) left in the zh_CN {what} (add them to the addon's "
                      "i18n/zh_CN.po):\n" + "\n".join(unique))

    def test_detector(self):
        """What the walk reads, and what it takes for English."""
        for text in ("Charging Station", "Stopped Remotely", "NoError", "Remote"):
            self.assertTrue(untranslated(text), text)
        for text in ("充电站", "功率 (kW)", "kWh", "CARD0001", "SoC (%)", "https://example.com/qr", "", None):
            self.assertFalse(untranslated(text), text)
        models = {"charge.session": {
            "stop_reason_label": {"string": "Stop Reason", "help": "Why", "type": "selection",
                                  "selection": [("Remote", "Stopped Remotely")]},
            "pile_id": {"string": "桩", "type": "many2one", "relation": "charge.pile"}},
            "charge.pile": {"serial": {"string": "Serial", "type": "char"}}}
        arch = """<form><header><button name="a" string="Stop" confirm="Sure?"/></header>
            <sheet><group string="When"><field name="stop_reason_label"/></group>
            <field name="pile_id"><list><field name="serial"/></list></field>
            <field name="stop_reason_label" string="原因" invisible="1"/>
            <page string="页"><span>Live</span> 千瓦</page></sheet></form>"""
        found = {(model, where, text) for model, _fname, where, text in arch_texts(arch, "charge.session", models)}
        self.assertEqual(found, {
            ("charge.session", "<button name='a'> string", "Stop"),
            ("charge.session", "<button name='a'> confirm", "Sure?"),
            ("charge.session", "<group> string", "When"),
            ("charge.session", "<field name='stop_reason_label'> label", "Stop Reason"),
            ("charge.session", "<field name='stop_reason_label'> help", "Why"),
            ("charge.session", "<field name='stop_reason_label'> selection value 'Remote'", "Stopped Remotely"),
            ("charge.session", "<field name='pile_id'> label", "桩"),
            ("charge.pile", "<field name='serial'> label", "Serial"),
            ("charge.session", "<page> string", "页"),
            ("charge.session", "<span> text", "Live"),
            ("charge.session", "text after <span>", "千瓦"),
        })

    def test_menus_are_chinese(self):
        problems = []
        menus = self.zh["ir.ui.menu"].browse(list(self._records("ir.ui.menu")))
        self.assertTrue(menus)
        xmlids = self._records("ir.ui.menu")
        for menu in menus:
            if untranslated(menu.name):
                problems.append(f"menu {xmlids[menu.id]}: {menu.name!r}")
            if menu.action and untranslated(menu.action.sudo().name):
                problems.append(f"menu {xmlids[menu.id]}: action {menu.action.name!r}")
        self._report("menus", problems)

    def test_actions_and_their_views_are_chinese(self):
        problems = []
        xmlids = self._records("ir.actions.act_window")
        menus = self.zh["ir.ui.menu"].browse(list(self._records("ir.ui.menu")))
        actions = self.zh["ir.actions.act_window"].browse(list(xmlids))
        actions |= self.zh["ir.actions.act_window"].browse(
            [m.action.id for m in menus if m.action and m.action._name == "ir.actions.act_window"])
        self.assertTrue(actions)
        for action in actions:
            where = f"action {xmlids.get(action.id) or action.id} ({action.name})"
            if untranslated(action.name):
                problems.append(f"{where}: name {action.name!r}")
            if action.help:
                for _model, _fname, node, text in arch_texts(f"<div>{action.help}</div>"):
                    if untranslated(text):
                        problems.append(f"{where}: help {node} {text!r}")
            views = [(view.view_id.id, view.view_mode) for view in action.view_ids]
            types = {view_type for _id, view_type in views}
            if action.view_id and action.view_id.type not in types:
                views.append((action.view_id.id, action.view_id.type))
                types.add(action.view_id.type)
            views += [(False, view_type) for view_type in action.view_mode.split(",") if view_type not in types]
            views.append((action.search_view_id.id, "search"))
            self._check_views(where, action.res_model, views, problems, action=action)
        self._report("window actions", problems)

    def test_every_charge_view_is_chinese(self):
        """Wizards and views opened by buttons: every view of the charge addons,
        rendered as its model's complete view."""
        problems = []
        xmlids = self._records("ir.ui.view")
        views = self.zh["ir.ui.view"].browse(list(xmlids))
        self.assertTrue(views)
        for view in views:
            root = view
            while root.inherit_id and root.mode != "primary":
                root = root.inherit_id
            if root.type in ("qweb",) or root.model not in self.env:
                continue
            self._check_views(f"view {xmlids[view.id]}", root.model, [(root.id, root.type)], problems)
        self._report("views", problems)
