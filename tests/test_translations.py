"""Every charge addon ships a complete zh_CN translation that matches its code.

The terms are those Odoo itself exports for the addon (fields, selections,
views, menus, data, ``_()``/``_lt()`` strings in Python, JS and templates),
read from the test database where every charge addon is installed. Each
term must also carry every reference Odoo exports for it: Odoo applies the
translation of a field label, a selection value or a view text only to the
records its references name (`python -m odoo shell` with
``scripts/i18n_sync.py`` rewrites the files with them).
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
                rows = [row for row in TranslationModuleReader(self.env.cr, modules=[addon]) if row[0] == addon]
                terms = {source for _module, _type, _name, _res_id, source, _value, _comments in rows}
                referenced = {(entry.msgid, name) for entry in po for name, _line in entry.occurrences}
                unreferenced = sorted({
                    f"{source!r} at {reference}" for _module, type_, name, res_id, source, _value, _comments in rows
                    if (source, reference := f"code:{name}" if type_ == "code" else f"{type_}:{name}:{res_id}")
                    not in referenced})
                self.assertFalse(unreferenced, f"{len(unreferenced)} reference(s) of {addon} terms are missing "
                                 "from zh_CN.po (run scripts/i18n_sync.py):\n" + "\n".join(unreferenced[:20]))
                self.assertTrue(terms)
                missing = sorted(terms - translated)
                self.assertFalse(missing, f"{len(missing)} term(s) of {addon} have no zh_CN translation:\n"
                                 + "\n".join(missing[:20]))
                stale = sorted({entry.msgid for entry in po} - terms)
                self.assertFalse(stale, f"{len(stale)} zh_CN entries of {addon} no longer exist:\n"
                                 + "\n".join(stale[:20]))
