import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.charge_device.tests.common import FakePublisher

from .common import ChargeFinanceCase
from .test_tours import CHARGE_MODULES


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@tagged("post_install", "-at_install")
class TestDayTours(ChargeFinanceCase, HttpCase):
    """A clerk's and an accountant's day in the web client, as users who work
    in Chinese (static/tests/tours/charge_day_tours.js). The test plays the
    pile's part between the tours: it publishes the commands the clerk sent
    (the device bus does not run in tests), answers them and reports the
    session through the bus handler, as the pile would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(CHARGE_MODULES, ["zh_CN"])
        cls.accountant = new_test_user(cls.env, login="charge_day_accountant",
                                       groups="charge_finance.group_charge_accountant",
                                       company_id=cls.company.id, company_ids=[cls.company.id])
        (cls.user | cls.accountant).lang = "zh_CN"
        cls.company.write({"charge_card_fee": 5.0, "charge_min_start_amount": 1.0})

    # the pile's part ----------------------------------------------------------------------

    def setUp(self):
        super().setUp()
        self.now = fields.Datetime.now().replace(microsecond=0)
        # the pile has been online for a day: the session starts online, not uploaded after a reconnection
        self.env["charge.device.event"].sudo().search([("pile_id", "=", self.pile.id)]).write(
            {"date": self.now - timedelta(days=1)})
        self.status(1, "Available")
        self.status(2, "Available")

    def deliver(self, action):
        """Publish the queued ``action`` commands as the device bus would after
        the commit, and have the pile accept them; return them."""
        self.env.invalidate_all()
        commands = self.env["charge.device.command"].sudo().search(
            [("pile_id", "=", self.pile.id), ("action", "=", action), ("state", "=", "queued")])
        self.assertTrue(commands, f"the clerk's {action} waits to be published")
        publisher = FakePublisher()
        with patch.object(type(self.env["charge.device.command"]), "_publisher", return_value=publisher):
            commands._publish()
        self.assertEqual(len(publisher.published), len(commands))
        for command in commands:
            self.assertIsNone(self.send(json.dumps([3, command.message_id, {"status": "Accepted"}])))
        self.env.invalidate_all()
        return commands

    # the day --------------------------------------------------------------------------------

    def test_a_clerks_and_an_accountants_day(self):
        Partner = self.env["res.partner"]
        # 1. a member, a recharge, a card, a remote start from the connector
        self.start_tour("/odoo", "charge_day_clerk_register_and_start_tour", login=self.user.login)
        self.env.invalidate_all()
        member = Partner.search([("charge_mobile", "like", "13700137000"), ("company_id", "=", self.company.id)])
        self.assertRecordValues(member, [{"name": "赵小明", "charge_member": True, "charge_source": "offline"}])
        wallet = member._charge_wallet()
        ledger = wallet.transaction_ids.sorted("id")
        self.assertEqual([(line.type, line.amount) for line in ledger], [("recharge", 200.0), ("card_fee", -5.0)])
        self.assertEqual(ledger[0].user_id, self.user)
        card = self.env["charge.card"].search([("name", "=", "TOURCARD01")])
        self.assertRecordValues(card, [{"partner_id": member.id, "state": "active", "company_id": self.company.id}])
        start = self.deliver("RemoteStartTransaction")
        self.assertRecordValues(start, [{"state": "accepted", "error": False, "user_id": self.user.id,
                                         "connector_id": self.connector1.id}])
        self.assertEqual(json.loads(start.payload), {"connectorId": 1, "idTag": "TOURCARD01"})

        # the pile starts the session it was asked for and reports its meter
        began = self.now - timedelta(minutes=20)
        self.status(1, "Preparing")
        reply = self.start(connector=1, id_tag="TOURCARD01", meter_start=1000, timestamp=iso(began))
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Accepted")
        transaction = reply.payload["transactionId"]
        self.status(1, "Charging")
        self.meter(transaction, 7000, timestamp=iso(began + timedelta(minutes=10)))
        self.meter(transaction, 13345, timestamp=iso(began + timedelta(minutes=19)))
        order = self.env["charge.order"].search([("session_id", "=", transaction)])
        self.assertRecordValues(order, [{"state": "charging", "partner_id": member.id, "card_id": card.id,
                                         "wallet_id": wallet.id}])

        # 2. the live order, its power curve, the remote stop
        self.start_tour("/odoo", "charge_day_clerk_live_order_tour", login=self.user.login)
        self.env.invalidate_all()
        self.assertEqual(order.state, "stopping")
        stop = self.deliver("RemoteStopTransaction")
        self.assertRecordValues(stop, [{"state": "accepted", "error": False, "user_id": self.user.id}])
        self.assertEqual(json.loads(stop.payload), {"transactionId": transaction})
        self.status(1, "Finishing")
        self.stop(transaction, 13500, timestamp=iso(self.now), reason="Remote")
        self.status(1, "Available")
        self.env.invalidate_all()
        self.assertRecordValues(order, [{"state": "completed", "energy_kwh": 12.5, "payment_state": "paid"}])
        self.assertTrue(order.line_ids)
        self.assertGreater(order.amount_total, 0)

        # a second charge with the card on the second connector, reading far too fast
        second_start = self.now - timedelta(minutes=3)
        self.status(2, "Preparing")
        reply = self.start(connector=2, id_tag="TOURCARD01", meter_start=0, timestamp=iso(second_start))
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Accepted")
        second_transaction = reply.payload["transactionId"]
        self.status(2, "Charging")
        broken = self.env["charge.order"].search([("session_id", "=", second_transaction)])
        self.assertEqual(broken.state, "charging")

        # 3. the bill and power curve of the first order; the second stopped from its connector
        self.start_tour("/odoo", "charge_day_clerk_bill_and_connector_stop_tour", login=self.user.login)
        stop = self.deliver("RemoteStopTransaction")
        self.assertRecordValues(stop, [{"state": "accepted", "error": False, "user_id": self.user.id,
                                        "connector_id": self.connector2.id}])
        self.assertEqual(json.loads(stop.payload), {"transactionId": second_transaction})
        # 11 kWh in one minute: the order breaks a data rule
        self.stop(second_transaction, 11000, timestamp=iso(second_start + timedelta(minutes=1)), reason="Remote")
        self.status(2, "Available")
        self.env.invalidate_all()
        self.assertEqual(broken.state, "abnormal")
        self.assertIn("over_10_kwh_per_minute", broken.anomaly_ids.mapped("code"))

        # 4. the abnormal order handled, the day's orders exported
        self.start_tour("/odoo", "charge_day_clerk_abnormal_export_tour", login=self.user.login)
        self.env.invalidate_all()
        handling = broken.handling_ids
        self.assertRecordValues(handling, [{"method": "settle", "state": "done", "user_id": self.user.id,
                                            "note": "已与车主核实"}])
        self.assertRecordValues(broken, [{"state": "completed", "energy_kwh": 11.0, "payment_state": "paid"}])
        self.assertEqual(wallet.balance, round(195.0 - order.amount_total - broken.amount_total, 2))
        self.authenticate(self.user.login, self.user.login)
        response = self.url_open(f"/charge_billing/orders/xlsx?ids={order.id},{broken.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        # every command of the day went out and was accepted: none failed on the platform's side
        commands = self.env["charge.device.command"].sudo().search([("pile_id", "=", self.pile.id)])
        self.assertEqual(sorted(commands.mapped("action")), ["RemoteStartTransaction", "RemoteStopTransaction",
                                                             "RemoteStopTransaction"])
        self.assertEqual(set(commands.mapped("state")), {"accepted"})
        self.assertFalse(any(commands.mapped("error")))

        # 5. the accountant: the payment's entry, the wallet journal, the reconciliation
        payment = order.wallet_transaction_ids.filtered(lambda line: line.type == "payment")
        entry = self.entry(payment)
        self.assertEqual(order.charge_entry_ids, entry, "the order's Entries button opens its payment's entry")
        self.assertEqual(round(sum(entry.line_ids.mapped("debit")), 2), order.amount_total)
        self.assertGreaterEqual(len(entry.line_ids), 3)
        self.start_tour("/odoo", "charge_day_accountant_tour", login=self.accountant.login)
        self.assertTrue(self.reconciliation())
        for bucket, (gl, unposted, wallets, difference) in self.reconciliation().items():
            self.assertEqual(difference, 0.0, f"{bucket}: the general ledger agrees with the wallets")
        months = self.env["charge.order.reconciliation"].search([("company_id", "=", self.company.id)])
        self.assertTrue(months)
        self.assertEqual(set(months.mapped("revenue_difference")), {0.0}, "every order's revenue is booked")
