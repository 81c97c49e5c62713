"""The links between the wallet ledger lines and the journal entries posting
them: one row (line, entry) per posted line, a line linked once (a unique
index on the line).

The table is the module's own, made here (CREATE TABLE IF NOT EXISTS) and not
by a Many2many field: Odoo drops at a module's uninstall the relation tables
its fields declare (``ir.model.relation``, see ``IrModelRelation.
_module_data_uninstall`` in ``odoo/addons/base/models/ir_model.py``), and the
ledger lines and entries, which stay, would then look unposted: installed
again, the module would post every line a second time. This table survives an
uninstall, the links with it. Its rows name nothing any more only when one of
the two tables it points to was dropped (charge_member or account
uninstalled, which drops the foreign key with it): they are forgotten then.
"""
import logging

from odoo.tools import SQL
from odoo.tools.sql import create_index, table_exists

_logger = logging.getLogger(__name__)

TABLE = "charge_wallet_transaction_move_rel"
TARGETS = (("transaction_id", "charge_wallet_transaction"), ("move_id", "account_move"))
# the ledger lines a posted entry links
POSTED_LINES = SQL("""
    SELECT rel.transaction_id
      FROM charge_wallet_transaction_move_rel rel
      JOIN account_move move ON move.id = rel.move_id
     WHERE move.state = 'posted'
""")


def ensure_table(cr):
    """Create the link table, its foreign keys and indexes if missing; take it
    over from the ORM in a database where a Many2many field declared it."""
    table = SQL.identifier(TABLE)
    if not table_exists(cr, TABLE):
        cr.execute(SQL("""
            CREATE TABLE %s (transaction_id INTEGER NOT NULL, move_id INTEGER NOT NULL,
                             PRIMARY KEY (transaction_id, move_id))
        """, table))
    # an earlier version's Many2many field declared the table: uninstalling would drop it
    cr.execute(SQL("DELETE FROM ir_model_relation WHERE name = %s", TABLE))
    for column, target in TARGETS:
        if _has_foreign_key(cr, column, target):
            continue
        cr.execute(SQL("DELETE FROM %s", table))
        if cr.rowcount:
            _logger.warning("Table %s was dropped and made again since the posting links were written: %s links "
                            "naming its former records are forgotten.", target, cr.rowcount)
        cr.execute(SQL("ALTER TABLE %s ADD FOREIGN KEY (%s) REFERENCES %s (id) ON DELETE CASCADE",
                       table, SQL.identifier(column), SQL.identifier(target)))
    create_index(cr, f"{TABLE}_transaction_unique", TABLE, ["transaction_id"], unique=True)
    create_index(cr, f"{TABLE}_move_id_index", TABLE, ["move_id"])


def _has_foreign_key(cr, column, target):
    cr.execute(SQL("""
        SELECT 1
          FROM pg_constraint con
          JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = ANY(con.conkey)
         WHERE con.contype = 'f' AND con.conrelid = %s::regclass AND con.confrelid = %s::regclass
           AND att.attname = %s
    """, TABLE, target, column))
    return bool(cr.fetchone())


def link(cr, pairs):
    """Link each (line id, entry id) of ``pairs``; returns the ids of the
    lines linked now (a line already linked keeps its first link)."""
    if not pairs:
        return set()
    line_ids, move_ids = zip(*pairs)
    cr.execute(SQL("""
        INSERT INTO %s (transaction_id, move_id)
             SELECT * FROM unnest(%s::int[], %s::int[])
        ON CONFLICT DO NOTHING
          RETURNING transaction_id
    """, SQL.identifier(TABLE), list(line_ids), list(move_ids)))
    return {row[0] for row in cr.fetchall()}


def moves_by_line(cr, line_ids):
    """{line id: [entry ids]}"""
    return _pairs(cr, "transaction_id", "move_id", line_ids)


def lines_by_move(cr, move_ids):
    """{entry id: [line ids]}"""
    return _pairs(cr, "move_id", "transaction_id", move_ids)


def _pairs(cr, key, value, ids):
    ids = [id_ for id_ in ids if isinstance(id_, int)]
    result = {}
    if not ids:
        return result
    cr.execute(SQL("SELECT %s, %s FROM %s WHERE %s = ANY(%s) ORDER BY %s",
                   SQL.identifier(key), SQL.identifier(value), SQL.identifier(TABLE), SQL.identifier(key), ids,
                   SQL.identifier(value)))
    for key_id, value_id in cr.fetchall():
        result.setdefault(key_id, []).append(value_id)
    return result


def search_domain(operator, value, key, value_column):
    """Domain on ``id`` of the records whose links (column ``key``) reach one
    of the ids ``value`` (column ``value_column``): the search of the computed
    link fields, for ``in`` and ``not in``."""
    if operator not in ("in", "not in"):
        return NotImplemented
    ids = [id_ for id_ in value if isinstance(id_, int)]
    table = SQL.identifier(TABLE)
    if False in value:
        # "no link at all" (a falsy value), with or without some links
        unlinked = [("id", "not any!", SQL("SELECT %s FROM %s", SQL.identifier(key), table))]
        domain = ["|", *unlinked, ("id", "any!", _linked(key, value_column, ids))] if ids else unlinked
    else:
        domain = [("id", "any!", _linked(key, value_column, ids))]
    return domain if operator == "in" else ["!", *domain]


def _linked(key, value_column, ids):
    return SQL("SELECT %s FROM %s WHERE %s = ANY(%s)", SQL.identifier(key), SQL.identifier(TABLE),
               SQL.identifier(value_column), ids)


def uninstall(env):
    """At the module's uninstall: the links stay (a reinstall finds them),
    unless the ledger lines or the entries go as well (charge_member or
    account uninstalled with it): the table goes with them."""
    going = env["ir.module.module"].search_count([("name", "in", ("charge_member", "account")),
                                                  ("state", "=", "to remove")])
    if going:
        # the reports reading it (database views) go with the module anyway
        env.cr.execute(SQL("DROP TABLE IF EXISTS %s CASCADE", SQL.identifier(TABLE)))
