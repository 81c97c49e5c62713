from collections import defaultdict
from unittest.mock import patch

from odoo.fields import Command

from odoo.addons.charge_billing.tests.common import ChargeBillingCase, iso


class ChargeFinanceCase(ChargeBillingCase):
    """The billing scenario (a commissioned pile in an Asia/Shanghai company)
    with the generic chart of accounts, hence the wallet journal and
    accounts, posting per document; sale taxes of 13 %, 6 % and 9 % (price
    excluded, with tax report tags) on the fee components; two members and
    a fleet group whose contact is a company."""

    # The scenarios check what is posted, not when: the posting queue that the transaction writing a ledger line
    # (or completing an order) triggers runs at once, in that transaction, instead of after its commit. The queue
    # itself (nothing posted in the device transaction, batches, failures) is tested with this off (test_queue.py).
    post_queue_at_once = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.post_queue_at_once:
            Line = type(cls.env["charge.wallet.transaction"])

            def post_at_once(self):
                self.env["charge.wallet.transaction"].sudo()._cron_post_queue()

            cls.startClassPatcher(patch.object(Line, "_charge_trigger_queue", post_at_once))
        cls.company = cls.company.with_env(cls.env)
        cls.company.partner_id.tz = "Asia/Shanghai"
        cls.env["account.chart.template"].try_loading("generic_coa", company=cls.company, install_demo=False)
        cls.chart = cls.env["account.chart.template"].with_company(cls.company)
        cls.vat13, cls.vat6, cls.vat9 = cls.create_tax(13), cls.create_tax(6), cls.create_tax(9)
        cls.company.write({
            "charge_tax_electricity_id": cls.vat13.id, "charge_tax_service_id": cls.vat6.id,
            "charge_tax_reservation_id": cls.vat6.id, "charge_tax_occupancy_id": cls.vat9.id,
        })
        Partner = cls.env["res.partner"]
        cls.li = Partner.create({"name": "Li Lei", "charge_member": True, "charge_mobile": "13800138000",
                                 "company_id": cls.company.id})
        cls.wang = Partner.create({"name": "Wang Fang", "charge_member": True, "charge_mobile": "13900139000",
                                   "company_id": cls.company.id})
        cls.li_wallet, cls.wang_wallet = cls.li._charge_wallet(), cls.wang._charge_wallet()
        cls.fleet_contact = Partner.create({"name": "Fleet Logistics Ltd", "is_company": True,
                                            "company_id": cls.company.id})
        cls.fleet = cls.env["charge.group"].create({"name": "Fleet", "company_id": cls.company.id,
                                                    "partner_id": cls.fleet_contact.id})
        cls.fleet_wallet = cls.fleet.wallet_id

    @classmethod
    def create_tax(cls, rate):
        """A price-excluded sale tax of ``rate`` % on the chart's tax account, with base and tax tags."""
        Tag = cls.env["account.account.tag"]
        country = cls.company.account_fiscal_country_id

        def tag(name):
            return Tag.create({"name": f"{name} {rate}", "applicability": "taxes", "country_id": country.id})

        def repartition(prefix):
            return [Command.create({"repartition_type": "base", "tag_ids": [Command.set(tag(f"{prefix} base").ids)]}),
                    Command.create({"repartition_type": "tax", "account_id": cls.chart.ref("tax_received").id,
                                    "tag_ids": [Command.set(tag(f"{prefix} tax").ids)]})]

        return cls.env["account.tax"].create({
            "name": f"VAT {rate}%", "amount": rate, "type_tax_use": "sale", "company_id": cls.company.id,
            "country_id": country.id, "invoice_repartition_line_ids": repartition("invoice"),
            "refund_repartition_line_ids": repartition("refund"),
        })

    # orders ------------------------------------------------------------------------------

    def make_order(self, wallet, electricity=0.0, service=0.0, reservation=0.0, occupancy=0.0, total=None):
        """A completed order of the bus pile, to be paid from ``wallet``."""
        order = self.env["charge.order"].create({
            "pile_id": self.pile.id, "connector_id": self.connector1.id,
            "partner_id": (wallet.partner_id or wallet.group_id.partner_id).id,
        })
        amounts = {"amount_electricity": electricity, "amount_service": service,
                   "amount_reservation": reservation, "amount_occupancy": occupancy}
        order.sudo().write({
            **amounts, "amount_total": round(sum(amounts.values()), 2) if total is None else total,
            "state": "completed", "wallet_id": wallet.id, "payment_state": "to_pay",
        })
        return order

    def pay(self, wallet, **amounts):
        """A completed order paid from ``wallet``; returns the order."""
        order = self.make_order(wallet, **amounts)
        self.assertEqual(order._pay_from_wallet(), order)
        return order

    def card_charge(self, id_tag="CARD1001"):
        """A card session of 10 kWh in the flat band on the bus pile, StopTransaction included
        (charge.device.bus._process_batch, as the listener runs it); the order."""
        reply = self.start(connector=1, id_tag=id_tag, meter_start=0, timestamp=iso("2026-11-21 00:00"))
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Accepted")
        transaction = reply.payload["transactionId"]
        stop = self.stop(transaction, 10000, timestamp=iso("2026-11-21 01:00"))
        self.assertEqual(stop.payload["idTagInfo"]["status"], "Accepted", "StopTransaction is answered")
        return self.env["charge.order"].search([("session_id", "=", transaction)])

    # accounting ----------------------------------------------------------------------------

    def post_queue(self):
        """Run the posting queue (per document, what the scheduled action does after each commit)."""
        self.env["charge.wallet.transaction"]._cron_post_queue()
        self.env.invalidate_all()

    def entry(self, line):
        """The one journal entry posting ``line``."""
        move = line.sudo().move_ids
        self.assertEqual(len(move), 1, f"{line.name} is posted by one entry")
        return move

    @staticmethod
    def by_account(move):
        """{account code: balance} of a journal entry."""
        totals = defaultdict(float)
        for item in move.line_ids:
            totals[item.account_id.code] += item.balance
        return {code: round(amount, 2) for code, amount in totals.items()}

    def gl_balance(self, account):
        """Credit minus debit of the posted journal items of ``account`` in the company."""
        groups = self.env["account.move.line"]._read_group(
            [("account_id", "=", account.id), ("company_id", "=", self.company.id), ("parent_state", "=", "posted")],
            [], ["balance:sum"])
        return -round(groups[0][0] or 0.0, 2)

    def wallet_totals(self):
        """(cash, gift) held by every wallet of the company, from the ledger."""
        wallets = self.env["charge.wallet"].search([("company_id", "=", self.company.id)])
        return (round(sum(wallets.mapped("cash_balance")), 2), round(sum(wallets.mapped("gift_balance")), 2))

    def reconciliation(self):
        """{bucket: (gl, not posted, wallets, difference)} of the company."""
        self.env["charge.wallet.reconciliation"].invalidate_model()
        rows = self.env["charge.wallet.reconciliation"].search([("company_id", "=", self.company.id)])
        return {row.bucket: (row.gl_balance, row.unposted_amount, row.wallet_balance, row.difference)
                for row in rows}

    @property
    def accounts(self):
        return self.company._charge_role_accounts()

    # online payments and the people who handle money --------------------------------------

    @classmethod
    def demo_provider(cls, clearing_code=None, reconcile=False):
        """Odoo's demo payment provider for the company (payment_demo), with a
        clearing account of its own coded ``clearing_code`` when given."""
        demo = cls.env.ref("payment.payment_provider_demo")
        provider = demo.copy({"name": "Demo Pay", "company_id": cls.company.id, "state": "test",
                              "payment_method_ids": [Command.set(demo.payment_method_ids.ids)]})
        if clearing_code:
            provider.charge_clearing_account_id = cls.env["account.account"].create({
                "name": "Demo Pay clearing", "code": clearing_code, "account_type": "asset_current",
                "reconcile": reconcile, "company_ids": [Command.set(cls.company.ids)]})
        return provider

    @classmethod
    def company_user(cls, login, group):
        """A user of the company only, in ``group`` (an xml id)."""
        return cls.env["res.users"].with_context(no_reset_password=True).create({
            "name": login, "login": login, "company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)],
            "group_ids": [Command.set(cls.env.ref(group).ids)]})
