from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.charge_device.tools.ocpp_values import format_time

TIMEOUT = timedelta(hours=2)


class ChargeReservation(models.Model):
    """A connector held for a customer (OCPP ReserveNow). It is *reserved*
    until the customer starts charging there (*occupying*), then *completed*
    when the gun is unplugged; *cancelled* by the customer or a clerk, or
    *timed out* two hours after it began (or at the tariff's hold time)."""
    _name = "charge.reservation"
    _description = "Connector Reservation"
    _inherit = ["mail.thread", "charge.protected.fields"]
    _order = "reserve_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    connector_id = fields.Many2one("charge.connector", required=True, index=True, ondelete="restrict",
                                   check_company=True)
    pile_id = fields.Many2one(related="connector_id.pile_id", store=True, index=True)
    station_id = fields.Many2one(related="connector_id.station_id", store=True)
    company_id = fields.Many2one(related="connector_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True)
    id_tag = fields.Char(string="Id Tag", required=True, help="The tag the customer starts with.")
    whitelisted = fields.Boolean(help="Whitelisted vehicles accrue no occupancy time.")
    state = fields.Selection(
        [("draft", "Draft"), ("reserved", "Reserved"), ("occupying", "Occupying"), ("completed", "Completed"),
         ("cancelled", "Cancelled"), ("timeout", "Timed Out")],
        required=True, default="draft", readonly=True, tracking=True, index=True)
    reserve_date = fields.Datetime(string="Reserved At", readonly=True)
    expiry_date = fields.Datetime(string="Held Until", readonly=True)
    occupy_date = fields.Datetime(string="Occupied From", readonly=True)
    end_date = fields.Datetime(string="Ended", readonly=True)
    fee = fields.Monetary(readonly=True, help="The reservation fee of the tariff in force.")
    charging_minutes = fields.Float(string="Charging (min)", digits=(10, 1), readonly=True)
    occupancy_minutes = fields.Float(string="Occupancy (min)", digits=(10, 1), readonly=True,
                                     help="Time on the space, charging time excluded; zero for whitelisted vehicles.")
    reservation_number = fields.Integer(string="OCPP Reservation Id", readonly=True, copy=False)
    command_ids = fields.Many2many("charge.device.command", string="Commands", readonly=True)
    order_ids = fields.One2many("charge.order", "reservation_id", string="Orders")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("charge.reservation") or "/"
        return super().create(vals_list)

    def _charge_protected_field_names(self):
        # the state, its dates, the fee and the times billed change through the reservation's actions only
        protected = super()._charge_protected_field_names() | {
            name for name, field in self._fields.items()
            if field.store and field.readonly and not field.compute and not field.related and name != "name"
        }
        # exempting a vehicle from the occupancy fee is a Charging Manager's decision, not a clerk's
        if not self.env.user.has_group("charge_base.group_charge_manager"):
            protected.add("whitelisted")
        return protected

    def action_reserve(self):
        """Send ReserveNow; the connector is held until the expiry."""
        now = fields.Datetime.now()
        for reservation in self:
            if reservation.state != "draft":
                raise UserError(self.env._("Reservation %s was already sent.", reservation.name))
            connector = reservation.connector_id
            version = connector.pile_id._tariff_version_at(now)
            if not version or not version.reservation_enabled:
                raise UserError(self.env._(
                    "Reservations are disabled on %s: its tariff sets no reservation fee or hold time.",
                    connector.display_name))
            if not connector.pile_id.model_id.cap_reservation:
                raise UserError(self.env._("Pile model %s does not support reservations.",
                                           connector.pile_id.model_id.display_name))
            if self.search_count([("connector_id", "=", connector.id), ("state", "in", ("reserved", "occupying"))]):
                raise UserError(self.env._("Connector %s is already reserved.", connector.display_name))
            expiry = now + min(timedelta(minutes=version.reservation_hold_minutes), TIMEOUT)
            number = reservation.id
            command = connector.pile_id._send_command("ReserveNow", {
                "connectorId": connector.number, "expiryDate": format_time(expiry), "idTag": reservation.id_tag,
                "reservationId": number}, connector=connector)
            reservation._charge_action().write({"state": "reserved", "reserve_date": now, "expiry_date": expiry,
                               "fee": version.reservation_fee, "reservation_number": number,
                               "command_ids": [fields.Command.link(command.id)]})
        return True

    def action_cancel(self):
        for reservation in self:
            if reservation.state == "draft":
                reservation._charge_action().state = "cancelled"
                continue
            if reservation.state != "reserved":
                raise UserError(self.env._("Only a reservation still waiting for its customer can be cancelled."))
            if reservation.pile_id.online:
                command = self.env["charge.device.command"]._send(
                    reservation.pile_id, "CancelReservation", {"reservationId": reservation.reservation_number},
                    connector=reservation.connector_id)
                reservation._charge_action().command_ids = [fields.Command.link(command.id)]
            reservation._charge_action().write({"state": "cancelled", "end_date": fields.Datetime.now()})
        return True

    def action_end(self):
        """End a reservation by hand (the platform ends it: completed)."""
        for reservation in self:
            if reservation.state not in ("reserved", "occupying"):
                raise UserError(self.env._("Only a running reservation can be ended."))
            reservation._complete(fields.Datetime.now())
        return True

    @api.model
    def _claim(self, session):
        """The reservation a session starts under: the customer's reservation of that connector."""
        reservation = self.search([("connector_id", "=", session.connector_id.id), ("state", "=", "reserved"),
                                   ("id_tag", "=", session.id_tag)], limit=1)
        if reservation:
            reservation._charge_action().write({"state": "occupying", "occupy_date": session.start_date})
        return reservation

    def _close_if_free(self):
        """Complete the reservations whose orders are all final and whose gun is out."""
        for reservation in self:
            orders = reservation.order_ids
            if any(o.state in ("starting", "charging", "stopping", "suspended") or o.occupancy_open for o in orders):
                continue
            ends = [o.occupancy_stop or o.stop_date for o in orders if o.occupancy_stop or o.stop_date]
            reservation._complete(max(ends) if ends else fields.Datetime.now())

    def _complete(self, end):
        for reservation in self:
            charging = sum(((o.stop_date or end) - o.start_date).total_seconds() / 60
                           for o in reservation.order_ids if o.start_date)
            start = reservation.occupy_date or end
            occupied = max((end - start).total_seconds() / 60 - charging, 0)
            reservation._charge_action().write({
                "state": "completed", "end_date": end, "charging_minutes": charging,
                "occupancy_minutes": 0 if reservation.whitelisted else occupied,
            })

    @api.model
    def _cron_expire(self):
        """Reservations nobody used: timed out at their expiry (at most 2 hours)."""
        now = fields.Datetime.now()
        self.search([("state", "=", "reserved"), ("expiry_date", "<=", now)])._charge_action().write(
            {"state": "timeout", "end_date": now})
