from odoo import fields, models


class ChargePileIdTag(models.Model):
    _name = "charge.pile.id.tag"
    _description = "Authorised Id Tag of a Pile"
    _order = "pile_id, tag"

    pile_id = fields.Many2one("charge.pile", string="Pile", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="pile_id.company_id", store=True, index=True)
    tag = fields.Char(string="Id Tag", required=True, help="Card number or token the pile reports (idTag).")
    name = fields.Char(string="Holder")
    expiry_date = fields.Datetime(string="Expires On")
    active = fields.Boolean(default=True)

    _tag_unique = models.Constraint(
        "UNIQUE(pile_id, tag)", "This id tag is already listed for the pile.",
    )
    _tag_length = models.Constraint(
        "CHECK(char_length(tag) <= 20)", "An OCPP 1.6 id tag has at most 20 characters.",
    )
    _tag_not_empty = models.Constraint(
        "CHECK(char_length(btrim(tag)) > 0)", "An authorised id tag cannot be empty.",
    )
