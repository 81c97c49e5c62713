import json
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, mute_logger

_logger = logging.getLogger(__name__)

COMMIT_EVERY = 100  # piles whose card list the cron sends per commit
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
    # read from the commands, not written on the pile: the device listener writes the piles all the time, and a
    # job writing 1,800 of them (piles back after an outage) met it on every other one (serialization failures)
    local_list_command_id = fields.Many2one("charge.device.command", string="Last List Command",
                                            compute="_compute_local_list_command_id",
                                            search="_search_local_list_command_id")
    local_list_state = fields.Selection(LIST_STATES, compute="_compute_local_list_state", string="Local List")

    def _compute_local_list_command_id(self):
        """The pile's latest card list command, for all these piles in one query."""
        latest = {}
        if self.ids:
            Command = self.env["charge.device.command"]
            Command.flush_model(["pile_id", "action"])
            self.env.cr.execute(SQL("""
                SELECT pile_id, MAX(id) FROM charge_device_command
                 WHERE pile_id IN %s AND action = 'SendLocalList' GROUP BY pile_id
            """, tuple(self.ids)))
            latest = dict(self.env.cr.fetchall())
        for pile in self:
            pile.local_list_command_id = latest.get(pile.id, False)

    def _search_local_list_command_id(self, operator, value):
        """Piles whose latest card list command is one of ``value`` (also how
        a command's new state reaches its pile's list state)."""
        if operator != "in":
            return NotImplemented
        ids = tuple({id_ for id_ in value if isinstance(id_, int)})
        if not ids:
            return [("id", "in", [])]
        # one query, and none more for the other commands (every answered command's new state comes here)
        self.env["charge.device.command"].flush_model(["pile_id", "action"])
        self.env.cr.execute(SQL("""
            SELECT command.pile_id FROM charge_device_command command
             WHERE command.id IN %s AND command.action = 'SendLocalList'
               AND NOT EXISTS (SELECT 1 FROM charge_device_command later
                                WHERE later.pile_id = command.pile_id AND later.action = 'SendLocalList'
                                  AND later.id > command.id)
        """, ids))
        return [("id", "in", [row[0] for row in self.env.cr.fetchall()])]

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

    def _push_local_list(self, payloads=None):
        """Send the company's full card list to these piles (online, able to
        keep one); ``payloads`` caches each company's list (``{company id:
        payload}``) across the calls of one job. Only commands are written:
        the piles' rows are the device listener's."""
        commands = self.env["charge.device.command"]
        payloads = {} if payloads is None else payloads
        for pile in self.filtered(lambda p: p.online and p.model_id.cap_offline_whitelist):
            company = pile.company_id.sudo()
            if company.id not in payloads:
                payloads[company.id] = {"listVersion": max(company.charge_local_list_version, 1),
                                        "updateType": "Full",
                                        "localAuthorizationList": self._local_list_entries(company)}
            commands |= pile._send_command("SendLocalList", payloads[company.id])
        self.invalidate_recordset(["local_list_command_id", "local_list_state"])
        return commands

    def action_push_local_list(self):
        supported = self.filtered(lambda p: p.model_id.cap_offline_whitelist)
        if not supported:
            raise UserError(self.env._("None of these piles keeps a local card list (model capability "
                                       "'Offline Whitelist')."))
        supported._push_local_list()
        return True

    @api.model
    def _cron_push_local_lists(self, batch_size=COMMIT_EVERY):
        """Send the list to the online piles that do not hold its current
        version (after an outage, thousands of piles back at once). The job
        writes commands only, never the piles' rows the device listener
        writes all the time, so the two do not meet on them; each company's
        list is built once. Each pile is sent in a savepoint, and the cron
        commits every ``batch_size`` piles: the commit publishes the commands
        and records them as sent (a postcommit hook), which may meet the
        listener recording a pile's answer to one of them; the answer stands,
        and the job goes on with a warning line, not a traceback."""
        piles = self.search([("online", "=", True), ("model_id.cap_offline_whitelist", "=", True),
                             ("state", "=", "commissioned")])
        due = piles.filtered(lambda p: p.local_list_state in ("pending", "failed"))
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        payloads = {}
        for start in range(0, len(due), batch_size):
            batch = due[start:start + batch_size]
            for pile in batch:
                try:
                    # a refused statement is expected here: no "bad query" ERROR line for it, the warning says it
                    with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                        pile._push_local_list(payloads)
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
                    _logger.warning("Card list of pile %s not sent (%s): the next run sends it.", pile.serial,
                                    type(error).__name__)
            if not in_cron:
                continue
            try:
                self.env["ir.cron"]._commit_progress(len(batch), remaining=len(due) - start - len(batch))
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
                self.env.cr.rollback()
                _logger.warning("Card lists of piles %s: committing their sending met the device listener (%s); "
                                "the next run sends them again to the piles that do not hold the list.",
                                ", ".join(batch.mapped("serial")), type(error).__name__)

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
