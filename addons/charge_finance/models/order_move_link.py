"""The links between charging orders and their own journal entries, kept in
a table of the module's own that outlives an uninstall.

``account.move.charge_order_id`` (and the order entries' numbering and
amounts) are columns of charge_finance's fields, which an uninstall drops:
installed again, the module would find every order without its entries and
book their revenue a second time. Each order entry is therefore also written
here (CREATE TABLE IF NOT EXISTS, no ORM field, hence not dropped), with the
entry's and the order's names; the module's installation puts back the links
whose entry and order still carry those names (ids reused after a table was
dropped and made again do not match them), with the order's receivable items.
"""
import json
import logging

from odoo.tools import SQL
from odoo.tools.sql import table_exists

_logger = logging.getLogger(__name__)
TABLE = "charge_order_move_link"


def ensure_table(cr):
    if not table_exists(cr, TABLE):
        cr.execute(SQL("""
            CREATE TABLE %s (move_id INTEGER PRIMARY KEY, move_name VARCHAR, order_id INTEGER NOT NULL,
                             order_name VARCHAR, kind VARCHAR, seq INTEGER, amounts JSONB)
        """, SQL.identifier(TABLE)))


def record(cr, moves):
    """Write the links of the order entries ``moves`` (flushed)."""
    for move in moves:
        cr.execute(SQL("""
            INSERT INTO %s (move_id, move_name, order_id, order_name, kind, seq, amounts)
            VALUES (%s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (move_id) DO UPDATE SET move_name = EXCLUDED.move_name
        """, SQL.identifier(TABLE), move.id, move.name, move.charge_order_id.id, move.charge_order_id.name,
            move.charge_order_kind, move.charge_order_seq, json.dumps(move.charge_order_amounts or {})))


def restore(cr):
    """Put back the links an uninstall dropped (entries without their order)."""
    if not table_exists(cr, "charge_order"):
        return
    cr.execute(SQL("""
        UPDATE account_move move
           SET charge_order_id = link.order_id, charge_order_kind = link.kind, charge_order_seq = link.seq,
               charge_order_amounts = link.amounts
          FROM %s link
          JOIN charge_order o ON o.id = link.order_id AND o.name = link.order_name
         WHERE move.id = link.move_id AND move.name = link.move_name AND move.charge_order_id IS NULL
     RETURNING move.id
    """, SQL.identifier(TABLE)))
    restored = [row[0] for row in cr.fetchall()]
    if not restored:
        return
    cr.execute(SQL("""
        UPDATE account_move_line aml
           SET charge_order_id = move.charge_order_id
          FROM account_move move, account_account account
         WHERE aml.move_id = move.id AND account.id = aml.account_id AND move.id = ANY(%s)
           AND account.account_type = 'asset_receivable' AND aml.charge_order_id IS NULL
    """, restored))
    _logger.info("%s order entries found again with their orders.", len(restored))


def uninstall(env):
    """At the module's uninstall: the links stay (a reinstall finds them),
    unless the orders or the entries go as well (charge_billing or account
    uninstalled with it): the table goes with them."""
    going = env["ir.module.module"].search_count([("name", "in", ("charge_billing", "account")),
                                                  ("state", "=", "to remove")])
    if going:
        env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(TABLE)))
