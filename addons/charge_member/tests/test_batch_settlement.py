from contextlib import contextmanager
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.charge_billing.tests.common import iso

from .common import ChargeMemberCase

BIKE_SERIAL = "BIKE0001"


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestBatchSettlement(ChargeMemberCase):
    """The settle queue settles its stopped orders with one ``_settle`` on the
    whole batch: the bills, checks, completions, payments, ledger lines and
    chatter are those of settling the orders one by one, while the bill
    lines, the payment lines and the tracking messages of the batch are each
    written by one create."""

    settle_at_once = False  # the orders wait, stopped, for a settlement the test runs

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        bike_pile = cls.create_ebike_pile(BIKE_SERIAL)
        cls.env["charge.pile.id.tag"].create({"pile_id": bike_pile.id, "tag": "CARD0001", "name": "Fleet"})
        bike_tariff = cls.create_tariff(
            "Bike power", kind="ebike", effective="2026-10-31 16:00", ebike_mode="power_duration",
            free_minutes=5, auto_stop_minutes=720, auto_stop_amount=6.0, rounding="truncate",
            tier_ids=[(0, 0, {"kind": "power", "up_to_watts": 200, "rate_per_hour": 0.2})])
        bike_pile.station_id.tariff_id = bike_tariff

    def member(self, name, mobile, balance):
        """A member with a card named ``name`` and ``balance`` in the wallet."""
        partner = self.env["res.partner"].create({"name": name, "charge_member": True, "charge_mobile": mobile,
                                                  "company_id": self.company.id})
        partner._charge_wallet()._recharge(balance)
        self.env["charge.card"].create({"name": name, "partner_id": partner.id, "company_id": self.company.id})
        return partner

    def bike(self, minutes, meter_start):
        reply = self.start(connector=3, id_tag="CARD0001", meter_start=meter_start,
                           timestamp=iso("2026-11-21 11:00"), serial=BIKE_SERIAL)
        transaction = reply.payload["transactionId"]
        self.send({"connectorId": 3, "transactionId": transaction, "meterValue": [{
            "timestamp": iso("2026-11-21 11:01"), "sampledValue": [
                {"value": str(meter_start + 10), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": "150", "measurand": "Power.Active.Import", "unit": "W"}]}]}, "MeterValues",
            serial=BIKE_SERIAL)
        self.send({"transactionId": transaction, "meterStop": meter_start + 60,
                   "timestamp": iso(f"2026-11-21 11:{minutes:02d}"), "reason": "EVDisconnected"},
                  "StopTransaction", serial=BIKE_SERIAL)
        return self.env["charge.order"].search([("session_id", "=", transaction)])

    def stopped_orders(self, tag, connector, offset):
        """The member ``tag``'s two car orders (39.0, then 26.0: flat band, 1.3 per kWh), an e-bike order,
        an abnormal car order (its meter went backwards) and a car order without tariff snapshot, all
        stopped and waiting for their settlement; ``offset`` tells the meters of a second scenario apart."""
        def car(start, stop, kwh, samples=()):
            return self.run_session(start=start, stop=stop, meter_start=offset, meter_stop=offset + int(kwh * 1000),
                                    samples=[(when, offset + energy) for when, energy in samples],
                                    connector=connector, id_tag=tag)

        orders = (car("2026-11-21 00:00", "2026-11-21 01:00", 30) | car("2026-11-21 01:00", "2026-11-21 02:00", 20)
                  | self.bike(18, offset)
                  | car("2026-11-21 02:00", "2026-11-21 03:00", 10, samples=[("2026-11-21 02:30", 12000)])
                  | car("2026-11-21 03:00", "2026-11-21 04:00", 10))
        orders[-1].sudo().tariff_snapshot = False
        self.assertEqual(set(orders.mapped("state")), {"stopping"})
        self.assertTrue(all(orders.mapped("settle_pending")))
        return orders

    @contextmanager
    def counting(self, model, method):
        """The lengths of the record lists ``model``'s ``method`` gets, call by call."""
        Model, calls = type(self.env[model]), []
        original = getattr(Model, method)

        def count(records, vals_list):
            calls.append(len(vals_list) if isinstance(vals_list, list) else 1)
            return original(records, vals_list)

        with patch.object(Model, method, count):
            yield calls

    def outcome(self, order):
        """What settling made of ``order``: its figures, lines, anomalies, chatter and wallet lines."""
        figures = order.read(["state", "abnormal_type", "payment_state", "energy_kwh", "energy_flat", "amount_total",
                              "amount_electricity", "amount_service", "max_power_kw", "pricing_error",
                              "running_amount"])[0]
        del figures["id"]
        lines = [line.read(["kind", "name", "band", "quantity", "energy_kwh", "electricity_amount", "service_amount",
                            "amount"])[0] for line in order.line_ids]
        messages = [(message.body, [(value.field_id.name, value.old_value_char, value.new_value_char,
                                     value.old_value_float, value.new_value_float)
                                    for value in message.tracking_value_ids.sorted("id")])
                    for message in order.message_ids.sorted("id")]
        ledger = [(line.type, line.amount, line.balance_after, line.paid_electricity, line.paid_service)
                  for line in order.wallet_transaction_ids]
        return (figures, [{k: v for k, v in line.items() if k != "id"} for line in lines],
                order.anomaly_ids.mapped("code"), messages, ledger)

    def test_a_mixed_batch_ends_as_settling_one_by_one(self):
        one_member, batch_member = self.member("CARDA", "13700000001", 60), self.member("CARDB", "13700000002", 60)
        one_by_one = self.stopped_orders("CARDA", 1, 0)
        batch = self.stopped_orders("CARDB", 2, 500000)
        for order in one_by_one:
            order._settle()
            self.env.cr.flush()  # a commit per order: mail.thread's tracking of one order
        with self.counting("charge.order.line", "_charge_insert") as line_creates:
            batch._settle()
        Order, message_inserts = type(self.env["charge.order"]), []
        insert_log = Order._charge_insert_log

        def counting_log(records, bodies, author_id):
            messages = insert_log(records, bodies, author_id)
            message_inserts.append(len(messages))
            return messages

        with patch.object(Order, "_charge_insert_log", counting_log):
            self.env.cr.flush()  # the commit: the chatter's tracking of the batch
        self.assertEqual(line_creates, [3], "one INSERT writes the bill lines of the batch (3 priced orders)")
        self.assertEqual(message_inserts, [5], "one INSERT writes the tracking messages of the batch")
        self.env.invalidate_all()
        self.assertEqual(batch.mapped("state"), ["completed", "completed", "completed", "abnormal", "abnormal"])
        self.assertEqual(batch.mapped("payment_state"), ["paid", "unpaid", "none", "to_pay", "to_pay"])
        self.assertEqual(batch[0].running_amount, batch[0].amount_total, "the amount paid is written (read back)")
        self.assertIn("meter_backwards", batch[3].anomaly_ids.mapped("code"))
        self.assertEqual(batch[4].anomaly_ids.mapped("code"), ["no_tariff"])
        self.assertIn("Unpaid", " ".join(batch[1].message_ids.mapped("body")))
        for alone, together in zip(one_by_one, batch):
            self.assertEqual(self.outcome(together), self.outcome(alone))
        self.assertEqual(one_member._charge_wallet().balance, batch_member._charge_wallet().balance)
        self.assertEqual(batch_member._charge_wallet().balance, 21.0)
        self.assertEqual(batch_member.charge_last_charge_date, one_member.charge_last_charge_date)

    def test_a_batch_pays_each_wallet_in_its_order_with_one_ledger_write(self):
        self.member("CARDB", "13700000002", 60)
        orders = self.stopped_orders("CARDB", 2, 0)[:2]
        third = self.run_session(start="2026-11-21 05:00", stop="2026-11-21 06:00", meter_start=0, meter_stop=5000,
                                 connector=2, id_tag="CARDB")  # 5 kWh in the sharp band: 10.0, within the 21 left
        orders |= third
        Line = type(self.env["charge.wallet.transaction"])
        create, calls = Line._create_with_balances, []

        def counting(records, vals_list, balances):
            calls.append(len(vals_list))
            return create(records, vals_list, balances)

        with patch.object(Line, "_create_with_balances", counting):
            orders._settle()
        self.assertEqual(calls, [2], "one call writes the batch's two payment lines")
        self.assertEqual(orders.mapped("amount_total"), [39.0, 26.0, 10.0])
        self.assertEqual(orders.mapped("payment_state"), ["paid", "unpaid", "paid"],
                         "60 pay 39; the 21 left do not pay 26, then pay 10")
        self.assertEqual(orders.wallet_transaction_ids.sorted("id").mapped("balance_after"), [21.0, 11.0])
        self.assertFalse(orders[1].wallet_transaction_ids)
