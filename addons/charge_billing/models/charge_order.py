from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.charge_device.tools import ocpp_labels

from ..tools import occupancy as occupancy_rule

STATES = [
    ("starting", "Starting"),
    ("charging", "Charging"),
    ("stopping", "Stopping"),
    ("completed", "Completed"),
    ("suspended", "Suspended"),
    ("abnormal", "Abnormal"),
    ("voided", "Voided"),
]
OPEN_STATES = ("starting", "charging", "stopping", "suspended")
START_METHODS = [
    ("app", "App"),
    ("card", "Card"),
    ("vin", "VIN"),
    ("plan", "Charging Plan"),
    ("backoffice", "Back Office"),
]


class ChargeOrder(models.Model):
    """A charging order: one per session, priced by the tariff version in
    force when it started. Its state follows the device events; back-office
    clerks stop, settle, handle or void it."""
    _name = "charge.order"
    _description = "Charging Order"
    _inherit = ["mail.thread", "mail.activity.mixin", "charge.protected.fields"]
    _order = "start_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Order", required=True, readonly=True, copy=False, default="/", index="trigram")
    session_id = fields.Many2one("charge.session", string="Session", readonly=True, index=True, ondelete="restrict",
                                 copy=False)
    station_id = fields.Many2one(related="pile_id.station_id", store=True, index=True)
    area_id = fields.Many2one(related="pile_id.area_id", store=True)
    pile_id = fields.Many2one("charge.pile", string="Pile", required=True, readonly=True, index=True,
                              ondelete="restrict")
    connector_id = fields.Many2one("charge.connector", string="Connector", required=True, readonly=True,
                                   ondelete="restrict", check_company=True)
    company_id = fields.Many2one(related="pile_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection(related="pile_id.kind", store=True)
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, tracking=True)
    id_tag = fields.Char(string="Id Tag", readonly=True, index=True)
    start_method = fields.Selection(START_METHODS, required=True, default="card", readonly=True)
    state = fields.Selection(STATES, required=True, default="starting", index=True, readonly=True, tracking=True,
                             copy=False)
    start_date = fields.Datetime(string="Started", readonly=True, index=True, default=fields.Datetime.now)
    stop_date = fields.Datetime(string="Ended", readonly=True)
    duration_minutes = fields.Float(string="Duration (min)", compute="_compute_duration", store=True,
                                    digits=(10, 1), aggregator="sum")
    tariff_version_id = fields.Many2one("charge.tariff.version", string="Tariff Version", readonly=True,
                                        ondelete="restrict")
    tariff_id = fields.Many2one(related="tariff_version_id.tariff_id", store=True, string="Tariff")
    tariff_snapshot = fields.Text(readonly=True, help="The tariff as it priced this order.")
    energy_kwh = fields.Float(string="Energy (kWh)", digits=(12, 3), readonly=True, aggregator="sum")
    energy_standard = fields.Float(string="Standard (kWh)", digits=(12, 3), readonly=True, aggregator="sum")
    energy_sharp = fields.Float(string="Sharp (kWh)", digits=(12, 3), readonly=True, aggregator="sum")
    energy_peak = fields.Float(string="Peak (kWh)", digits=(12, 3), readonly=True, aggregator="sum")
    energy_flat = fields.Float(string="Flat (kWh)", digits=(12, 3), readonly=True, aggregator="sum")
    energy_valley = fields.Float(string="Valley (kWh)", digits=(12, 3), readonly=True, aggregator="sum")
    amount_electricity = fields.Monetary(string="Electricity", readonly=True)
    amount_service = fields.Monetary(string="Service", readonly=True)
    amount_reservation = fields.Monetary(string="Reservation Fee", readonly=True)
    amount_occupancy = fields.Monetary(string="Occupancy Fee", readonly=True)
    amount_total = fields.Monetary(string="Total", readonly=True, tracking=True)
    amount_pile = fields.Monetary(string="Pile Amount", readonly=True,
                                  help="What the pile computed, when it reports it.")
    end_reason = fields.Char(string="End Reason (OCPP)", readonly=True,
                             help="The session's stop reason as the pile sent it.")
    end_reason_label = fields.Selection(ocpp_labels.STOP_REASONS, string="End Reason",
                                        compute="_compute_end_reason_label")
    line_ids = fields.One2many("charge.order.line", "order_id", string="Bill Lines", readonly=True)
    anomaly_ids = fields.One2many("charge.order.anomaly", "order_id", string="Anomalies", readonly=True)
    abnormal_type = fields.Selection([("data", "Data Exception"), ("control", "Control Exception")],
                                     readonly=True)
    abnormal_date = fields.Datetime(string="Abnormal Since", readonly=True)
    meter_backwards = fields.Boolean(readonly=True)
    pricing_error = fields.Char(readonly=True, help="Why the engine could not price the order.")
    handling_ids = fields.One2many("charge.order.handling", "order_id", string="Handlings")
    review_pending = fields.Boolean(compute="_compute_review_pending", store=True, string="Awaiting Review")
    settled_on_last_reading = fields.Boolean(readonly=True)
    power_curve = fields.Text(related="session_id.power_curve")
    meter_value_ids = fields.One2many(related="session_id.meter_value_ids", string="Charging Records")
    soc_start = fields.Float(string="SoC at Start (%)", digits=(5, 1), readonly=True)
    soc_stop = fields.Float(string="SoC at End (%)", digits=(5, 1), readonly=True)
    max_power_kw = fields.Float(string="Maximum Power (kW)", digits=(10, 3), readonly=True)
    occupancy_start = fields.Datetime(readonly=True, help="Charging ended with the gun still plugged in.")
    occupancy_stop = fields.Datetime(readonly=True, help="The gun was unplugged.")
    occupancy_minutes = fields.Float(string="Occupancy (min)", digits=(10, 1), readonly=True)
    occupancy_open = fields.Boolean(readonly=True, index=True,
                                    help="The order waits for the gun to be unplugged: it is still in after "
                                         "charging, or the pile has not reported the connector since the stop.")
    reservation_id = fields.Many2one("charge.reservation", string="Reservation", readonly=True, index=True)
    prepaid_amount = fields.Monetary(string="Prepaid Amount", readonly=True)
    prepaid_minutes = fields.Integer(string="Prepaid Minutes", readonly=True)
    auto_stop_sent = fields.Boolean(readonly=True)
    start_command_id = fields.Many2one("charge.device.command", string="Start Command", readonly=True)
    stop_command_id = fields.Many2one("charge.device.command", string="Stop Command", readonly=True)

    _session_unique = models.Constraint("UNIQUE(session_id)", "A session has one order.")

    # orders are opened by the device bus and the start wizard, and every field the model keeps read-only
    # (amounts, energy, state, lines, payment) changes through the order's actions only
    _charge_protected_create = True

    def _charge_protected_field_names(self):
        return super()._charge_protected_field_names() | {
            name for name, field in self._fields.items()
            if field.store and field.readonly and not field.compute and not field.related
        }

    @api.depends("end_reason")
    def _compute_end_reason_label(self):
        for order in self:
            order.end_reason_label = ocpp_labels.label_key(order.end_reason, ocpp_labels.STOP_REASONS)

    @api.depends("start_date", "stop_date")
    def _compute_duration(self):
        for order in self:
            if order.start_date and order.stop_date:
                order.duration_minutes = (order.stop_date - order.start_date).total_seconds() / 60
            else:
                order.duration_minutes = 0

    @api.depends("handling_ids.state")
    def _compute_review_pending(self):
        for order in self:
            order.review_pending = any(h.state == "to_review" for h in order.handling_ids)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("charge.order") or "/"
        return super().create(vals_list)

    # Device events ---------------------------------------------------------------

    @api.model
    def _open_for_session(self, session):
        """The order of a session the pile just started: the back-office
        order waiting on that connector, else a new one."""
        order = self.search([("connector_id", "=", session.connector_id.id), ("state", "=", "starting"),
                             ("session_id", "=", False), ("id_tag", "=", session.id_tag)], limit=1)
        reservation = self.env["charge.reservation"]._claim(session)
        values = {
            "session_id": session.id, "start_date": session.start_date, "state": "charging",
            "reservation_id": reservation.id, "soc_start": session.soc,
        }
        if not order:
            version = session.pile_id._tariff_version_at(session.start_date)
            order = self.create({
                "pile_id": session.pile_id.id, "connector_id": session.connector_id.id,
                "id_tag": session.id_tag, "tariff_version_id": version.id, **self._new_order_values(session),
            })
            if reservation.partner_id:
                order.partner_id = reservation.partner_id
        if not session.authorized:
            values.update(state="abnormal", abnormal_type="control", abnormal_date=fields.Datetime.now())
        order.write(values)
        if not order.tariff_snapshot:
            order._take_tariff_snapshot()
        if not session.authorized:
            order._record_anomalies([("start_rejected", {"tag": session.id_tag})])
        return order

    @api.model
    def _new_order_values(self, session):
        """Values of the order of a session the pile started on its own: how
        it was started and for whom. charge_member knows the cards, VINs and
        members behind the id tags."""
        return {"start_method": "card", "partner_id": False}

    def _on_session_stopped(self):
        """The order ends: its stop and end reason are written at once, and
        a car's occupancy opens when the gun is still in (or while the pile
        has not said yet, see ``tools/occupancy.py``); the order stays
        *Stopping* and waits for the settle queue, triggered for after the
        commit (see ``settle_queue.py``), which prices, checks and completes it."""
        stopped = self.filtered(lambda o: o.state in OPEN_STATES)
        for order in stopped:
            session = order.session_id
            connector = session.connector_id
            occupancy = occupancy_rule.at_stop(connector.status, connector.status_date, session.stop_date,
                                               session.stop_reason) if order.kind == "car" else occupancy_rule.NONE
            # no tracking message in the device transaction: the queue's completion is tracked
            order.with_context(mail_notrack=True).write({
                "stop_date": session.stop_date, "end_reason": session.stop_reason,
                "occupancy_start": session.stop_date if occupancy == occupancy_rule.OPEN else False,
                "occupancy_open": occupancy != occupancy_rule.NONE,
                "state": "stopping", "settle_pending": True, "settle_error": False,
            })
        if stopped:
            self._charge_trigger_settle()

    def _on_session_state(self, state):
        """The session was suspended (pile offline) or resumed."""
        for order in self:
            if state == "suspended" and order.state in ("charging", "stopping", "starting"):
                order.state = "suspended"
            elif state == "active" and order.state == "suspended":
                order.state = "charging"

    def _on_start_failed(self, reason):
        for order in self.filtered(lambda o: o.state == "starting"):
            order.write({"state": "abnormal", "abnormal_type": "control", "abnormal_date": fields.Datetime.now()})
            order._record_anomalies([("start_failed", {"reason": reason})])

    def _on_order_repriced(self, old_total):
        """Hook: a handling (settled or adjusted by hand) has just priced the
        order again, whose total was ``old_total``; called in the same
        transaction, before the order completes. charge_member settles a paid
        order's difference with its wallet here (and refuses the new price
        when the wallet cannot pay it)."""

    # Back-office actions ----------------------------------------------------------

    def action_stop(self):
        """Stop remotely; a pile out of reach is settled on its last reading."""
        for order in self._charge_action():
            if order.state not in OPEN_STATES:
                raise UserError(self.env._("Order %s is not in progress.", order.name))
            if order.state == "starting" and not order.session_id:
                order._on_start_failed(self.env._("stopped by %s before the pile started", self.env.user.name))
                continue
            if order.pile_id.online and order.state != "suspended":
                command = self.env["charge.device.command"]._send(
                    order.pile_id, "RemoteStopTransaction", {"transactionId": order.session_id.id},
                    connector=order.connector_id)
                order.write({"state": "stopping", "stop_command_id": command.id})
            else:
                order._settle_on_last_reading(note=self.env._("The pile was unreachable when %s stopped the order.",
                                                              self.env.user.name))
        return True

    def action_mark_abnormal(self):
        for order in self._charge_action():
            if order.state in ("voided",):
                raise UserError(self.env._("A voided order cannot be marked abnormal."))
            order.write({"state": "abnormal", "abnormal_type": order.abnormal_type or "data",
                         "abnormal_date": fields.Datetime.now()})
            order._record_anomalies([("manual", {"user": self.env.user.name})])
        return True

    def action_open_settle(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "name": self.env._("Settle on the Last Reading"),
                "res_model": "charge.order.settle", "view_mode": "form", "target": "new",
                "context": {"default_order_id": self.id}}

    def action_open_handle(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "name": self.env._("Handle Abnormal Order"),
                "res_model": "charge.order.handle", "view_mode": "form", "target": "new",
                "context": {"default_order_id": self.id}}

    def action_view_session(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "charge.session", "res_id": self.session_id.id,
                "view_mode": "form"}

    def action_export_xlsx(self):
        return {"type": "ir.actions.act_url", "target": "download",
                "url": f"/charge_billing/orders/xlsx?ids={','.join(map(str, self.ids))}"}

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Charging orders are never deleted: void them."))
