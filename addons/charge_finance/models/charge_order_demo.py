from datetime import timedelta

from odoo import api, fields, models


class ChargeOrder(models.Model):
    _inherit = "charge.order"

    @api.model
    def _charge_demo_orders(self, orders):
        """Demo data: completed orders of the last days, so that the books
        show revenue and output VAT. ``orders`` is a list of [member, pile,
        days ago, kWh, electricity, service]: each is paid from the member's
        wallet, or stays unpaid (booked by an entry of its own) when the
        wallet cannot pay. Their entries are posted with the wallet lines
        once the demo company has its chart of accounts. Run once: the
        module installed again after an uninstall finds them."""
        if self.sudo().search_count([("partner_id", "in", [values[0] for values in orders]),
                                     ("state", "=", "completed")], limit=1):
            return self.browse()
        Partner = self.env["res.partner"]
        created = self.browse()
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        for partner_id, pile_id, days_ago, energy, electricity, service in orders:
            partner = Partner.browse(partner_id)
            pile = self.env["charge.pile"].browse(pile_id)
            stop = now - timedelta(days=days_ago, hours=3)
            order = self.sudo().create({
                "pile_id": pile.id, "connector_id": pile.connector_ids[:1].id, "partner_id": partner.id,
                "start_method": "card",
            })
            order.write({
                "start_date": stop - timedelta(minutes=50), "stop_date": stop, "energy_kwh": energy,
                "amount_electricity": electricity, "amount_service": service,
                "amount_total": round(electricity + service, 2),
                "wallet_id": partner._charge_wallet().id, "payment_state": "to_pay",
            })
            order._complete()
            created |= order
        return created
