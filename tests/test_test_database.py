"""ORM checks of the test database built by `make test` (through pytest-odoo):
every charge addon installed with its demo data, the logins of a demo
database in place."""

import pytest
from odoo.tests.common import TransactionCase

from scripts.ops import config as ops_config

ADDONS = ops_config.load().charge_addons()


@pytest.mark.odoo_db
class TestTestDatabase(TransactionCase):
    # Odoo 19 gives these to test classes of ``odoo.addons.*`` modules only
    # (BaseCase.__init_subclass__); a repo-level test sets them itself.
    test_tags = {"standard", "at_install"}
    test_module = "charge_repo_tests"

    def test_charge_addons_installed_with_demo(self):
        modules = self.env["ir.module.module"].search([("name", "in", ADDONS)])
        installed = modules.filtered(lambda m: m.state == "installed")
        self.assertEqual(sorted(installed.mapped("name")), ADDONS)
        self.assertEqual(modules.filtered(lambda m: not m.demo).mapped("name"), [],
                         "installed without demo data")

    def test_demo_logins(self):
        admin = self.env.ref("base.user_admin")
        self.assertEqual(admin.login, "admin")
        self.assertTrue(self.env.ref("base.user_demo", raise_if_not_found=False),
                        "the demo user is missing: the database has no demo data")
