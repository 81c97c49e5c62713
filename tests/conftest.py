"""Repo-level tests (run by `make test` after the Odoo tests).

`make test` runs ``pytest tests/ --odoo-config=odoo.conf --odoo-database=charge_test``:
pytest-odoo then loads the registry of the freshly built ``charge_test``
database, and tests marked ``odoo_db`` use the ORM on it. Without those
options (e.g. ``pytest -p no:odoo tests/``) the ``odoo_db`` tests are
skipped and the others (pure pytest + subprocesses) still run.
"""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.ops import config as ops_config  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "odoo_db: uses the ORM on the database given to pytest-odoo (--odoo-database)")


def odoo_db_configured(config):
    return bool(config.pluginmanager.has_plugin("odoo") and config.getoption("--odoo-database", None))


def pytest_collection_modifyitems(config, items):
    if odoo_db_configured(config):
        return
    skip = pytest.mark.skip(reason="needs pytest-odoo with --odoo-config/--odoo-database (see make test)")
    for item in items:
        if item.get_closest_marker("odoo_db"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def ops_settings():
    """odoo.conf and cache settings, as the tooling sees them."""
    return ops_config.load()
