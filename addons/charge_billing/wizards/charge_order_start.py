from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.charge_base.models.amount_messages import checked_field_amount
from odoo.addons.charge_base.tools.amounts import NOT_NEGATIVE


class ChargeOrderStart(models.TransientModel):
    """Start a charge for a customer from the back office: an order in
    *starting* and a RemoteStartTransaction; the pile's StartTransaction
    moves it to *charging*, a refusal or silence makes it abnormal."""
    _name = "charge.order.start"
    _description = "Start a Charge for a Customer"

    connector_id = fields.Many2one("charge.connector", required=True,
                                   domain="[('status', 'in', ('available', 'preparing'))]")
    kind = fields.Selection(related="connector_id.kind")
    currency_id = fields.Many2one(related="connector_id.company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    id_tag = fields.Char(string="Id Tag", help="Left empty: a one-off back-office tag.")
    # a Float, not a Monetary (which rounds what is typed): checked as typed, never rounded
    prepaid_amount = fields.Float(string="Prepaid Amount", help="E-bike: stop when this amount is used up.")
    prepaid_minutes = fields.Integer(string="Prepaid Minutes", help="E-bike: stop after this duration.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "charge.connector":
            values["connector_id"] = self.env.context.get("active_id")
        return values

    def action_start(self):
        self.ensure_one()
        connector = self.connector_id
        pile = connector.pile_id
        self.env["charge.device.bus"]._charge_check_operable(pile, connector)
        if connector.status not in ("available", "preparing"):
            raise UserError(self.env._("Connector %s is not free.", connector.display_name))
        if self.prepaid_amount < 0 or self.prepaid_minutes < 0:
            raise UserError(self.env._("Prepaid figures cannot be negative."))
        if self.prepaid_amount:
            checked_field_amount(self, "prepaid_amount", NOT_NEGATIVE, company=connector.company_id)
        now = fields.Datetime.now()
        version = pile._tariff_version_at(now)
        if not version:
            raise UserError(self.env._("Pile %s has no tariff in force: assign one before charging.",
                                       pile.display_name))
        order = self.env["charge.order"]._charge_action().create({
            "pile_id": pile.id, "connector_id": connector.id, "partner_id": self.partner_id.id,
            "start_method": "backoffice", "tariff_version_id": version.id, "start_date": now,
            "prepaid_amount": self.prepaid_amount, "prepaid_minutes": self.prepaid_minutes,
        })
        tag = self.id_tag or f"BO{order.id:08d}"
        command = pile._send_command("RemoteStartTransaction", {"connectorId": connector.number, "idTag": tag},
                                     connector=connector)
        order.write({"id_tag": tag, "start_command_id": command.id})
        order._take_tariff_snapshot()
        return {"type": "ir.actions.act_window", "res_model": "charge.order", "res_id": order.id, "view_mode": "form"}
