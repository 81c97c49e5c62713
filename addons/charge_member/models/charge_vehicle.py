from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.plates import PlateError, normalize_plate, plate_kind
from ..tools.vin import VinError, check_vin, normalize_vin, vin_check_digit_ok
from .member_messages import identity_message

PLATE_KINDS = [("blue", "Ordinary (blue)"), ("green_small", "New Energy, small (green)"),
               ("green_large", "New Energy, large (yellow-green)")]
SOC_STATES = [("none", "Not Requested"), ("pending", "Pending"), ("approved", "Approved"), ("rejected", "Rejected")]


class ChargeVehicle(models.Model):
    """A vehicle of a member or a group. Its VIN is what DC piles read to
    identify it; its plate what parking cameras read. A member may ask for a
    state-of-charge limit, which a clerk approves or rejects."""
    _name = "charge.vehicle"
    _description = "Vehicle"
    _inherit = ["mail.thread"]
    _order = "plate"
    _rec_name = "plate"
    _rec_names_search = ["plate", "vin", "internal_number"]
    _check_company_auto = True

    plate = fields.Char(required=True, tracking=True, index="trigram")
    plate_kind = fields.Selection(PLATE_KINDS, compute="_compute_plate_kind", store=True)
    vin = fields.Char(string="VIN", tracking=True, index=True, size=17)
    vin_check_ok = fields.Boolean(compute="_compute_vin_check_ok", string="VIN Check Digit Valid")
    internal_number = fields.Char(string="Internal Number")
    brand = fields.Char()
    model = fields.Char()
    owner_type = fields.Selection([("member", "Member"), ("group", "Group")], required=True, default="member")
    partner_id = fields.Many2one("res.partner", string="Member", index=True, ondelete="restrict",
                                 domain="[('charge_member', '=', True)]", tracking=True)
    group_id = fields.Many2one("charge.group", string="Group", index=True, ondelete="restrict", tracking=True,
                               check_company=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    certified = fields.Boolean(tracking=True, help="The owner's documents were checked.")
    soc_request = fields.Float(string="Requested SoC Limit (%)", digits=(5, 1), readonly=True)
    soc_state = fields.Selection(SOC_STATES, string="SoC Review", default="none", required=True, readonly=True,
                                 tracking=True)
    soc_limit = fields.Float(string="SoC Limit (%)", digits=(5, 1), readonly=True, tracking=True,
                             help="The approved limit; 0: none.")
    soc_review_note = fields.Char(string="Review Note", readonly=True)
    card_ids = fields.One2many("charge.card", "vehicle_id", string="VIN Cards")
    recognized = fields.Boolean(compute="_compute_recognized", help="A pile has identified this vehicle by its VIN.")
    note = fields.Text()
    active = fields.Boolean(default=True)

    _plate_unique = models.UniqueIndex("(company_id, plate) WHERE active",
                                       "Another vehicle of this company has this plate.")
    _vin_unique = models.UniqueIndex("(company_id, vin) WHERE active AND vin IS NOT NULL",
                                     "Another vehicle of this company has this VIN.")
    _soc_range = models.Constraint(
        "CHECK(soc_request >= 0 AND soc_request <= 100 AND soc_limit >= 0 AND soc_limit <= 100)",
        "A state of charge is a percentage between 0 and 100.")

    @api.depends("plate")
    def _compute_plate_kind(self):
        for vehicle in self:
            try:
                vehicle.plate_kind = plate_kind(vehicle.plate) if vehicle.plate else False
            except PlateError:
                vehicle.plate_kind = False

    @api.depends("vin")
    def _compute_vin_check_ok(self):
        for vehicle in self:
            vehicle.vin_check_ok = bool(vehicle.vin) and vin_check_digit_ok(vehicle.vin)

    def _compute_recognized(self):
        tags = set(self.mapped("vin")) - {False}
        seen = set()
        if tags:
            seen = set(self.env["charge.order"].sudo().search([("id_tag", "in", list(tags))]).mapped("id_tag"))
        for vehicle in self:
            vehicle.recognized = vehicle.vin in seen

    @api.model
    def _clean_values(self, vals):
        if vals.get("plate"):
            try:
                vals["plate"] = normalize_plate(vals["plate"])
                plate_kind(vals["plate"])
            except PlateError as error:
                raise ValidationError(identity_message(self.env, "plate", error)) from error
        if vals.get("vin"):
            try:
                vals["vin"] = normalize_vin(vals["vin"])
                check_vin(vals["vin"])
            except VinError as error:
                raise ValidationError(identity_message(self.env, "vin", error)) from error
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._clean_values(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._clean_values(vals))

    @api.constrains("owner_type", "partner_id", "group_id")
    def _check_owner(self):
        for vehicle in self:
            if vehicle.owner_type == "member" and not vehicle.partner_id:
                raise ValidationError(self.env._("Vehicle %s needs its member.", vehicle.plate))
            if vehicle.owner_type == "group" and not vehicle.group_id:
                raise ValidationError(self.env._("Vehicle %s needs its group.", vehicle.plate))

    # SoC review -------------------------------------------------------------------------

    def _request_soc_limit(self, percent):
        """The member asks to charge up to ``percent``."""
        if not 0 < percent <= 100:
            raise UserError(self.env._("A state of charge limit is between 1 and 100%."))
        self.sudo().write({"soc_request": percent, "soc_state": "pending", "soc_review_note": False})

    def action_soc_approve(self):
        for vehicle in self:
            if vehicle.soc_state != "pending":
                raise UserError(self.env._("Vehicle %s has no SoC limit request to review.", vehicle.plate))
            vehicle.write({"soc_state": "approved", "soc_limit": vehicle.soc_request})

    def action_soc_reject(self):
        for vehicle in self:
            if vehicle.soc_state != "pending":
                raise UserError(self.env._("Vehicle %s has no SoC limit request to review.", vehicle.plate))
            vehicle.write({"soc_state": "rejected",
                           "soc_review_note": self.env.context.get("soc_review_note") or False})
