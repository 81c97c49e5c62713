from odoo import api, fields, models

from . import row_insert
from .charge_tariff_version import BANDS

SEQUENCE_BY_KIND = {"energy": 10, "ebike": 10, "reservation": 20, "occupancy": 30}


class ChargeOrderLine(models.Model):
    """A bill line a customer can check: the energy of one time-of-use
    period at its prices, the reservation fee, the occupancy fee, or the
    minutes of an e-bike session."""
    _name = "charge.order.line"
    _description = "Charging Order Line"
    _order = "order_id, sequence, start_date, id"

    order_id = fields.Many2one("charge.order", required=True, index=True, ondelete="cascade")
    # computed before the INSERT: a bill's lines are written by one statement, with no UPDATE after it
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    sequence = fields.Integer(compute="_compute_sequence", store=True, precompute=True)
    kind = fields.Selection([("energy", "Energy"), ("reservation", "Reservation"), ("occupancy", "Occupancy"),
                             ("ebike", "E-bike Charging")], required=True)
    name = fields.Char(string="Description", compute="_compute_name", store=True, readonly=False)
    band = fields.Selection([("standard", "Standard")] + BANDS)
    start_date = fields.Datetime(string="From")
    stop_date = fields.Datetime(string="To")
    energy_kwh = fields.Float(string="Energy (kWh)", digits=(12, 3))
    quantity = fields.Float(digits=(12, 3))
    electricity_price = fields.Float(string="Electricity Price", digits="Charge Unit Price")
    service_price = fields.Float(string="Service Price", digits="Charge Unit Price")
    electricity_amount = fields.Monetary(string="Electricity")
    service_amount = fields.Monetary(string="Service")
    amount = fields.Monetary()

    @api.depends("kind")
    def _compute_sequence(self):
        for line in self:
            line.sequence = self._sequence_of(line.kind)

    @api.model
    def _sequence_of(self, kind):
        return SEQUENCE_BY_KIND.get(kind, 40)

    @api.model
    def _charge_insert(self, vals_list):
        """Create the bill lines ``vals_list`` (each with its ``order_id``; the
        settle queue writes ~600 a batch) by one INSERT (``row_insert``): their
        company, sequence and description written as the ORM computes them,
        their amounts rounded in their order's currency. ``create`` when the
        model has stored fields this does not know (see ``row_insert``)."""
        orders = self.env["charge.order"].browse({vals["order_id"] for vals in vals_list})
        by_id = {order.id: order for order in orders}
        rows = [dict(vals, company_id=by_id[vals["order_id"]].company_id.id,
                     sequence=vals.get("sequence", self._sequence_of(vals.get("kind"))),
                     name=vals.get("name") or self._label(vals.get("kind"), vals.get("band"), vals.get("quantity")))
                for vals in vals_list]
        lines = row_insert.insert_rows(self, rows, [by_id[vals["order_id"]].currency_id for vals in vals_list])
        return self.create(vals_list) if lines is None else lines

    @api.depends("kind", "band", "quantity")
    def _compute_name(self):
        for line in self:
            if not line.name:
                line.name = self._label(line.kind, line.band, line.quantity)

    @api.model
    def _label(self, kind, band, quantity):
        if kind == "energy":
            return dict(self._fields["band"]._description_selection(self.env)).get(band, "")
        if kind == "reservation":
            return self.env._("Reservation fee")
        if kind == "occupancy":
            return self.env._("Occupancy fee, %s block(s)", int(quantity))
        return self.env._("E-bike charging")
