"""Every charge addon ships a complete zh_CN translation that matches its code.

The terms are those Odoo itself exports for the addon (fields, selections,
views, menus, data, ``_()``/``_lt()`` strings in Python, JS and templates),
read from the test database where every charge addon is installed.
"""

import polib
import pytest
from odoo.tests.common import TransactionCase
from odoo.tools.translate import TranslationModuleReader

from scripts.ops import config as ops_config

SETTINGS = ops_config.load()
ADDONS = SETTINGS.charge_addons()


@pytest.mark.odoo_db
class TestZhCnTranslations(TransactionCase):
    test_tags = {"standard", "at_install"}
    test_module = "charge_repo_tests"

    def test_every_addon_is_fully_translated(self):
        self.assertTrue(ADDONS)
        for addon in ADDONS:
            with self.subTest(addon=addon):
                po_path = SETTINGS.repo / "addons" / addon / "i18n" / "zh_CN.po"
                self.assertTrue(po_path.is_file(), f"{po_path} is missing")
                po = polib.pofile(str(po_path))
                self.assertFalse([e.msgid for e in po.fuzzy_entries()], "fuzzy entries")
                translated = {entry.msgid for entry in po if entry.msgstr.strip()}
                terms = {source for module, _type, _name, _res_id, source, _value, _comments
                         in TranslationModuleReader(self.env.cr, modules=[addon])
                         if module == addon}
                self.assertTrue(terms)
                missing = sorted(terms - translated)
                self.assertFalse(missing, f"{len(missing)} term(s) of {addon} have no zh_CN translation:\n"
                                 + "\n".join(missing[:20]))
                stale = sorted({entry.msgid for entry in po} - terms)
                self.assertFalse(stale, f"{len(stale)} zh_CN entries of {addon} no longer exist:\n"
                                 + "\n".join(stale[:20]))
