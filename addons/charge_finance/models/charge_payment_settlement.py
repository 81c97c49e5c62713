import base64
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command

from ..tools import settlement_report
from ..tools.settlement_report import ReportError


LINE_STATUSES = [
    ("matched", "Matched"),
    ("unknown", "Unknown Transaction"),
    ("mismatch", "Amount Differs"),
    ("settled", "Settled Before"),
    ("duplicate", "Twice in the Report"),
]


class ChargePaymentSettlement(models.Model):
    """A payment provider's settlement report (对账单), imported from its CSV
    or XLSX (tools/settlement_report.py): each payment and refund it lists
    is matched with the provider's transaction (its reference), and, once
    every line matches, one entry books it: the bank receives the payments
    less the refunds and the provider's fees, the provider's clearing
    account gives up what they left on it, the fees are an expense. The
    entry's clearing item is reconciled with the clearing items of the
    wallet entries it settles. A transaction is settled once."""
    _name = "charge.payment.settlement"
    _description = "Payment Provider Settlement"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Number", required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    provider_id = fields.Many2one("payment.provider", string="Payment Provider", required=True, check_company=True)
    journal_id = fields.Many2one("account.journal", string="Bank Journal", required=True, check_company=True,
                                 domain=[("type", "=", "bank")], help="Where the provider paid the money.")
    date = fields.Date(required=True, default=fields.Date.context_today)
    report_file = fields.Binary(string="Report", attachment=True)
    report_filename = fields.Char()
    line_ids = fields.One2many("charge.payment.settlement.line", "settlement_id", string="Lines", readonly=True)
    state = fields.Selection([("draft", "Draft"), ("posted", "Posted")], required=True, default="draft",
                             readonly=True, tracking=True)
    payments_amount = fields.Monetary(string="Payments", compute="_compute_totals", store=True)
    refunds_amount = fields.Monetary(string="Refunds", compute="_compute_totals", store=True)
    fees_amount = fields.Monetary(string="Fees", compute="_compute_totals", store=True)
    net_amount = fields.Monetary(string="Paid to the Bank", compute="_compute_totals", store=True)
    problem_count = fields.Integer(compute="_compute_totals", store=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True, copy=False)

    @api.depends("line_ids.kind", "line_ids.amount", "line_ids.fee", "line_ids.status")
    def _compute_totals(self):
        for settlement in self:
            lines = settlement.line_ids
            settlement.payments_amount = sum(lines.filtered(lambda line: line.kind == "payment").mapped("amount"))
            settlement.refunds_amount = sum(lines.filtered(lambda line: line.kind == "refund").mapped("amount"))
            settlement.fees_amount = sum(lines.mapped("fee"))
            settlement.net_amount = settlement.payments_amount - settlement.refunds_amount - settlement.fees_amount
            settlement.problem_count = len(lines.filtered(lambda line: line.status != "matched"))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("charge.payment.settlement") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if any(settlement.state == "posted" for settlement in self) and not self.env.su:
            raise UserError(self.env._("A posted settlement does not change."))
        return super().write(vals)

    def _check_accountant(self):
        if not self.env.user.has_group("account.group_account_user"):
            raise AccessError(self.env._("Only accountants import and post settlements."))

    # Import ------------------------------------------------------------------------------

    def action_import(self):
        """Read the report and match each of its lines."""
        self._check_accountant()
        for settlement in self:
            if settlement.state != "draft":
                raise UserError(self.env._("Settlement %s is posted.", settlement.name))
            if not settlement.report_file:
                raise UserError(self.env._("Attach the provider's report first (CSV or XLSX)."))
            try:
                rows = settlement_report.read(base64.b64decode(settlement.report_file),
                                              settlement.report_filename or "")
            except ReportError as error:
                raise UserError(settlement._report_message(error)) from error
            settlement.sudo().line_ids = [Command.clear()] + [Command.create(values)
                                                                for values in settlement._match(rows)]
        return True

    def _report_message(self, error):
        params, _ = error.params, self.env._
        where = _(" (line %s)", error.line) if error.line else ""
        messages = {
            "empty": lambda: _("The report lists no payment."),
            "encoding": lambda: _("The report is neither UTF-8 nor GB18030 text."),
            "format": lambda: _("The file is not a CSV or XLSX report."),
            "header": lambda: _("The report has no column %s.", params.get("column")),
            "type": lambda: _("%s is neither a payment nor a refund.", params.get("value")),
            "reference": lambda: _("A line has no reference."),
            "amount": lambda: _("%(value)s is not an amount (column %(column)s).", value=params.get("value"),
                                column=params.get("column")),
            "date": lambda: _("%s is not a date.", params.get("value")),
        }
        return messages[error.code]() + where

    def _match(self, rows):
        """The values of the settlement lines of ``rows``, each matched with its transaction."""
        Transaction = self.env["payment.transaction"].sudo()
        found = Transaction.search([("provider_id", "=", self.provider_id.id),
                                    ("reference", "in", [row.reference for row in rows])])
        by_reference = {transaction.reference: transaction for transaction in found}
        currency = self.currency_id
        seen, values = set(), []
        for row in rows:
            transaction = by_reference.get(row.reference)
            status, message = "matched", False
            if (row.kind, row.reference) in seen:
                status = "duplicate"
            elif not transaction or transaction.state != "done" or \
                    (transaction.operation == "refund") != (row.kind == "refund"):
                status = "unknown"
            elif currency.compare_amounts(abs(transaction.amount), float(row.amount)) != 0:
                status = "mismatch"
                message = self.env._("the transaction is %(ours)s, the report says %(theirs)s",
                                     ours=currency.format(abs(transaction.amount)),
                                     theirs=currency.format(float(row.amount)))
            elif transaction.charge_settlement_id and transaction.charge_settlement_id != self:
                status = "settled"
                message = transaction.charge_settlement_id.name
            seen.add((row.kind, row.reference))
            values.append({"line_number": row.line, "kind": row.kind, "reference": row.reference,
                           "provider_reference": row.provider_reference, "amount": float(row.amount),
                           "fee": float(row.fee), "date": row.date, "status": status, "message": message,
                           "transaction_id": transaction.id if transaction else False})
        return values

    # Posting -------------------------------------------------------------------------------

    def action_post(self):
        """Book the settlement once every line matches."""
        self._check_accountant()
        for settlement in self.sudo():
            settlement.env.cr.execute("SELECT id FROM charge_payment_settlement WHERE id = %s FOR UPDATE",
                                      [settlement.id])
            settlement.invalidate_recordset(["state"])
            if settlement.state != "draft":
                raise UserError(self.env._("Settlement %s is posted already.", settlement.name))
            if not settlement.line_ids:
                raise UserError(self.env._("Import the report first."))
            if settlement.problem_count:
                raise UserError(self.env._("%(count)s line(s) of settlement %(name)s do not match a transaction: "
                                           "check them with the provider first.", count=settlement.problem_count,
                                           name=settlement.name))
            settlement._post_entry()
        return True

    def _post_entry(self):
        company = self.company_id
        clearing = self.provider_id._charge_clearing_account()
        fee_account = company.charge_provider_fee_account_id
        bank_account = self.journal_id.default_account_id
        if not clearing or not bank_account or (self.fees_amount and not fee_account):
            raise UserError(self.env._("Set the provider's clearing account, the bank journal's account and the "
                                       "company's provider fees account first."))
        digits = company.currency_id.decimal_places
        amounts = settlement_report.entry_amounts(*(Decimal(str(round(value, digits))) for value in (
            self.payments_amount, self.refunds_amount, self.fees_amount)))
        env = company._charge_in_operator_lang(self).env
        label = env._("Settlement %(name)s of %(provider)s", name=self.name, provider=self.provider_id.name)
        accounts = {"bank": bank_account, "fee": fee_account, "clearing": clearing}
        move = self.env["account.move"].with_company(company).create({
            "move_type": "entry", "company_id": company.id, "journal_id": self.journal_id.id, "date": self.date,
            "ref": label,
            "line_ids": [Command.create({"name": label, "account_id": accounts[role].id, "balance": float(amount)})
                         for role, amount in amounts.items() if amount],
        })
        move.action_post()
        transactions = self.line_ids.transaction_id
        transactions.write({"charge_settlement_id": self.id})
        self.write({"state": "posted", "move_id": move.id})
        self._reconcile_clearing(move, clearing, transactions)
        return move

    def _reconcile_clearing(self, move, clearing, transactions):
        """The entry's clearing item against the clearing items of the wallet entries of the settled documents."""
        if not clearing.reconcile:
            return
        documents = self.env["charge.wallet.transaction"].sudo().search([
            "|", ("payment_order_id", "in", transactions.charge_payment_order_id.ids),
            ("refund_id", "in", transactions.charge_refund_id.ids)])
        items = (documents.move_ids.line_ids | move.line_ids).filtered(
            lambda item: item.account_id == clearing and not item.reconciled and item.parent_state == "posted")
        if len(items) > 1:
            items.reconcile()


class ChargePaymentSettlementLine(models.Model):
    _name = "charge.payment.settlement.line"
    _description = "Payment Provider Settlement Line"
    _order = "settlement_id, line_number"

    settlement_id = fields.Many2one("charge.payment.settlement", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="settlement_id.company_id", store=True)
    currency_id = fields.Many2one(related="settlement_id.currency_id")
    line_number = fields.Integer(string="Line")
    kind = fields.Selection([("payment", "Payment"), ("refund", "Refund")], required=True)
    reference = fields.Char(required=True)
    provider_reference = fields.Char()
    date = fields.Datetime()
    amount = fields.Monetary()
    fee = fields.Monetary()
    status = fields.Selection(LINE_STATUSES, required=True)
    message = fields.Char()
    transaction_id = fields.Many2one("payment.transaction", string="Transaction", ondelete="restrict")
