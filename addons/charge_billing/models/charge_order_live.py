import logging

from psycopg2.extras import execute_values

from odoo import api, fields, models
from odoo.tools import format_amount

from ..tools.tou_grid import TariffError

_logger = logging.getLogger(__name__)

# the states an order has live figures in: its session runs (or ran until the pile went offline)
LIVE_STATES = ("charging", "stopping", "suspended")
# the bus notification open order views listen to (static/src/live_order_figures.js)
LIVE_CHANNEL = "charge_order_live"
# a running order's cost is priced again once its readings moved on by this many seconds
LIVE_PRICING_SECONDS = 30


class ChargeOrder(models.Model):
    """Live figures of a running order: what a clerk on the phone with the
    member needs while the car charges. The device listener writes them, in
    one statement per batch, when meter values arrive (``ChargeDeviceBus._meter_values``
    below): lists of running orders read stored columns, and the amount is
    priced once per reading, not once per reader. Only the duration, which
    grows with the clock, is computed on read."""
    _inherit = "charge.order"

    live_energy_kwh = fields.Float(string="Energy So Far (kWh)", digits=(12, 3), readonly=True,
                                   help="Energy delivered up to the latest reading of the running charge.")
    live_amount = fields.Monetary(string="Cost So Far", readonly=True,
                                  help="The bill of the running charge on its latest reading, priced with the "
                                       "order's tariff snapshot.")
    live_soc = fields.Float(string="SoC Now (%)", digits=(5, 1), readonly=True,
                            help="The state of charge the pile reported last.")
    live_power_kw = fields.Float(string="Power Now (kW)", digits=(10, 2), readonly=True,
                                 help="The power the pile reported last.")
    live_reading_date = fields.Datetime(string="Last Reading", readonly=True,
                                        help="When the pile took the latest reading of the running charge.")
    live_amount_date = fields.Datetime(string="Cost As Of", readonly=True,
                                       help="The reading the cost so far was priced on: it is priced again "
                                            "every half minute of readings.")
    live_duration_minutes = fields.Float(string="Charging For (min)", digits=(10, 1),
                                         compute="_compute_live_duration",
                                         help="Minutes since the start, while the order runs.")
    live_summary = fields.Char(string="Live", compute="_compute_live_summary",
                               help="Energy, cost, duration and SoC of the running charge.")

    @api.depends("state", "start_date", "duration_minutes")
    def _compute_live_duration(self):
        now = fields.Datetime.now()
        for order in self:
            if order.state in LIVE_STATES and order.start_date:
                order.live_duration_minutes = max((now - order.start_date).total_seconds(), 0) / 60
            else:
                order.live_duration_minutes = order.duration_minutes

    @api.depends("state", "live_energy_kwh", "live_amount", "live_soc", "live_duration_minutes")
    def _compute_live_summary(self):
        for order in self:
            if order.state not in LIVE_STATES:
                order.live_summary = False
                continue
            parts = [f"{order.live_energy_kwh:.3f} kWh",
                     format_amount(self.env, order.live_amount, order.currency_id),
                     self.env._("%s min", round(order.live_duration_minutes))]
            if order.live_soc:
                parts.append(f"{order.live_soc:.0f}%")
            order.live_summary = " · ".join(parts)

    def _live_bill(self, readings=None):
        """The engine's bill of the running order on its latest reading (an
        e-bike's runs to now: its cost grows with time), or None without a
        tariff snapshot; ``readings`` are its session's meter values when the
        caller read them (``_meter_readings``). Raises TariffError when the
        engine cannot price it, a meter gone backwards included (what it costs
        is not known)."""
        self.ensure_one()
        bill = self._charge_bill(stop=fields.Datetime.now() if self.kind == "ebike" else None, readings=readings)
        if bill is not None and getattr(bill, "meter_backwards", False):
            raise TariffError("meter_backwards", "the meter went backwards")
        return bill

    @api.model
    def _record_live_readings(self, readings):
        """Copy the sessions' latest readings to their running orders, in one
        statement: ``readings`` maps (session id, pile id) to the time of the
        latest sample of the batch. Returns the ids of the orders updated and,
        among them, those whose cost is due for pricing (never priced, or
        priced on a reading LIVE_PRICING_SECONDS or more before this one)."""
        # the statement reads and writes the columns directly: the ORM's pending writes go first
        self.env["charge.session"].flush_model(["energy_kwh", "soc", "power_kw", "pile_id"])
        self.flush_model(["state", "session_id", "live_reading_date", "live_amount_date"])
        states = ", ".join(f"'{state}'" for state in LIVE_STATES)  # constants of this module
        rows = execute_values(self.env.cr._obj, f"""
            UPDATE charge_order o
               SET live_energy_kwh = s.energy_kwh, live_soc = s.soc, live_power_kw = s.power_kw,
                   live_reading_date = GREATEST(o.live_reading_date, v.reading)
              FROM charge_session s, (VALUES %s) AS v(session_id, pile_id, reading)
             WHERE s.id = v.session_id AND s.pile_id = v.pile_id AND o.session_id = s.id
               AND o.state IN ({states})
         RETURNING o.id, (o.live_amount_date IS NULL
                          OR o.live_amount_date <= v.reading - interval '{int(LIVE_PRICING_SECONDS)} seconds')
        """, [(session_id, pile_id, reading) for (session_id, pile_id), reading in readings.items()],
            template="(%s::int, %s::int, %s::timestamp)", fetch=True)
        return [row[0] for row in rows], [row[0] for row in rows if row[1]]

    def _price_live(self):
        """Price these running orders on their latest reading (``_live_bill``)
        and write the cost so far, in one statement. Their sessions' meter
        values are read in one query for the batch, not through the ORM per
        order (a long session has hundreds). An order the engine cannot price
        keeps its last cost."""
        rows = []
        readings = self._meter_readings()
        for order in self:
            try:
                bill = order._live_bill(readings.get(order.session_id.id, []))
                amount = float(bill.total) if bill is not None else 0.0
            except TariffError as error:
                _logger.info("Order %s: no live amount, the tariff cannot price it (%s).", order.name, error)
                amount = None
            rows.append((order.id, amount, order.live_reading_date))
        if rows:
            execute_values(self.env.cr._obj, """
                UPDATE charge_order o
                   SET live_amount = COALESCE(v.amount, o.live_amount), live_amount_date = v.reading
                  FROM (VALUES %s) AS v(id, amount, reading)
                 WHERE o.id = v.id
            """, rows, template="(%s, %s::numeric, %s::timestamp)")
            self.invalidate_recordset(["live_amount", "live_amount_date"])

    @api.model
    def _notify_live(self, order_ids):
        """Tell the open order and connector views of the Charging Users that these orders changed."""
        if order_ids:
            orders = self.browse(order_ids)
            # the group by its id: env.ref() would read it to check that it exists, on every stop
            group_id = self.env["ir.model.data"]._xmlid_to_res_id("charge_base.group_charge_user")
            group = self.env["res.groups"].browse(group_id)
            self.env["bus.bus"]._sendone(group, LIVE_CHANNEL, {
                "orders": sorted(order_ids), "connectors": sorted(set(orders.sudo().connector_id.ids))})

    def _on_session_stopped(self):
        super()._on_session_stopped()
        # the open views of the order show its bill instead of its live figures
        self._notify_live(self.ids)


class ChargeConnector(models.Model):
    """The connector kanban card shows the live figures of the charge running on it."""
    _inherit = "charge.connector"

    live_order_summary = fields.Char(string="Charging Now", compute="_compute_live_order_summary",
                                     help="Energy, cost, duration and SoC of the order charging on the connector.")

    def _compute_live_order_summary(self):
        orders = self.env["charge.order"].search([("connector_id", "in", self.ids), ("state", "in", LIVE_STATES)],
                                                 order="start_date desc")
        latest = {}
        for order in orders:  # the latest start first
            latest.setdefault(order.connector_id.id, order)
        for connector in self:
            order = latest.get(connector.id)
            connector.live_order_summary = order.live_summary if order else False


class ChargeDeviceBus(models.AbstractModel):
    _inherit = "charge.device.bus"

    def _meter_values(self, items):
        """After the samples are stored: the running orders' live figures, one
        statement for the batch; their cost is priced at most once per
        LIVE_PRICING_SECONDS of readings (a pile sampling every few seconds
        costs no more pricing than one sampling every minute)."""
        progress = super()._meter_values(items)
        readings = {key: sample["timestamp"] for key, sample in progress.items()}
        if not readings:
            return progress
        Order = self.env["charge.order"].sudo()
        updated, due = Order._record_live_readings(readings)
        if updated:
            Order.invalidate_model(["live_energy_kwh", "live_soc", "live_power_kw", "live_reading_date"])
            Order.browse(due)._price_live()
            Order._notify_live(updated)
        return progress
