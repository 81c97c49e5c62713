from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools.sql import table_exists

from ..models import posting_link
from .common import ChargeFinanceCase

TABLE = posting_link.TABLE


@tagged("post_install", "-at_install")
class TestPostingLinksOutliveTheModule(ChargeFinanceCase):
    """The links ledger line - journal entry are in a table the module makes
    itself: Odoo does not drop it at uninstall (a reinstall finds them and
    posts nothing twice); the repository test tests/test_finance_reinstall.py
    uninstalls and reinstalls the module for real."""

    def links(self):
        """The links of the company's lines (the demo data's lines are posted too)."""
        self.env.cr.execute(SQL("""
            SELECT link.transaction_id, link.move_id
              FROM %s link JOIN charge_wallet_transaction line ON line.id = link.transaction_id
             WHERE line.company_id = %s ORDER BY 1
        """, SQL.identifier(TABLE), self.company.id))
        return self.env.cr.fetchall()

    def test_no_field_declares_the_link_table(self):
        line = self.li_wallet._recharge(20)
        self.assertEqual(self.links(), [(line.id, self.entry(line).id)])
        # what Odoo drops at a module's uninstall: the relation tables of its fields
        self.assertFalse(self.env["ir.model.relation"].search([("name", "=", TABLE)]))
        self.assertFalse(self.env["ir.model.fields"].search([("relation_table", "=", TABLE)]))
        self.assertFalse(self.env["ir.model.fields"].search([
            ("model", "in", ("account.move", "charge.wallet.transaction")),
            ("name", "in", ("move_ids", "charge_wallet_transaction_ids")), ("store", "=", True)]))

    def test_the_table_is_taken_over_and_stale_links_forgotten(self):
        line = self.li_wallet._recharge(20)
        move = self.entry(line)
        # a database where an earlier version's Many2many field declared the table
        module = self.env["ir.module.module"].search([("name", "=", "charge_finance")])
        self.env.cr.execute(SQL("INSERT INTO ir_model_relation (name, model, module) VALUES (%s, %s, %s)",
                                TABLE, self.env["ir.model"]._get_id("account.move"), module.id))
        posting_link.ensure_table(self.env.cr)
        self.assertFalse(self.env["ir.model.relation"].search([("name", "=", TABLE)]))
        self.assertEqual(self.links(), [(line.id, move.id)], "a reinstall keeps the links")
        # charge_member uninstalled (its table dropped CASCADE, the foreign key with it) and installed
        # again: the ids of the links name other lines now
        self.env.cr.execute(SQL(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND confrelid = %s::regclass",
            TABLE, "charge_wallet_transaction"))
        [[name]] = self.env.cr.fetchall()
        self.env.cr.execute(SQL("ALTER TABLE %s DROP CONSTRAINT %s", SQL.identifier(TABLE), SQL.identifier(name)))
        posting_link.ensure_table(self.env.cr)
        self.assertEqual(self.links(), [])
        self.env.invalidate_all()
        self.assertFalse(line.posted)
        self.env.cr.execute(SQL(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND confrelid = %s::regclass",
            TABLE, "charge_wallet_transaction"))
        self.assertEqual(self.env.cr.fetchone()[0], 1, "the foreign key is back")

    def test_the_table_goes_only_with_the_lines_or_the_entries(self):
        self.li_wallet._recharge(20)
        posting_link.uninstall(self.env)  # charge_finance alone
        self.assertTrue(table_exists(self.env.cr, TABLE))
        self.env["ir.module.module"].search([("name", "=", "charge_member")]).state = "to remove"
        self.env.flush_all()
        posting_link.uninstall(self.env)
        self.assertFalse(table_exists(self.env.cr, TABLE))
