"""Documents handled one by one, each in a savepoint of its own."""
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY


def each_in_savepoint(records, handle, failed):
    """``handle(record)`` for each record, in a savepoint: a concurrent
    update goes up (the transaction is retried as a whole); any other error
    undoes that record's work only and goes to ``failed(record, message)``."""
    for record in records:
        try:
            with record.env.cr.savepoint():
                handle(record)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception as error:  # noqa: BLE001 - whatever went wrong, the record waits with its message
            failed(record, str(error.args[0]) if isinstance(error, UserError) and error.args else str(error))
