import json
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

LIST_STATES = [("synced", "Up to Date"), ("pending", "To Send"), ("sent", "Sent"), ("failed", "Failed"),
               ("unsupported", "Not Supported")]


class ChargePile(models.Model):
    """Piles able to authorise offline keep a local list of cards: the
    white-listed ones (Accepted) and the lost or black-listed ones
    (Blocked). The platform sends the full list (SendLocalList, update type
    Full) whenever the company's list changes."""
    _inherit = "charge.pile"

    local_list_version = fields.Integer(string="Local List Version", readonly=True, copy=False,
                                        help="The version of the card list the pile accepted.")
    local_list_command_id = fields.Many2one("charge.device.command", string="Last List Command", readonly=True,
                                            copy=False)
    local_list_state = fields.Selection(LIST_STATES, compute="_compute_local_list_state", string="Local List")

    @api.depends("local_list_version", "local_list_command_id.state", "company_id.charge_local_list_version",
                 "model_id.cap_offline_whitelist")
    def _compute_local_list_state(self):
        for pile in self:
            command = pile.local_list_command_id
            if not pile.model_id.cap_offline_whitelist:
                pile.local_list_state = "unsupported"
            elif pile.local_list_version >= pile.company_id.charge_local_list_version:
                pile.local_list_state = "synced"
            elif command.state in ("queued", "sent"):
                pile.local_list_state = "sent"
            elif command.state in ("rejected", "failed", "timeout"):
                pile.local_list_state = "failed"
            else:
                pile.local_list_state = "pending"

    @api.model
    def _mark_local_list_dirty(self, companies):
        """The cards listed for ``companies`` changed: a new list version is due."""
        for company in companies.sudo():
            company.charge_local_list_version += 1

    @api.model
    def _local_list_entries(self, company):
        cards = self.env["charge.card"].sudo().search([
            ("company_id", "=", company.id), "|", ("whitelisted", "=", True),
            "|", ("blacklisted", "=", True), ("state", "=", "lost"),
        ])
        entries = []
        for card in cards:
            status = card._local_list_status()
            if status:
                entries.append({"idTag": card.name, "idTagInfo": {"status": status}})
        return entries

    def _push_local_list(self):
        """Send the company's full card list to these piles (online, able to keep one)."""
        commands = self.env["charge.device.command"]
        for pile in self.filtered(lambda p: p.online and p.model_id.cap_offline_whitelist):
            company = pile.company_id.sudo()
            payload = {"listVersion": max(company.charge_local_list_version, 1), "updateType": "Full",
                       "localAuthorizationList": self._local_list_entries(company)}
            command = pile._send_command("SendLocalList", payload)
            pile.local_list_command_id = command
            commands |= command
        return commands

    def action_push_local_list(self):
        supported = self.filtered(lambda p: p.model_id.cap_offline_whitelist)
        if not supported:
            raise UserError(self.env._("None of these piles keeps a local card list (model capability "
                                       "'Offline Whitelist')."))
        supported._push_local_list()
        return True

    @api.model
    def _cron_push_local_lists(self):
        """Send the list to the online piles that do not hold its current
        version, one pile at a time: the device listener writes the piles all
        the time (last seen, status), so each pile is sent in a savepoint and,
        in the cron, committed at once (a fresh snapshot for the next pile); a
        pile the listener was writing at that moment gets its list at the next
        run instead of failing the whole job. The commit may meet the listener
        too: it publishes the command and records it as sent (a postcommit
        hook of its own transaction) while the listener records the pile's
        answer to it; the answer stands, and the job goes on with a warning
        line, not a traceback."""
        piles = self.search([("online", "=", True), ("model_id.cap_offline_whitelist", "=", True),
                             ("state", "=", "commissioned")])
        due = piles.filtered(lambda p: p.local_list_state in ("pending", "failed"))
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        for done, pile in enumerate(due, start=1):
            serial = pile.serial
            try:
                # a refused statement is expected here: no "bad query" ERROR line for it, the warning says it
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    pile._push_local_list()
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
                _logger.warning("Card list of pile %s not sent (%s, the device listener was writing the pile): "
                                "the next run sends it.", serial, type(error).__name__)
            if not in_cron:
                continue
            try:
                self.env["ir.cron"]._commit_progress(1, remaining=len(due) - done)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
                self.env.cr.rollback()
                _logger.warning("Card list of pile %s: committing its sending met the device listener (%s); "
                                "the next run sends the list again if the pile does not hold it.", serial,
                                type(error).__name__)

    def _on_local_list_accepted(self, command):
        version = json.loads(command.payload).get("listVersion", 0)
        for pile in self:
            if version > pile.local_list_version:
                pile.local_list_version = version

    def _simulator_cast(self):
        """The demo simulator's drivers swipe members' cards the platform
        accepts (active, of a member in good standing, without group limits),
        instead of the piles' own lists: the e-bike riders' cards (the demo's
        category ``card_category_ebike``) on e-bike piles, the others on car
        piles. Its refused driver swipes a lost card or a frozen member's."""
        cast = super()._simulator_cast()
        Card = self.env["charge.card"].sudo()
        company = [("company_id", "in", self.company_id.ids)]
        cards = Card.search(company + [
            ("state", "=", "active"), ("card_type", "in", ("auth", "stored_value")), ("blacklisted", "=", False),
            ("partner_id.charge_status", "=", "normal"), ("group_id", "=", False)])
        ebike_category = self.env.ref("charge_member.card_category_ebike", raise_if_not_found=False)
        ebike_cards = cards.filtered(lambda card: card.category_id == ebike_category) if ebike_category else cards
        by_kind = {"car": sorted((cards - ebike_cards).mapped("name")) or sorted(cards.mapped("name")),
                   "ebike": sorted(ebike_cards.mapped("name"))}
        for pile in self.filtered(lambda p: p.serial in cast["tags"]):
            if by_kind.get(pile.kind):
                cast["tags"][pile.serial] = by_kind[pile.kind]
        refused = Card.search(company + ["|", "|", ("state", "=", "lost"), ("blacklisted", "=", True),
                                         ("partner_id.charge_status", "in", ("frozen", "blacklisted"))])
        cast["refused"] = sorted(set(cast["refused"]) | set(refused.filtered("name").mapped("name")))
        return cast
