from odoo import fields, models


class ChargePileIdTag(models.Model):
    _inherit = "charge.pile.id.tag"

    partner_id = fields.Many2one("res.partner", string="Holder Partner",
                                 help="Who owes the orders charged with this tag; empty: the company's walk-in "
                                      "customer.")
