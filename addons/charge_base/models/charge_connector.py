import re

from odoo import api, fields, models
from odoo.fields import Domain

from ..tools.serials import connector_code

INTERFACE_TYPES = [
    ("gbt_dc", "GB/T DC"),
    ("gbt_ac", "GB/T AC"),
    ("ccs2", "CCS2"),
    ("type2", "Type 2"),
    ("chademo", "CHAdeMO"),
    ("ebike_socket", "E-bike Socket"),
]

# what a user types for a connector: its display name "CODE (Label)", or a pile serial and a connector number
DISPLAYED = re.compile(r"^(?P<code>\S+)\s*\((?P<label>.*?)\)?$")
SERIAL_NUMBER = re.compile(r"^(?P<serial>.+?)[\s#/:_.-]+0*(?P<number>\d{1,2})$")

# OCPP 1.6 ChargePointStatus, plus "offline" when the pile is not connected.
CONNECTOR_STATUSES = [
    ("available", "Available"),
    ("preparing", "Preparing"),
    ("charging", "Charging"),
    ("suspended_ev", "Suspended by EV"),
    ("suspended_evse", "Suspended by Charger"),
    ("finishing", "Finishing"),
    ("reserved", "Reserved"),
    ("unavailable", "Unavailable"),
    ("faulted", "Faulted"),
    ("offline", "Offline"),
]


class ChargeConnector(models.Model):
    _name = "charge.connector"
    _description = "Connector"
    _order = "pile_id, number"
    _check_company_auto = True

    pile_id = fields.Many2one(
        "charge.pile", string="Pile", required=True, ondelete="cascade", index=True,
    )
    number = fields.Integer(required=True, default=1, help="Connector number on the pile, from 1.")
    name = fields.Char(
        string="Label", help="Name shown to drivers, such as 'A' or 'Gun 1'.",
    )
    code = fields.Char(compute="_compute_code", store=True, index=True, readonly=True)
    interface_type = fields.Selection(INTERFACE_TYPES, string="Interface Type")
    max_power = fields.Float(string="Maximum Power (kW)", digits=(10, 2))
    status = fields.Selection(
        CONNECTOR_STATUSES, required=True, default="offline", index=True, readonly=True,
        help="Reported by the pile over the device bus.",
    )
    status_date = fields.Datetime(string="Status Since", readonly=True)
    station_id = fields.Many2one(related="pile_id.station_id", store=True, index=True)
    area_id = fields.Many2one(related="pile_id.area_id", store=True)
    company_id = fields.Many2one(related="pile_id.company_id", store=True, index=True)
    kind = fields.Selection(related="pile_id.kind", store=True)
    pile_state = fields.Selection(related="pile_id.state", string="Pile State")

    _number_unique = models.Constraint(
        "UNIQUE(pile_id, number)", "A pile cannot have two connectors with the same number.",
    )
    _number_range = models.Constraint(
        "CHECK(number BETWEEN 1 AND 99)", "A connector number is between 1 and 99.",
    )

    @api.depends("pile_id.serial", "number")
    def _compute_code(self):
        for connector in self:
            if connector.pile_id.serial and 1 <= connector.number <= 99:
                connector.code = connector_code(connector.pile_id.serial, connector.number)
            else:
                connector.code = False

    @api.depends("code", "name")
    def _compute_display_name(self):
        for connector in self:
            label = f" ({connector.name})" if connector.name else ""
            connector.display_name = f"{connector.code or connector.number}{label}"

    @api.model
    def _search_display_name(self, operator, value):
        """What the user sees finds the connector: its code (pile serial and two-digit
        number), its label, its whole display name "CODE (Label)", its pile's serial or
        name, or a pile serial and a connector number ("SZ0007 2", "SZ0007-2")."""
        if operator in Domain.NEGATIVE_OPERATORS:
            return NotImplemented
        if operator == "in":
            return Domain.OR(self._display_name_domain(text, exact=True)
                             for text in value if isinstance(text, str) and text.strip())
        if isinstance(value, str) and value.strip() and operator in ("=", "like", "ilike", "=like", "=ilike"):
            return self._display_name_domain(value, exact=operator == "=")
        return super()._search_display_name(operator, value)

    @api.model
    def _display_name_domain(self, text, exact=False):
        text = text.strip()
        operator = "=" if exact else "ilike"
        domains = [Domain("code", "=ilike", text), Domain("name", operator, text)]
        if not exact:
            domains += [Domain("code", "ilike", text), Domain("pile_id.serial", "ilike", text),
                        Domain("pile_id.name", "ilike", text)]
        displayed = DISPLAYED.match(text)
        if displayed and "(" in text:
            label = displayed["label"].strip()
            domains.append(Domain("code", "=ilike", displayed["code"])
                           & (Domain("name", operator, label) if label else Domain.TRUE))
        numbered = SERIAL_NUMBER.match(text)
        if numbered:
            domains.append(Domain("pile_id.serial", "=ilike", numbered["serial"].strip())
                           & Domain("number", "=", int(numbered["number"])))
        return Domain.OR(domains)

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            vals.setdefault("status_date", now)
        return super().create(vals_list)

    def write(self, vals):
        if "status" in vals and "status_date" not in vals:
            vals = dict(vals, status_date=fields.Datetime.now())
        return super().write(vals)
