"""Odoo's company check, once per distinct set of values, while a batch of
entries is made.

When records are created or written, Odoo checks that the records each of
their company-checked relational fields links (accounts, taxes, journal,
partner...) belong to the record's company (``BaseModel._check_company``):
a domain filter per record and per field. The wallet entries of a batch
(the posting queue's 200 documents, a day's summary) link the same few
accounts, taxes and partners over and over: under the context key
``CHECK_ONCE`` the check runs on one record per distinct (company, linked
records of every checked field), whose verdict is that of every record
with the same values. Nothing is left unchecked, and an inconsistency is
raised as Odoo raises it (naming the first records found).
"""
from odoo import models

CHECK_ONCE = "charge_check_company_once"


def representatives(records, fnames=None):
    """One record of ``records`` per distinct (company, value of each
    company-checked relational field among ``fnames``); all of them when a
    model has no company field to tell the companies apart. The value of a
    field is the records it links, or only their companies when its model
    checks companies the generic way (``BaseModel._check_company_domain``,
    on ``company_id`` alone): the items of different entries of a company
    are alike then."""
    names = records._fields if fnames is None or {"company_id", "company_ids"} & set(fnames) else fnames
    checked = [name for name in names if records._fields[name].relational and records._fields[name].check_company]
    if len(records) < 2 or not checked or "company_id" not in records._fields:
        return records
    by_company = {
        name for name in checked
        if "company_id" in records.env[records._fields[name].comodel_name]._fields
        and type(records.env[records._fields[name].comodel_name])._check_company_domain
        is models.BaseModel._check_company_domain
    }
    first = {}
    for record in records.sudo():
        key = [record.company_id.id]
        for name in checked:
            value = record[name]
            key.append(tuple(sorted({linked.company_id.id or 0 for linked in value})) if name in by_company
                       else value._ids)
        first.setdefault(tuple(key), record.id)
    return records.browse(list(first.values()))


class AccountMove(models.Model):
    _inherit = "account.move"

    def _check_company(self, fnames=None):
        if self.env.context.get(CHECK_ONCE):
            return super(AccountMove, representatives(self, fnames))._check_company(fnames)
        return super()._check_company(fnames)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _check_company(self, fnames=None):
        if self.env.context.get(CHECK_ONCE):
            return super(AccountMoveLine, representatives(self, fnames))._check_company(fnames)
        return super()._check_company(fnames)
