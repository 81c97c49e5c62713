"""Run/test tooling of the charge addon pack.

Standard library only: this package runs before the project's Python
requirements are installed. One concern per module:

- ``config``     reads odoo.conf, cache location, addon discovery
- ``console``    messages and the ``OpsError`` carrying a hint for the user
- ``process``    subprocess helpers (tee to a log file, pid files)
- ``system``     Debian packages the project needs (PostgreSQL, Chromium)
- ``pydeps``     ``pip install -r requirements.txt`` guarded by a stamp file
- ``odoo_src``   makes Odoo 19 importable (ODOO_SRC or upstream archive)
- ``postgres``   finds or starts the PostgreSQL server, SQL helpers
- ``odoo_cmd``   builds ``python3 -m odoo`` command lines
- ``database``   creates/updates the ``charge`` database
- ``services``   processes started by ``run`` (Odoo server in the foreground,
                 background services registered in ``SERVICES``)
- ``odoo_log``   parses Odoo's log (test summary, skips, errors)
- ``testing``    ``test``: fresh test database, Odoo tests, pytest, report
"""
