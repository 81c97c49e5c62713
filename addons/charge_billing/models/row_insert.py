"""Rows of a model written by one INSERT, around the ORM's ``create``.

The settle queue writes ~3 bill lines and a wallet ledger line per order,
200 orders a batch. The ORM's ``create`` costs about a millisecond a row,
half of it looking up each monetary field's currency through a related
field (a new record per field and row). Here the caller gives every stored
value itself (its related and computed columns included) with each row's
currency; the rows are then written by one statement and the ORM is told
about them as ``create`` would (the inverse one2many fields, the fields
depending on them, the company check and the Python constraints).

It is only taken for what it knows: ``insert_rows`` returns None (and the
caller uses ``create``) when the model has a stored computed or related
column the caller did not give (a field another module added), when a class
other than the allowed ones (``allowed_modules``: the caller's own, or
``mail.message``'s whose work the caller does) overrides ``create`` or
``_create``, or for a model with ``_inherits`` or the chatter. A stored
column not given takes its default as ``create`` gives it.
"""
from odoo.orm.models import LOG_ACCESS_COLUMNS, SQL_DEFAULT
from odoo.tools import SQL, float_repr, float_round


def _overrides(model, method):
    """The modules of the classes defining ``method`` in the model's class hierarchy, but the ORM's."""
    return {cls.__module__ for cls in type(model).__mro__ if method in vars(cls)
            and not cls.__module__.startswith("odoo.orm.")}


def fast_path_ok(model, given, allowed_modules=()):
    """Whether rows of ``model`` with the stored values ``given`` (field names)
    can be inserted here: see the module's docstring."""
    if model._inherits or "message_ids" in model._fields:
        return False
    if not (_overrides(model, "create") | _overrides(model, "_create")) <= set(allowed_modules):
        return False
    for field in model._fields.values():
        if not field.store or not field.column_type or field.name in given or field.name in LOG_ACCESS_COLUMNS \
                or field.name == "id":
            continue
        if field.compute or field.related:
            return False
    return True


def insert_rows(model, vals_list, currencies, allowed_modules=()):
    """Insert the rows ``vals_list`` of ``model`` (a recordset whose rights
    and context are used), the monetary values of each row rounded in its
    currency (``currencies``, a res.currency record per row); missing stored
    fields take their defaults, read once for the batch (as ``default_get``
    gives them, the context's included). Returns the new records, or None when
    the model is not one this can write (see ``fast_path_ok``)."""
    if not vals_list:
        return model.browse()
    given = {name for vals in vals_list for name in vals}
    if not fast_path_ok(model, given, allowed_modules):
        return None
    model.check_access("create")
    for name in given:
        model._check_field_access(model._fields[name], "write")
    missing = [field.name for field in model._fields.values()
               if field.store and field.column_type and field.name not in given
               and field.name not in LOG_ACCESS_COLUMNS and field.name != "id"]
    defaults = model.default_get(missing) if missing else {}
    names = sorted(given | set(defaults))
    columns = [model._fields[name] for name in names]
    now, uid = model.env.cr.now(), model.env.uid
    rows, rounding = [], {}
    for vals, currency in zip(vals_list, currencies, strict=True):
        row = []
        for field in columns:
            if field.name not in vals and field.name not in defaults:
                row.append(SQL_DEFAULT)  # as create: a column neither given nor defaulted is left to the table
                continue
            value = vals[field.name] if field.name in vals else defaults[field.name]
            if field.type == "monetary":
                if currency.id not in rounding:
                    rounding[currency.id] = (currency.rounding, currency.decimal_places)
                precision, digits = rounding[currency.id]
                row.append(float_repr(float_round(float(value or 0.0), precision_rounding=precision), digits))
            else:
                row.append(field.convert_to_column_insert(value, model, vals))
        row.extend((uid, now, uid, now))
        rows.append(tuple(row))
    names_sql = [SQL.identifier(name) for name in names + ["create_uid", "create_date", "write_uid", "write_date"]]
    cr = model.env.cr
    ids = []
    for start in range(0, len(rows), 1000):
        cr.execute(SQL("INSERT INTO %s (%s) VALUES %s RETURNING id", SQL.identifier(model._table),
                       SQL(", ").join(names_sql), SQL(", ").join(rows[start:start + 1000])))
        ids.extend(row[0] for row in cr.fetchall())
    records = model.browse(ids)
    # what create tells the ORM: the comodels' one2many fields on these rows are read again, the fields
    # depending on the new rows are marked (those given here are not computed again), then the checks
    registry = model.env.registry
    for field in columns:
        if field.type in ("many2one", "many2one_reference"):
            for inverse in registry.field_inverses[field]:
                targets = {vals[field.name] for vals in vals_list if vals.get(field.name) and (
                    field.type == "many2one" or vals.get(field.model_field) == inverse.model_name)}
                if targets:
                    model.env[inverse.model_name].browse(targets).invalidate_recordset([inverse.name], flush=False)
    computed = [field for field in columns if field.compute]
    with model.env.protecting(computed, records):
        records.modified(names, create=True)
    records._validate_fields(names)
    if model._check_company_auto:
        records._check_company()
    records.check_access("create")
    return records
