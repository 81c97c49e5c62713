"""Bring each charge addon's ``i18n/<addon>.pot`` and ``i18n/zh_CN.po`` in
line with the terms Odoo exports for it, keeping the translations already
written: every term gets the references Odoo exports (a model term is only
translated where its reference says), terms that no longer exist go, new
terms are listed with an empty translation to fill in.

Run in an Odoo shell on a database where the addons are installed::

    python -m odoo shell -c odoo.conf -d charge --no-http <<'EOF'
    from scripts.i18n_sync import sync; sync(env)
    EOF

(tests/test_translations.py checks the result: every term translated, with
every reference.)
"""

import io
from pathlib import Path

import polib
from odoo.tools.translate import trans_export

REPO = Path(__file__).resolve().parents[1]
LANG = "zh_CN"


def exported(env, addon):
    """The addon's terms as Odoo exports them (a polib file, no translation)."""
    buffer = io.BytesIO()
    trans_export(None, [addon], buffer, "po", env)
    return polib.pofile(buffer.getvalue().decode())


def sync(env, addons=None):
    """Rewrite the .pot and the zh_CN.po of ``addons`` (default: every
    charge addon of the repository); returns {addon: [untranslated msgids]}."""
    addons = addons or sorted(path.parent.name for path in (REPO / "addons").glob("charge_*/__manifest__.py"))
    untranslated = {}
    for addon in addons:
        folder = REPO / "addons" / addon / "i18n"
        folder.mkdir(exist_ok=True)
        pot_path, po_path = folder / f"{addon}.pot", folder / f"{LANG}.po"
        template = exported(env, addon)
        _keep_header(template, pot_path)
        template.save(str(pot_path))
        old = {entry.msgid: entry.msgstr for entry in polib.pofile(str(po_path))} if po_path.exists() else {}
        po = exported(env, addon)
        po.metadata.update({"Language": LANG, "Language-Team": "Chinese (Simplified)",
                            "Plural-Forms": "nplurals=1; plural=0;"})
        _keep_header(po, po_path)
        for entry in po:
            entry.msgstr = old.get(entry.msgid, "")
        po.save(str(po_path))
        untranslated[addon] = [entry.msgid for entry in po if not entry.msgstr.strip()]
        print(f"{addon}: {len(po)} terms, {len(untranslated[addon])} to translate")
    return untranslated


def _keep_header(po, path):
    """Keep the header of the file ``path`` replaces (no churn of dates)."""
    if path.exists():
        previous = polib.pofile(str(path))
        po.header, po.metadata = previous.header, previous.metadata
