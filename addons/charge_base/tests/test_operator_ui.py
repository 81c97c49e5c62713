"""What an operator sees first: the app a clerk lands in, what the platform names by
itself in the operator's language, the demo operator's data, list sums with the
columns' digits, and module descriptions that render without docutils errors."""
import ast
import io

from docutils.core import publish_string
from lxml import etree

from odoo.tests import TransactionCase, new_test_user, tagged

from .common import ChargeScenario


@tagged("post_install", "-at_install")
class TestLanding(TransactionCase):

    def test_a_new_charging_user_lands_in_the_charging_app(self):
        """Without a home action the web client opens the first app of the user's menus."""
        root = self.env.ref("charge_base.menu_charge_root")
        for group in ("charge_base.group_charge_user", "charge_base.group_charge_manager"):
            user = new_test_user(self.env, login=f"landing_{group.rsplit('.', 1)[1]}",
                                 groups=f"base.group_user,{group}")
            self.assertFalse(user.action_id)
            menus = self.env["ir.ui.menu"].with_user(user).load_web_menus(False)
            self.assertEqual(menus["root"]["children"][0], root.id, f"{group}: first app")

    def test_a_user_without_charging_rights_does_not_see_the_app(self):
        user = new_test_user(self.env, login="landing_other", groups="base.group_user")
        menus = self.env["ir.ui.menu"].with_user(user).load_web_menus(False)
        self.assertNotIn(self.env.ref("charge_base.menu_charge_root").id, menus["root"]["children"])


@tagged("post_install", "-at_install")
class TestDefaultAreaLanguage(ChargeScenario, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.company.partner_id.lang = "zh_CN"

    def test_default_area_is_named_in_the_operator_language_without_a_context_language(self):
        station = self.env["charge.station"].with_context(lang=None).create(
            {"name": "Futian", "company_id": self.company.id})
        self.assertEqual(station.area_ids.filtered("is_default").name, "默认区域")

    def test_default_area_is_named_in_the_creator_language(self):
        station = self.env["charge.station"].with_context(lang="en_US").create(
            {"name": "Futian", "company_id": self.company.id})
        self.assertEqual(station.area_ids.filtered("is_default").name, "Default Area")


@tagged("post_install", "-at_install")
class TestDemoOperator(TransactionCase):
    """The demo is a Shenzhen operator's: no placeholder left where a clerk looks."""

    def setUp(self):
        super().setUp()
        if not self.env.ref("charge_base.pile_bay_dc1", raise_if_not_found=False):
            self.skipTest("no demo data")

    def test_demo_connectors_have_a_label_an_interface_and_their_model_power(self):
        piles = self.env["charge.pile"].search([("model_id", "in", [
            self.env.ref(f"charge_base.{xmlid}").id
            for xmlid in ("pile_model_teld_dc120", "pile_model_star_ac7", "pile_model_ebike_10")])])
        connectors = piles.connector_ids
        self.assertEqual(len(connectors), 33)
        for connector in connectors:
            model = connector.pile_id.model_id
            self.assertTrue(connector.name, connector.display_name)
            self.assertEqual(connector.interface_type, model.connector_type, connector.display_name)
            self.assertEqual(connector.max_power, model.connector_max_power or model.max_power,
                             connector.display_name)
        self.assertEqual(self.env.ref("charge_base.pile_bay_dc1").connector_ids.mapped("name"), ["A枪", "B枪"])
        self.assertEqual(self.env.ref("charge_base.pile_ft_e1").connector_ids[:1].max_power, 0.8)

    def test_demo_people_are_the_operator_staff_in_its_time_zone(self):
        admin, demo = self.env.ref("base.user_admin"), self.env.ref("base.user_demo")
        self.assertEqual((admin.name, admin.tz), ("周建华", "Asia/Shanghai"))
        self.assertEqual((demo.name, demo.tz), ("林晓雨", "Asia/Shanghai"))
        company = self.env.ref("base.main_company")
        self.assertEqual(company.partner_id.tz, "Asia/Shanghai")
        self.assertEqual(company._charge_tz(), "Asia/Shanghai")

    def test_demo_company_has_its_logo(self):
        """The login page shows the operator's logo, not Odoo's 'Your logo' placeholder."""
        company = self.env.ref("base.main_company")
        self.assertTrue(company.logo)
        self.assertNotEqual(company.logo, company._get_logo())


@tagged("post_install", "-at_install")
class TestListSums(TransactionCase):
    """The list's sum row is formatted with the column's ``digits`` attribute only (the web
    client ignores the field's digits there: 10.003 kWh would show as 10.00): every summed
    float column of a charge list whose field has other digits than 2 declares them."""

    def _lists(self, view):
        arch = etree.fromstring(self.env[view.model].get_view(view.id, view.type)["arch"])
        for node in arch.iter("list"):
            model = view.model
            for ancestor in reversed(list(node.iterancestors("field"))):
                model = self.env[model]._fields[ancestor.get("name")].comodel_name
            yield model, node

    def test_summed_float_columns_show_their_field_digits(self):
        views = self.env["ir.ui.view"].search([
            ("model", "=like", "charge.%"), ("type", "in", ("list", "form")), ("mode", "=", "primary")])
        checked = []
        for view in views:
            for model, node in self._lists(view):
                fields = self.env[model]._fields
                for column in node.iterchildren("field"):
                    field = fields.get(column.get("name"))
                    if not (field and field.type == "float" and (column.get("sum") or column.get("avg"))):
                        continue
                    digits = field.get_digits(self.env)
                    if not digits or digits[1] == 2:
                        continue
                    checked.append((view.xml_id, column.get("name")))
                    self.assertEqual(
                        tuple(ast.literal_eval(column.get("digits") or "()")), tuple(digits),
                        f"{view.xml_id}: the sum of {model}.{field.name} needs digits=\"{list(digits)}\"")
        if "charge.order" in self.env:
            self.assertIn(("charge_billing.charge_order_view_list", "energy_kwh"), checked)


@tagged("post_install", "-at_install")
class TestModuleDescriptions(TransactionCase):
    """Odoo renders each module's description (its manifest's, else its README) with
    docutils at install; a malformed one prints "(ERROR/3) ..." lines in the server log.
    (The two such lines `make run` prints come from Odoo's own mail module.)"""

    def test_charge_module_descriptions_render_without_docutils_messages(self):
        modules = self.env["ir.module.module"].search([("name", "=like", "charge\\_%")])
        self.assertIn("charge_base", modules.mapped("name"))
        for module in modules:
            messages = io.StringIO()
            publish_string(source=module.description or "", writer_name="html4css1", settings_overrides={
                "warning_stream": messages, "report_level": 2, "halt_level": 5, "output_encoding": "unicode",
                "file_insertion_enabled": False})
            self.assertEqual(messages.getvalue(), "", module.name)
