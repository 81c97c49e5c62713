from odoo.tests import tagged

from .common import ChargeBaseCase


@tagged("post_install", "-at_install")
class TestConnectorSearch(ChargeBaseCase):
    """What a clerk sees of a connector ("SZ000702 (A)") is what finds it, in any
    connector field and in the connector list."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pile = cls.create_pile("SZ0007")
        cls.other = cls.create_pile("SZ0070")
        cls.gun1, cls.gun2 = cls.pile.connector_ids.sorted("number")
        cls.gun2.name = "Gun B"
        cls.Connector = cls.env["charge.connector"].with_user(cls.user)

    def found(self, text, operator="ilike"):
        return self.Connector.browse([id_ for id_, _name in self.Connector.name_search(text, operator=operator,
                                                                                      limit=None)])

    def test_name_search_finds_what_is_displayed(self):
        self.assertEqual(self.gun2.display_name, "SZ000702 (Gun B)")
        for text in ("SZ000702", "sz000702", "SZ000702 (Gun B)", "SZ000702 (", "Gun B", "SZ0007 2", "SZ0007-02",
                     "SZ0007#2", " SZ000702 "):
            self.assertEqual(self.found(text), self.gun2, text)
        self.assertEqual(self.found("SZ0007 1"), self.gun1)
        # the pile's serial or name lists its connectors (and not another pile's whose serial starts alike)
        self.assertEqual(self.found("SZ0007") & (self.pile | self.other).connector_ids, self.pile.connector_ids)
        self.assertEqual(self.found("Pile SZ0070"), self.other.connector_ids)
        self.assertFalse(self.found("SZ0007 9"))
        # an exact search takes the whole displayed name or the code
        self.assertEqual(self.found("SZ000702 (Gun B)", operator="="), self.gun2)
        self.assertEqual(self.found("SZ000701", operator="="), self.gun1)

    def test_list_search_and_negation(self):
        # what is typed in the connector list's search goes to the displayed name first
        arch = self.Connector.get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertLess(arch.index('name="display_name"'), arch.index("<filter"))
        connectors = self.pile.connector_ids | self.other.connector_ids
        self.assertEqual(self.Connector.search([("display_name", "ilike", "SZ000702 (Gun B)")]), self.gun2)
        self.assertEqual(self.Connector.search([("id", "in", connectors.ids),
                                                ("display_name", "not ilike", "SZ0007 2")]), connectors - self.gun2)
        self.assertEqual(self.Connector.search([("display_name", "in", ["SZ000701", "SZ000702 (Gun B)"])]),
                         self.gun1 | self.gun2)
