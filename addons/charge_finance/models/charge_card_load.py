import logging
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.charge_base.tools.local_time import local_date

from ..tools import posting
from ..tools.posting import PostingError
from .one_by_one import each_in_savepoint

_logger = logging.getLogger(__name__)


class ChargeCardLoad(models.Model):
    """Money a stored-value card received at the counter (its sale or a
    top-up). The card holds the money, the operator owes it: each load is
    posted by an entry of its own, recharge clearing against the stored-value
    card liability, which the orders charged on the card then consume."""
    _name = "charge.card.load"
    _description = "Stored-Value Card Load"
    _order = "date desc, id desc"
    _check_company_auto = True

    card_id = fields.Many2one("charge.card", string="Card", required=True, readonly=True, index=True,
                              ondelete="restrict", check_company=True)
    partner_id = fields.Many2one(related="card_id.partner_id", string="Holder")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection([("sale", "Card Sale"), ("top_up", "Top-up")], required=True, default="top_up",
                            readonly=True)
    amount = fields.Monetary(required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    note = fields.Text(readonly=True)
    user_id = fields.Many2one("res.users", string="Clerk", readonly=True, default=lambda self: self.env.user)
    state = fields.Selection([("pending", "Not Posted"), ("posted", "Posted")], required=True, default="pending",
                             readonly=True, index=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True, copy=False,
                              groups="account.group_account_readonly")
    charge_posting_error = fields.Text(string="Posting Error", readonly=True, copy=False,
                                       groups="account.group_account_readonly")

    _amount_positive = models.Constraint("CHECK(amount > 0)", "A card load is a positive amount.")
    _move_unique = models.UniqueIndex("(move_id) WHERE move_id IS NOT NULL")

    @api.depends("card_id.name", "date")
    def _compute_display_name(self):
        for load in self:
            load.display_name = f"{load.card_id.name} · {fields.Date.to_string(load.date) if load.date else ''}"

    @api.model
    def _charge_load(self, card, amount, kind="top_up", note=None):
        """Record and post a load of ``amount`` (an entered Decimal) on the stored-value card ``card``."""
        card.check_access("write")  # loading a card takes the rights on it (its company's users)
        if card.card_type != "stored_value":
            raise UserError(self.env._("Only stored-value cards are loaded; %s is not one.", card.display_name))
        if card.state != "active":
            raise UserError(self.env._("Card %s is not active.", card.display_name))
        load = self.sudo().create({"card_id": card.id, "company_id": card.company_id.id, "amount": float(amount),
                                   "kind": kind, "note": note, "user_id": self.env.user.id})
        load._charge_post_loads()
        return load.with_env(self.env)

    def _charge_post_loads(self):
        """Post each load on a savepoint of its own; an error leaves it pending."""
        def failed(load, message):
            _logger.warning("Card load %s could not be posted: %s", load.display_name, message)
            load.charge_posting_error = message

        loads = self.sudo().filtered(lambda load: load.company_id._charge_finance_ready())
        each_in_savepoint(loads, lambda load: load._charge_post(), failed)

    def _charge_post(self):
        """Lock the load, then post it once (superuser)."""
        self.ensure_one()
        self.env.cr.execute(SQL("SELECT id FROM charge_card_load WHERE id = %s FOR UPDATE", self.id))
        self.invalidate_recordset()
        if self.move_id:
            raise UserError(self.env._("Card load %s is already posted.", self.display_name))
        company = self.company_id
        digits = company.currency_id.decimal_places
        try:
            specs = posting.card_load_lines(Decimal(str(self.amount)).quantize(Decimal(1).scaleb(-digits)),
                                            self.partner_id.id or None)
        except PostingError as error:
            raise UserError(self.env._("Card load %(load)s cannot be posted (%(reason)s).", load=self.display_name,
                                       reason=f"{error.code}: {error.params}")) from error
        env = company._charge_in_operator_lang(self).env
        move = self.env["account.move"]._charge_post_own_entry(
            company, local_date(self.date, company._charge_tz()), env._("Card load %s", self.display_name), specs)
        self.write({"move_id": move.id, "state": "posted", "charge_posting_error": False})
        return move

    @api.model
    def _charge_post_pending_loads(self, companies):
        """The posting job: loads left pending (configuration missing, an error)."""
        self.sudo().search([("company_id", "in", companies.ids), ("state", "=", "pending")])._charge_post_loads()
