from odoo import _, fields, models
from odoo.exceptions import UserError

from ..models.serial_messages import serial_error_message
from ..tools.serials import SerialError, numbered_codes


class ChargeParkingSpaceBatch(models.TransientModel):
    _name = "charge.parking.space.batch"
    _description = "Create Parking Spaces in Batch"
    _check_company_auto = True

    area_id = fields.Many2one("charge.area", string="Area", required=True)
    company_id = fields.Many2one(related="area_id.company_id")
    quantity = fields.Integer(required=True, default=10)
    first_number = fields.Integer(required=True, default=1)
    number_width = fields.Integer(string="Digits", required=True, default=3)
    prefix = fields.Char(help="Space numbers are this prefix followed by a number, such as B1-001.")
    lock_type = fields.Selection(
        selection=lambda self: self.env["charge.parking.space"]._fields["lock_type"]._description_selection(self.env),
        required=True, default="none",
    )

    def action_create(self):
        self.ensure_one()
        try:
            numbers = numbered_codes(self.prefix, self.first_number, self.quantity, self.number_width)
        except SerialError as error:
            raise UserError(_("Cannot number the parking spaces: %s", serial_error_message(self.env, error))) from error
        taken = self.env["charge.parking.space"].with_context(active_test=False).search_fetch(
            [("area_id", "=", self.area_id.id), ("number", "in", numbers)], ["number"],
        )
        if taken:
            raise UserError(_(
                "These spaces already exist in the area, nothing was created: %s",
                ", ".join(sorted(taken.mapped("number"))),
            ))
        spaces = self.env["charge.parking.space"].create([
            {"area_id": self.area_id.id, "number": number, "lock_type": self.lock_type}
            for number in numbers
        ])
        action = self.env["ir.actions.act_window"]._for_xml_id("charge_base.charge_parking_space_action")
        action["domain"] = [("id", "in", spaces.ids)]
        return action
