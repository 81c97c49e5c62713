from collections import defaultdict

from markupsafe import escape

from odoo import models
from odoo.exceptions import MissingError
from odoo.tools import clean_context
from odoo.tools.mail import generate_tracking_message_id

from odoo.addons.mail.models import mail_message
from odoo.addons.mail.models.mail_message import _image_dataurl

from . import row_insert

MAIL_MESSAGE = mail_message.__name__  # the module of mail.message's create, whose work _charge_insert_log does


class ChargeOrder(models.Model):
    """The chatter's tracking of a batch of orders (the settle queue changes
    the state, total and payment of up to 200 orders in one transaction)."""
    _inherit = "charge.order"

    def _message_track(self, fields_iter, initial_values_dict):
        """mail.thread's tracking with the same messages (a note per changed
        order with its tracking values, by the same author, with the same
        body), written by one create of the notes per author and one create
        of all their tracking values instead of two creates per order. A
        tracking subtype (none today) is left to mail.thread."""
        if len(self) < 2 or not fields_iter:
            return super()._message_track(fields_iter, initial_values_dict)
        tracked_fields = self.fields_get(fields_iter, attributes=("string", "type", "selection", "currency_field"))
        tracking = {}
        for record in self:
            try:
                tracking[record.id] = record._mail_track(tracked_fields, initial_values_dict[record.id])
            except MissingError:
                continue
        changed = self.browse(id_ for id_, (changes, _values) in tracking.items() if changes)
        if any(record._track_subtype({name: initial_values_dict[record.id][name]
                                      for name in tracking[record.id][0]}) for record in changed):
            return super()._message_track(fields_iter, initial_values_dict)
        bodies = self.env.cr.precommit.data.pop(f"mail.tracking.message.{self._name}", {})
        authors = self.env.cr.precommit.data.pop(f"mail.tracking.author.{self._name}", {})
        by_author = defaultdict(list)
        for record in changed:
            if tracking[record.id][1]:
                by_author[authors[record.id].id if record.id in authors else None].append(record.id)
        for author_id, ids in by_author.items():
            records = self.browse(ids)
            log = {record.id: bodies[record.id] if record.id in bodies else
                   record._track_get_default_log_message(tracking[record.id][0]) for record in records}
            messages = records._charge_insert_log(log, author_id)
            if messages is None:
                messages = records._message_log_batch(log, author_id=author_id)
            values = [dict(command[2], mail_message_id=message.id)
                      for message in messages for command in tracking[message.res_id][1]]
            Value = self.env["mail.tracking.value"].sudo()
            if row_insert.insert_rows(Value, values, [None] * len(values)) is None:
                Value.create(values)
        return tracking

    def _charge_insert_log(self, bodies, author_id):
        """The notes of ``_message_log_batch`` (``bodies``: {order id: body})
        with the values it and ``mail.message``'s ``create`` give them (the
        author, the note subtype, one message id and reply-to for the batch),
        written by one INSERT (``row_insert``) instead of a create whose cost
        is mostly the ORM linking each message to its order's chatter. None
        (the caller logs them with ``_message_log_batch``) when a body holds
        an image to extract or ``mail.message`` is not one ``row_insert``
        writes (another module's create)."""
        if any(_image_dataurl.search(body or "") for body in bodies.values()):
            return None
        author_id, email_from = self._message_compute_author(author_id, None)
        base = {
            "author_id": author_id, "email_from": email_from, "model": self._name,
            "record_alias_domain_id": False, "record_company_id": False, "message_type": "notification",
            "is_internal": True, "subject": False,
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            "email_add_signature": False, "message_id": generate_tracking_message_id("message-notify"),
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(default=email_from, author_id=author_id)[False],
        }
        values = [dict(base, res_id=record.id, body=escape(bodies.get(record.id, ""))) for record in self]
        Message = self.env["mail.message"].sudo().with_context(clean_context(self.env.context))
        messages = row_insert.insert_rows(Message, values, [None] * len(values), allowed_modules=(MAIL_MESSAGE,))
        if messages is not None:
            # as mail.message's create: the orders' chatter is read again
            self.invalidate_recordset(["message_ids", "message_needaction", "message_needaction_counter"])
        return messages
