import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools import retention

_logger = logging.getLogger(__name__)

# the frames every pile sends all day long; kept a short while
FREQUENT_ACTIONS = ("Heartbeat", "StatusNotification", "MeterValues")
RETENTION_FIELDS = ("charge_message_retention_days", "charge_frequent_message_retention_days",
                    "charge_sample_retention_days", "charge_sample_full_days")


class ResCompany(models.Model):
    """The retention periods of the device data, per company (0 keeps for ever)."""
    _inherit = "res.company"

    charge_message_retention_days = fields.Integer(
        string="Device Messages Kept (days)", default=180,
        help="Frames received from the piles are deleted after this many days, except those of a pile with an "
             "open alarm (and, with billing, of an order not settled yet). 0 keeps them for ever.")
    charge_frequent_message_retention_days = fields.Integer(
        string="Heartbeats and Statuses Kept (days)", default=2,
        help="Heartbeat, StatusNotification and MeterValues frames (most of the log; the meter values themselves "
             "are kept apart) are deleted after this many days. 0 keeps them as long as the other frames.")
    charge_sample_retention_days = fields.Integer(
        string="Unbilled Meter Values Kept (days)", default=30,
        help="Meter values no bill needs (sent outside any session, or with billing, of a session without an "
             "order) are deleted after this many days. 0 keeps them for ever.")
    charge_sample_full_days = fields.Integer(
        string="Order Meter Values Kept in Full (days)", default=180,
        help="The meter values of a finished session are kept whole this many days after its end (the period of "
             "disputes, refunds and invoices); then they are thinned to one per interval, keeping those the "
             "bill is derived from. An order not settled yet keeps all of them. 0 never thins them.")
    charge_sample_thin_minutes = fields.Integer(
        string="Thinned Meter Values Interval (min)", default=15,
        help="Once thinned, a session keeps one meter value per this many minutes (enough to draw its power "
             "curve), its first and last readings and the readings around each tariff band boundary.")

    @api.constrains(*RETENTION_FIELDS, "charge_sample_thin_minutes")
    def _check_charge_retention(self):
        for company in self:
            if any(company[name] < 0 for name in RETENTION_FIELDS):
                raise ValidationError(self.env._("A retention period cannot be negative (0 keeps the data for ever)."))
            if company.charge_sample_thin_minutes < 1:
                raise ValidationError(self.env._("The interval of thinned meter values is at least 1 minute."))


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    charge_message_retention_days = fields.Integer(related="company_id.charge_message_retention_days",
                                                   readonly=False)
    charge_frequent_message_retention_days = fields.Integer(
        related="company_id.charge_frequent_message_retention_days", readonly=False)
    charge_sample_retention_days = fields.Integer(related="company_id.charge_sample_retention_days", readonly=False)
    charge_sample_full_days = fields.Integer(related="company_id.charge_sample_full_days", readonly=False)
    charge_sample_thin_minutes = fields.Integer(related="company_id.charge_sample_thin_minutes", readonly=False)


class ChargeSession(models.Model):
    _inherit = "charge.session"

    meter_values_retention = fields.Selection(
        [("thinned", "Thinned"), ("pruned", "Deleted")], string="Meter Values Retention", readonly=True, copy=False,
        help="Thinned: one meter value per interval is left, with those the bill is derived from. "
             "Deleted: no bill needed them.")

    # the finished sessions the retention job has not handled yet
    _retention_due = models.Index("(stop_date) WHERE state = 'finished' AND meter_values_retention IS NULL")


class ChargeMeterValue(models.Model):
    _inherit = "charge.meter.value"

    # the samples of no session, by age (the retention job deletes the old ones)
    _retention_unattached = models.Index("(timestamp) WHERE session_id IS NULL")


class ChargeRetention(models.AbstractModel):
    """The daily job that deletes the device data past its period and thins
    the meter values of old sessions (see the company's retention settings).
    Each batch is its own transaction, deleted by chunks of ids, so a long
    run holds no lock for long; a run cut by the cron's time limit goes on
    at the next one."""
    _name = "charge.retention"
    _description = "Device Data Retention"

    _retention_rows = 5000  # rows deleted per statement
    _retention_sessions = 200  # sessions per batch

    @api.model
    def _cron_prune(self):
        self.env.flush_all()
        now = fields.Datetime.now()
        default = self.env.company
        for company in self._retention_companies():
            # rows of no company (frames of unknown devices) follow the periods of the job's company
            with_orphans = company == default
            steps = (
                lambda: self._prune_messages(company, now, with_orphans),
                lambda: self._prune_unattached_samples(company, now, with_orphans),
                lambda: self._prune_unbilled_sessions(company, now),
                lambda: self._thin_sessions(company, now),
            )
            for step in steps:
                if not step():
                    _logger.info("Retention: the job's time is up; it goes on at its next run.")
                    cron = self.env.ref("charge_device.cron_retention", raise_if_not_found=False)
                    if cron:
                        cron._trigger()
                    return False
        return True

    def _retention_companies(self):
        return self.env["res.company"].sudo().search([])

    def _commit(self, processed):
        """End a batch: in the cron, commit it; False when the job's time is up."""
        if not self.env.context.get("ir_cron_progress_id"):
            return True
        return self.env["ir.cron"]._commit_progress(processed) > 0

    def _delete_chunks(self, table, condition):
        """Delete the rows of ``table`` (aliased ``r``) matching the SQL ``condition``, a chunk per transaction."""
        while True:
            self.env.cr.execute(SQL("DELETE FROM %s WHERE id IN (SELECT r.id FROM %s r WHERE %s LIMIT %s)",
                                    SQL.identifier(table), SQL.identifier(table), condition, self._retention_rows))
            count = self.env.cr.rowcount
            if not self._commit(count):
                return False
            if count < self._retention_rows:
                return True

    @staticmethod
    def _company_condition(alias, company, with_orphans):
        column = SQL.identifier(alias, "company_id")
        if with_orphans:
            return SQL("(%s = %s OR %s IS NULL)", column, company.id, column)
        return SQL("%s = %s", column, company.id)

    # Device messages -------------------------------------------------------------------

    def _message_keep_conditions(self):
        """SQL conditions on a frame ``r`` (other than a heartbeat) that keep it
        past its period: here, the frames of a pile since its open alarms began."""
        return [SQL("""EXISTS (SELECT 1 FROM charge_alarm a
                                WHERE a.pile_id = r.pile_id AND a.state != 'done' AND a.first_date <= r.received_at)""")]

    def _prune_messages(self, company, now, with_orphans):
        general = company.charge_message_retention_days
        frequent = company.charge_frequent_message_retention_days or general
        keep = self._message_keep_conditions()
        kept = SQL("r.action IS DISTINCT FROM 'Heartbeat' AND (%s)", SQL(" OR ").join(keep)) if keep else SQL("FALSE")
        for days, actions in ((frequent, FREQUENT_ACTIONS), (general, None)):
            if not days:
                continue
            conditions = [self._company_condition("r", company, with_orphans),
                          SQL("r.received_at < %s", now - timedelta(days=days)), SQL("NOT (%s)", kept)]
            if actions:
                conditions.append(SQL("r.action IN %s", actions))
            if not self._delete_chunks("charge_device_message", SQL(" AND ").join(conditions)):
                return False
        return True

    # Meter values ------------------------------------------------------------------------

    def _prune_unattached_samples(self, company, now, with_orphans):
        """Samples sent outside any session (or of a transaction nobody knows)."""
        days = company.charge_sample_retention_days
        if not days:
            return True
        return self._delete_chunks("charge_meter_value", SQL(
            "r.session_id IS NULL AND r.timestamp < %s AND %s", now - timedelta(days=days),
            self._company_condition("r", company, with_orphans)))

    def _unbilled_session_condition(self):
        """SQL condition on a finished session ``s`` whose samples no bill
        needs, or None: without billing, a session's samples are its record."""
        return None

    def _thin_hold_conditions(self, cutoff):
        """SQL conditions on a finished session ``s`` whose samples stay whole
        even though it ended before ``cutoff`` (billing: its order is not settled)."""
        return []

    def _due_sessions(self, company, cutoff, conditions):
        """A batch of the company's finished sessions ended before ``cutoff`` not handled yet."""
        query = SQL("""
            SELECT s.id FROM charge_session s
             WHERE s.state = 'finished' AND s.meter_values_retention IS NULL AND s.stop_date < %s
               AND s.company_id = %s AND %s
          ORDER BY s.stop_date, s.id LIMIT %s
        """, cutoff, company.id, SQL(" AND ").join(conditions or [SQL("TRUE")]), self._retention_sessions)
        self.env.cr.execute(query)
        return [row[0] for row in self.env.cr.fetchall()]

    def _mark_sessions(self, session_ids, state):
        self.env.cr.execute("UPDATE charge_session SET meter_values_retention = %s WHERE id = ANY(%s)",
                            [state, session_ids])
        self.env["charge.session"].invalidate_model(["meter_values_retention", "meter_value_ids"])
        self.env["charge.meter.value"].invalidate_model()

    def _delete_samples(self, sample_ids):
        for start in range(0, len(sample_ids), self._retention_rows):
            self.env.cr.execute("DELETE FROM charge_meter_value WHERE id = ANY(%s)",
                                [sample_ids[start:start + self._retention_rows]])

    def _prune_unbilled_sessions(self, company, now):
        days, condition = company.charge_sample_retention_days, self._unbilled_session_condition()
        if not days or condition is None:
            return True
        cutoff = now - timedelta(days=days)
        while session_ids := self._due_sessions(company, cutoff, [condition]):
            self.env.cr.execute("DELETE FROM charge_meter_value WHERE session_id = ANY(%s)", [session_ids])
            count = self.env.cr.rowcount
            self._mark_sessions(session_ids, "pruned")
            if not self._commit(count):
                return False
            if len(session_ids) < self._retention_sessions:
                break
        return True

    def _thin_pins(self, session_ids):
        """{session id: instants (naive UTC) whose surrounding register
        readings a bill is derived from}; a session mapped to None keeps
        every sample. Billing pins its orders' tariff band boundaries."""
        return {}

    def _thin_sessions(self, company, now):
        days = company.charge_sample_full_days
        if not days:
            return True
        every = timedelta(minutes=company.charge_sample_thin_minutes)
        cutoff = now - timedelta(days=days)
        hold = self._thin_hold_conditions(cutoff)
        conditions = [SQL("NOT (%s)", SQL(" OR ").join(hold))] if hold else []
        while session_ids := self._due_sessions(company, cutoff, conditions):
            self.env.cr.execute("""
                SELECT session_id, id, timestamp, energy_wh, power_w, soc
                  FROM charge_meter_value WHERE session_id = ANY(%s)
            """, [session_ids])
            samples = defaultdict(list)
            for session_id, *values in self.env.cr.fetchall():
                samples[session_id].append(retention.Sample(*values))
            pins = self._thin_pins(session_ids)
            drop = []
            for session_id, rows in samples.items():
                pinned = pins.get(session_id, ())
                if pinned is None:
                    continue
                keep = retention.samples_to_keep(rows, every, pinned)
                drop.extend(sample.id for sample in rows if sample.id not in keep)
            self._delete_samples(drop)
            self._mark_sessions(session_ids, "thinned")
            if not self._commit(len(drop)):
                return False
            if len(session_ids) < self._retention_sessions:
                break
        return True
