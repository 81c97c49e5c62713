from odoo import api, fields, models
from odoo.exceptions import UserError


class ChargeTariffAssign(models.TransientModel):
    """Move piles to a tariff in one go, and push it to them now or through
    the push cron."""
    _name = "charge.tariff.assign"
    _description = "Assign Piles to a Tariff"

    tariff_id = fields.Many2one("charge.tariff", required=True)
    company_id = fields.Many2one(related="tariff_id.company_id")
    pile_ids = fields.Many2many("charge.pile", string="Piles", required=True,
                                domain="[('company_id', '=', company_id), ('kind', '=', kind)]")
    kind = fields.Selection(related="tariff_id.kind")
    push_now = fields.Boolean(default=True, help="Push the version in force to the piles now; otherwise the push "
                                                 "cron sends it within a minute while they are online.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "charge.pile" and "pile_ids" in fields_list:
            values["pile_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    def action_assign(self):
        self.ensure_one()
        wrong = self.pile_ids.filtered(lambda p: p.kind != self.tariff_id.kind)
        if wrong:
            raise UserError(self.env._("Piles %s are of another kind than the tariff.",
                                       ", ".join(wrong.mapped("display_name"))))
        self.pile_ids.write({"tariff_id": self.tariff_id.id})
        if self.push_now:
            version = self.tariff_id.current_version_id
            if version:
                self.env["charge.tariff.push"]._push(version, self.pile_ids)
        self.tariff_id.message_post(body=self.env._("%(count)s pile(s) assigned: %(piles)s", count=len(self.pile_ids),
                                                    piles=", ".join(self.pile_ids.mapped("serial"))))
        return {"type": "ir.actions.act_window_close"}
