import base64
import secrets
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command

from odoo.addons.charge_base.tools.local_time import local_date

from ..tools import fapiao_pdf, fapiao_rules
from ..tools.fapiao_rules import FapiaoRuleError


STATES = [
    ("pending", "Pending Review"),
    ("issuing", "Issuing"),
    ("issued", "Issued"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
    ("voided", "Voided"),
]
TYPES = [("electronic", "E-Invoice"), ("paper", "Paper Invoice")]
COMPONENTS = ("electricity", "service", "reservation", "occupancy")
EDITABLE = frozenset({"title", "tax_id", "email", "note", "fapiao_number", "fapiao_code", "fapiao_pdf",
                      "fapiao_pdf_name", "reject_reason"})


class ChargeFapiaoRequest(models.Model):
    """A member's request for a fapiao (发票) on charging orders.

    Pending review, then issuing (the customer invoice is posted), issued
    (the fapiao number, code and PDF recorded: typed by hand, or returned by
    the company's e-invoicing provider), or rejected with a reason (the
    orders are free again: the member may apply again), or cancelled (the
    orders are never invoiced again). An issued fapiao can be voided (its
    entries cancelled) and issued again.

    The fapiao is an ``account.move`` (out_invoice) with one line per fee
    component and its tax. Its revenue and tax were already booked by the
    orders' wallet payments: a settlement entry in the wallet journal, the
    exact reverse of the invoice (Odoo's reversal), is reconciled with it,
    so that no revenue or tax is counted twice and the invoice shows paid."""
    _name = "charge.fapiao.request"
    _description = "Fapiao Request"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Number", required=True, readonly=True, copy=False, default="/", index="trigram")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Member", required=True, readonly=True, index=True,
                                 ondelete="restrict")
    title = fields.Char(string="Invoice Title", required=True, tracking=True, help="抬头: a company or a person.")
    tax_id = fields.Char(string="Taxpayer ID", tracking=True, help="统一社会信用代码 of a company title.")
    email = fields.Char(help="Where the e-invoice is sent.")
    fapiao_type = fields.Selection(TYPES, string="Type", required=True, default="electronic", readonly=True)
    order_ids = fields.Many2many("charge.order", "charge_fapiao_request_order_rel", "request_id", "order_id",
                                 string="Orders", readonly=True)
    amount_total = fields.Monetary(string="Amount", readonly=True)
    amounts_text = fields.Char(string="Per Fee", readonly=True)
    state = fields.Selection(STATES, required=True, default="pending", readonly=True, index=True, tracking=True)
    reject_reason = fields.Text(tracking=True)
    note = fields.Text()
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    invoice_id = fields.Many2one("account.move", string="Invoice", readonly=True, copy=False)
    settlement_move_id = fields.Many2one("account.move", string="Settlement Entry", readonly=True, copy=False)
    fapiao_number = fields.Char(string="Fapiao Number", tracking=True)
    fapiao_code = fields.Char(string="Fapiao Code", tracking=True)
    fapiao_pdf = fields.Binary(string="Fapiao PDF", attachment=True)
    fapiao_pdf_name = fields.Char()
    issue_date = fields.Date(readonly=True)
    request_pdf = fields.Binary(string="Request PDF", attachment=True, readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("charge.fapiao.request") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and set(vals) - EDITABLE:
            raise AccessError(self.env._("A fapiao request changes state only through its buttons."))
        return super().write(vals)

    # Requests -------------------------------------------------------------------------------

    @api.model
    def _charge_request(self, partner, orders, title, fapiao_type="electronic", tax_id=None, email=None):
        """A member asks for a fapiao on ``orders`` (theirs): checked against
        the company's rules, the orders held by the request."""
        company = orders.company_id[:1] or self.env.company
        _ = self.env._
        try:
            if not company.charge_fapiao_enabled:
                raise FapiaoRuleError("disabled")
            if not company[f"charge_fapiao_{fapiao_type}"]:
                raise FapiaoRuleError("type", type=fapiao_type)
            if not orders:
                raise FapiaoRuleError("no_orders")
        except FapiaoRuleError as error:
            raise ValidationError(self._charge_rule_message(company, error)) from error
        if not (title or "").strip():
            raise ValidationError(_("A fapiao needs a title."))
        orders = orders.sudo()
        self.env.cr.execute("SELECT id FROM charge_order WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [orders.ids])
        orders.invalidate_recordset()
        today = fields.Date.context_today(self)
        for order in orders:
            if order.company_id != company or order.partner_id != partner:
                raise ValidationError(_("Order %s is not the member's.", order.name))
            if order.state != "completed" or order.payment_state != "paid":
                raise ValidationError(_("Order %s is not a completed, paid order.", order.name))
            if order.charge_not_invoiceable:
                raise ValidationError(_("Order %s is not invoiceable.", order.name))
            if order.charge_fapiao_request_id:
                raise ValidationError(_("Order %(order)s is already in fapiao request %(request)s.", order=order.name,
                                        request=order.charge_fapiao_request_id.name))
            try:
                fapiao_rules.check_period(local_date(order.stop_date or order.create_date, company._charge_tz()),
                                          today, company.charge_fapiao_period_months)
            except FapiaoRuleError as error:
                raise ValidationError(_("Order %(order)s ended before %(since)s: it can no longer be invoiced.",
                                        order=order.name, since=error.params["since"])) from error
        totals = self._charge_totals(company, orders)
        try:
            total = fapiao_rules.check_total(totals, Decimal(str(company.charge_fapiao_min_amount)))
        except FapiaoRuleError as error:
            raise ValidationError(self._charge_rule_message(company, error)) from error
        request = self.sudo().create({
            "company_id": company.id, "partner_id": partner.id, "title": title.strip(), "tax_id": tax_id,
            "email": email, "fapiao_type": fapiao_type, "order_ids": [Command.set(orders.ids)],
            "amount_total": float(total), "amounts_text": self._charge_amounts_text(company, totals),
        })
        orders.write({"charge_fapiao_request_id": request.id})
        request._charge_render_request_pdf()
        return request.with_env(self.env)

    @api.model
    def _charge_totals(self, company, orders):
        invoiced = {name for name in COMPONENTS if company[f"charge_fapiao_{name}"]}
        return fapiao_rules.amounts([order._wallet_component_amounts() for order in orders], invoiced)

    def _charge_amounts_text(self, company, totals):
        labels = dict(self._charge_component_labels())
        return ", ".join(f"{labels[name]} {company.currency_id.format(float(amount))}"
                         for name, amount in totals.items())

    def _charge_component_labels(self):
        """[(component, its name on a fapiao)]."""
        _ = self.env._
        electricity = _("Electricity")
        service = _("Service Fee")
        reservation = _("Reservation Fee")
        occupancy = _("Occupancy Fee")
        return list(zip(COMPONENTS, (electricity, service, reservation, occupancy), strict=True))

    def _charge_rule_message(self, company, error):
        _ = self.env._
        params = error.params
        messages = {
            "disabled": lambda: _("%s does not issue fapiao to members.", company.name),
            "type": lambda: _("This kind of fapiao is not issued by %s.", company.name),
            "no_orders": lambda: _("Choose the orders to invoice."),
            "nothing": lambda: _("These orders have nothing to invoice."),
            "minimum": lambda: _("A fapiao is issued from %(minimum)s; these orders come to %(total)s.",
                                 minimum=company.currency_id.format(float(params["minimum"])),
                                 total=company.currency_id.format(float(params["total"]))),
        }
        return messages[error.code]()

    # Review ---------------------------------------------------------------------------------

    def _check_reviewer(self):
        if not (self.env.su or self.env.user.has_group("account.group_account_invoice")):
            raise AccessError(self.env._("Only invoicing users review and issue fapiao."))

    def _check_state(self, *states):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for request in self:
            if request.state not in states:
                raise UserError(self.env._("Fapiao request %(request)s is %(state)s: this cannot be done now.",
                                           request=request.name, state=labels[request.state]))

    def action_approve(self):
        """Pending review: the invoice is posted (with its settlement), then
        the fapiao is issued, by the e-invoicing provider or by hand."""
        self._check_reviewer()
        self._check_state("pending")
        for request in self.sudo():
            request._charge_make_invoice()
            request.write({"state": "issuing"})
            if request.company_id.charge_fapiao_provider == "demo":
                request._charge_issue_demo()
        return True

    def action_mark_issued(self):
        """The fapiao typed in by hand (its number, code and PDF): issued."""
        self._check_reviewer()
        self._check_state("issuing")
        for request in self:
            if not (request.fapiao_number or "").strip():
                raise UserError(self.env._("Enter the fapiao number first."))
        self.sudo().write({"state": "issued", "issue_date": fields.Date.context_today(self)})
        for request in self.sudo():
            request.invoice_id.ref = request.fapiao_number
        return True

    def action_reject(self):
        """Rejected with the reason the member is told; the orders are free again."""
        self._check_reviewer()
        self._check_state("pending")
        if any(not (request.reject_reason or "").strip() for request in self):
            raise UserError(self.env._("Write the reason of the rejection first: the member is told it."))
        for request in self.sudo():
            request.order_ids.filtered(lambda order: order.charge_fapiao_request_id == request).write(
                {"charge_fapiao_request_id": False})
            request.write({"state": "rejected"})
        return True

    def action_cancel(self):
        """Cancelled before it is issued: its orders are never invoiced again."""
        self._check_state("pending")
        user = self.env.user
        if not (self.env.su or user.has_group("charge_base.group_charge_user")
                or user.has_group("account.group_account_invoice")):
            raise AccessError(self.env._("Only charging and invoicing users cancel fapiao requests."))
        self.sudo().write({"state": "cancelled"})
        return True

    def action_void(self):
        """An issued fapiao voided (作废): its invoice and settlement cancelled."""
        self._check_reviewer()
        self._check_state("issued", "issuing")
        for request in self.sudo():
            moves = request.invoice_id | request.settlement_move_id
            moves.line_ids.remove_move_reconcile()
            moves.button_draft()
            moves.button_cancel()
            request.write({"state": "voided"})
            request.message_post(body=self.env._("Fapiao %s voided; its invoice is cancelled.",
                                                 request.fapiao_number or request.name))
        return True

    def action_reissue(self):
        """A voided fapiao issued again (with its title or taxpayer id corrected)."""
        self._check_reviewer()
        self._check_state("voided")
        self.sudo().write({"state": "pending", "invoice_id": False, "settlement_move_id": False,
                           "fapiao_number": False, "fapiao_code": False, "fapiao_pdf": False, "issue_date": False})
        return self.action_approve()

    # The invoice ------------------------------------------------------------------------------

    def _charge_make_invoice(self):
        company = self.company_id
        totals = self._charge_totals(company, self.order_ids)
        if not totals:
            raise UserError(self.env._("The orders of %s have nothing left to invoice.", self.name))
        labels = dict(self._charge_component_labels())
        lines = []
        for name, gross in totals.items():
            tax = company[f"charge_tax_{name}_id"]
            account = company[f"charge_revenue_{name}_account_id"]
            if not account:
                raise UserError(self.env._("Set the revenue account of the %s first.", labels[name]))
            net = self._charge_net(gross, tax)
            code = company[f"charge_fapiao_code_{name}"]
            lines.append(Command.create({
                "name": f"{labels[name]} ({code})" if code else labels[name], "quantity": 1.0, "price_unit": float(net),
                "account_id": account.id, "tax_ids": [Command.set(tax.ids)]}))
        journal = company.charge_fapiao_journal_id or self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
        invoice = self.env["account.move"].with_company(company).create({
            "move_type": "out_invoice", "partner_id": self.partner_id.id, "journal_id": journal.id,
            "invoice_date": fields.Date.context_today(self), "invoice_origin": self.name,
            "ref": self.title, "invoice_line_ids": lines, "charge_fapiao_request_id": self.id,
        })
        invoice.action_post()
        reversal = invoice._reverse_moves([{
            "ref": self.env._("%(request)s: revenue booked by the wallet payments", request=self.name),
            "date": invoice.date, "invoice_date": invoice.date, "charge_fapiao_request_id": self.id}], cancel=True)
        self.write({"invoice_id": invoice.id, "settlement_move_id": reversal.id})
        return invoice

    @staticmethod
    def _charge_net(gross, tax):
        """The price before ``tax`` of the price-included ``gross``."""
        if not tax or tax.amount_type != "percent":
            return gross
        return (gross * 100 / (100 + Decimal(str(tax.amount)))).quantize(Decimal("0.01"))

    # Documents ----------------------------------------------------------------------------------

    def _charge_issue_demo(self):
        """The demo e-invoicing provider: a number, a code and the PDF at once."""
        number = f"{secrets.randbelow(10 ** 8):08d}"
        code = f"0{self.company_id.id:03d}{fields.Date.context_today(self):%y%m}0000"
        pdf = self._charge_pdf(self.env._("Electronic Fapiao (demo)"), number, code)
        self.write({"fapiao_number": number, "fapiao_code": code, "fapiao_pdf": base64.b64encode(pdf),
                    "fapiao_pdf_name": f"{self.name}.pdf", "state": "issued",
                    "issue_date": fields.Date.context_today(self)})
        self.invoice_id.ref = number

    def _charge_render_request_pdf(self):
        self.request_pdf = base64.b64encode(self._charge_pdf(self.env._("Fapiao Request %s", self.name)))

    def _charge_pdf(self, heading, number=None, code=None):
        _ = self.env._
        currency = self.currency_id
        fields_ = [(_("Invoice Title"), self.title), (_("Taxpayer ID"), self.tax_id or "-"),
                   (_("Member"), self.partner_id.display_name), (_("Type"), dict(TYPES)[self.fapiao_type])]
        if number:
            fields_ += [(_("Fapiao Number"), number), (_("Fapiao Code"), code)]
        rows = [(order.name, fields.Datetime.to_string(order.stop_date or order.create_date)[:16],
                 currency.format(order.amount_total)) for order in self.order_ids]
        return fapiao_pdf.render(heading, fields_, [_("Order"), _("Ended"), _("Amount")], rows,
                                 [(_("Per Fee"), self.amounts_text or ""),
                                  (_("Amount"), currency.format(self.amount_total))])

    def action_print_request(self):
        self.ensure_one()
        if not self.request_pdf:
            self.sudo()._charge_render_request_pdf()
        return {"type": "ir.actions.act_url", "target": "self",
                "url": f"/web/content/charge.fapiao.request/{self.id}/request_pdf/{self.name}.pdf?download=true"}
