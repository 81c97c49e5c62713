from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.faults import alarms_for_status


class ChargeAlarm(models.Model):
    """An alarm of a pile: one record per (pile, connector, type) while it is
    open; repeated occurrences raise its count and last time."""
    _name = "charge.alarm"
    _description = "Alarm"
    _inherit = ["mail.thread"]
    _order = "last_date desc, id desc"
    _check_company_auto = True

    type_id = fields.Many2one("charge.alarm.type", string="Alarm Type", required=True, index=True)
    code = fields.Char(related="type_id.code", store=True)
    level = fields.Selection(related="type_id.level", store=True)
    pile_id = fields.Many2one("charge.pile", string="Pile", required=True, index=True, ondelete="cascade")
    connector_id = fields.Many2one("charge.connector", string="Connector", ondelete="cascade")
    station_id = fields.Many2one(related="pile_id.station_id", store=True, index=True)
    company_id = fields.Many2one(related="pile_id.company_id", store=True, index=True)
    detail = fields.Char(help="What the pile reported (OCPP error code, vendor code, info).")
    count = fields.Integer(string="Occurrences", default=1, readonly=True)
    first_date = fields.Datetime(string="First Occurrence", default=fields.Datetime.now, readonly=True)
    last_date = fields.Datetime(string="Last Occurrence", default=fields.Datetime.now, readonly=True, index=True)
    state = fields.Selection(
        [("todo", "To Do"), ("in_progress", "In Progress"), ("done", "Done")],
        required=True, default="todo", index=True, tracking=True,
    )
    handling = fields.Selection(
        [("remote", "Remote Operation"), ("onsite", "On-site Repair"), ("ignored", "No Action Needed"),
         ("auto", "Cleared by the Pile")],
        string="Handling Method", tracking=True,
    )
    note = fields.Text()
    handled_by = fields.Many2one("res.users", readonly=True)
    handled_date = fields.Datetime(readonly=True)
    solution = fields.Text(related="type_id.solution")

    @api.model
    def _raise(self, pile, alarm_type, connector=None, detail=None, when=None):
        """Open an alarm, or count one more occurrence of the open one."""
        when = when or fields.Datetime.now()
        alarm = self.search([
            ("pile_id", "=", pile.id), ("type_id", "=", alarm_type.id),
            ("connector_id", "=", connector.id if connector else False), ("state", "!=", "done"),
        ], limit=1)
        if alarm:
            alarm.write({"count": alarm.count + 1, "last_date": when, "detail": detail or alarm.detail})
            return alarm
        return self.create({
            "pile_id": pile.id, "type_id": alarm_type.id, "connector_id": connector.id if connector else False,
            "detail": detail, "first_date": when, "last_date": when,
        })

    @api.model
    def _raise_for_statuses(self, faults):
        """Alarms for the faulted StatusNotifications ``faults``: (pile id, payload) pairs."""
        types = {t.code: t for t in self.env["charge.alarm.type"].search([])}
        piles = self.env["charge.pile"].browse({pile_id for pile_id, _payload in faults})
        for pile_id, payload in faults:
            pile = piles.filtered(lambda p: p.id == pile_id)
            connector = pile.connector_ids.filtered(lambda c: c.number == payload["connectorId"])
            # the errorCode passed the schema; unreadable vendor codes give alarm 1099
            for code, detail in alarms_for_status(payload["errorCode"], payload.get("vendorErrorCode")):
                if code in types:
                    self._raise(pile, types[code], connector=connector or None,
                                detail=" ".join(filter(None, [detail, payload.get("info")])))

    @api.model
    def _close_recovered(self, recovered):
        """The connectors ``recovered`` ((pile id, number) pairs) report no error any more.
        Most statuses of a listener's batch are such: one query finds their open
        device alarms (usually none), the ORM only closes those it found."""
        if not recovered:
            return
        self.flush_model(["connector_id", "state", "type_id"])
        self.env["charge.connector"].flush_model(["pile_id", "number"])
        self.env["charge.alarm.type"].flush_model(["source"])
        self.env.cr.execute("""
            SELECT DISTINCT a.id
              FROM charge_alarm a
              JOIN charge_connector c ON c.id = a.connector_id
              JOIN unnest(%s::int[], %s::int[]) AS k(pile_id, number) ON c.pile_id = k.pile_id AND c.number = k.number
              JOIN charge_alarm_type t ON t.id = a.type_id
             WHERE a.state != 'done' AND t.source IN ('ocpp', 'vendor')
        """, [[pile_id for pile_id, _number in recovered], [number for _pile_id, number in recovered]])
        alarm_ids = [row[0] for row in self.env.cr.fetchall()]
        if alarm_ids:
            self.browse(alarm_ids)._close_automatically(
                self.env._("The pile reports the connector without error again."))

    def action_start(self):
        self.filtered(lambda a: a.state == "todo").state = "in_progress"

    def action_done(self):
        if missing := self.filtered(lambda a: not a.handling):
            raise UserError(self.env._("Choose the handling method of alarm %s first.", missing[0].display_name))
        self.write({"state": "done", "handled_by": self.env.uid, "handled_date": fields.Datetime.now()})

    def _close_automatically(self, note):
        self.write({"state": "done", "handling": "auto", "note": note, "handled_date": fields.Datetime.now()})
