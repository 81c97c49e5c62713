from collections import defaultdict

from odoo import models
from odoo.exceptions import MissingError


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
            messages = records._message_log_batch({
                record.id: bodies[record.id] if record.id in bodies else
                record._track_get_default_log_message(tracking[record.id][0]) for record in records
            }, author_id=author_id)
            self.env["mail.tracking.value"].sudo().create([
                dict(command[2], mail_message_id=message.id)
                for message in messages for command in tracking[message.res_id][1]])
        return tracking
