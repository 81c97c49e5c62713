from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.serial_messages import serial_error_message
from ..tools.serials import SerialError, serial_batch


class ChargePileBatch(models.TransientModel):
    _name = "charge.pile.batch"
    _description = "Create Piles in Batch"
    _check_company_auto = True

    station_id = fields.Many2one("charge.station", string="Station", required=True)
    company_id = fields.Many2one(related="station_id.company_id")
    kind = fields.Selection(related="station_id.kind")
    area_id = fields.Many2one(
        "charge.area", string="Area", required=True, check_company=True,
        compute="_compute_area_id", store=True, readonly=False, precompute=True,
        domain="[('station_id', '=', station_id)]",
    )
    model_id = fields.Many2one(
        "charge.pile.model", string="Pile Model", required=True, check_company=True,
        domain="[('kind', '=', kind)]",
    )
    serial_prefix = fields.Char(required=True, help="Serials are this prefix followed by a number.")
    first_number = fields.Integer(required=True, default=1)
    number_width = fields.Integer(string="Digits", required=True, default=4)
    quantity = fields.Integer(required=True, default=10)
    name_prefix = fields.Char(
        help="Pile names are this prefix followed by the number; the serial is used when empty.",
    )
    preview = fields.Char(compute="_compute_preview")

    @api.depends("station_id")
    def _compute_area_id(self):
        for wizard in self:
            areas = wizard.station_id.area_ids
            wizard.area_id = areas.filtered("is_default")[:1] or areas[:1]

    @api.depends("serial_prefix", "first_number", "number_width", "quantity")
    def _compute_preview(self):
        for wizard in self:
            try:
                serials = wizard._serials()
            except UserError as error:
                wizard.preview = str(error)
                continue
            wizard.preview = serials[0] if len(serials) == 1 else f"{serials[0]} … {serials[-1]}"

    def _serials(self):
        try:
            return serial_batch(self.serial_prefix, self.first_number, self.quantity, self.number_width)
        except SerialError as error:
            raise UserError(_("Cannot build the serials: %s", serial_error_message(self.env, error))) from error

    def action_create(self):
        self.ensure_one()
        serials = self._serials()
        taken = self.env["charge.pile"].with_context(active_test=False).sudo().search_fetch(
            [("serial", "in", serials)], ["serial"],
        )
        if taken:
            raise UserError(_(
                "These serials are already used, nothing was created: %s",
                ", ".join(sorted(taken.mapped("serial"))),
            ))
        width = self.number_width
        piles = self.env["charge.pile"].create([
            {
                "serial": serial,
                "name": f"{self.name_prefix}{serial[-width:]}" if self.name_prefix else serial,
                "station_id": self.station_id.id,
                "area_id": self.area_id.id,
                "model_id": self.model_id.id,
            }
            for serial in serials
        ])
        action = self.env["ir.actions.act_window"]._for_xml_id("charge_base.charge_pile_action")
        action["domain"] = [("id", "in", piles.ids)]
        return action
