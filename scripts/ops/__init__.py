"""Run/test tooling of the charge addon pack.

Standard library only: this package runs before the project's Python
requirements are installed. One concern per module:

- ``config``     reads odoo.conf, cache location, addon discovery
- ``console``    messages and the ``OpsError`` carrying a hint for the user
- ``process``    subprocess helpers (tee to a log file, pid files)
- ``system``     Debian packages the project needs (PostgreSQL, Chromium)
- ``venv``       the project's virtual environment (per-user cache), and the
                 re-execution of the commands that run Odoo inside it
- ``odoo_src``   finds the Odoo 19 source (ODOO_SRC, remembered, upstream
                 archive) and links it into the environment
- ``pydeps``     ``pip install`` of Odoo's and our requirements into the
                 environment, guarded by a stamp file
- ``postgres``   finds or starts the PostgreSQL server, SQL helpers
- ``odoo_cmd``   builds ``python3 -m odoo`` command lines
- ``database``   creates/updates the ``charge`` database
- ``services``   processes started by ``run`` (Odoo server in the foreground,
                 background services registered in ``SERVICES``)
- ``odoo_log``   parses Odoo's log (test summary, skips, errors)
- ``testing``    ``test``: fresh test database, Odoo tests, pytest, report
"""
