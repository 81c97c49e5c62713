from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from ..models import charge_order_line, row_insert
from .common import ChargeBillingCase

# a car bill's lines and an e-bike's (no band, no prices): amounts and quantities with more digits than kept
LINES = [
    {"kind": "energy", "band": "flat", "name": "Flat", "energy_kwh": 12.34567, "quantity": 12.34567,
     "electricity_price": 0.623456789, "service_price": 0.6, "electricity_amount": 7.695,
     "service_amount": 7.4049, "amount": 15.1049, "start_date": "2026-11-21 00:00:00",
     "stop_date": "2026-11-21 01:00:00"},
    {"kind": "occupancy", "quantity": 2.0, "amount": 2.005},
    {"kind": "reservation", "name": "Reservation fee", "amount": 1.0},
    {"kind": "ebike", "name": "18 min", "quantity": 18, "energy_kwh": 0.06, "electricity_amount": 0.125,
     "service_amount": 0.0, "amount": 0.125, "start_date": "2026-11-21 11:00:00"},
]
SKIP = {"id", "order_id", "create_date", "write_date"}


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestRowInsert(ChargeBillingCase):
    """A batch's bill lines are written by one INSERT (``row_insert``): each
    row is the row the ORM's ``create`` writes for the same values."""

    def rows(self, lines):
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM charge_order_line WHERE id = ANY(%s) ORDER BY id", [lines.ids])
        names = [column.name for column in self.env.cr.description]
        return [{name: value for name, value in zip(names, row) if name not in SKIP}
                for row in self.env.cr.fetchall()]

    def test_inserted_bill_lines_are_the_rows_create_writes(self):
        by_orm, by_sql = self.run_session(connector=1), self.run_session(connector=2)
        Line = self.env["charge.order.line"].sudo()
        with patch.object(row_insert, "insert_rows", lambda *args, **kwargs: None):
            orm = Line._charge_insert([dict(vals, order_id=by_orm.id) for vals in LINES])
        self.assertEqual(by_orm.line_ids.filtered(lambda line: line in orm), orm)
        before = by_sql.line_ids  # read before the insert: the order's lines are read again after it
        sql = Line._charge_insert([dict(vals, order_id=by_sql.id) for vals in LINES])
        self.assertTrue(sql and not sql & before)
        self.assertEqual(self.rows(sql), self.rows(orm))
        self.assertEqual(self.rows(sql)[0]["electricity_amount"], 7.7, "amounts are rounded in the currency")
        self.assertEqual(self.rows(sql)[1]["name"], "Occupancy fee, 2 block(s)", "the description is computed")
        self.assertEqual(self.rows(sql)[3]["band"], None, "a column not given stays empty, as with create")
        self.assertEqual(by_sql.line_ids & sql, sql)
        self.assertEqual(sql.mapped("company_id"), by_sql.company_id)
        self.assertEqual(sql.mapped("currency_id"), by_sql.currency_id)
        self.assertEqual(sql.mapped("amount"), orm.mapped("amount"))

    def test_only_models_and_values_it_knows_are_inserted(self):
        Line = self.env["charge.order.line"]
        known = {"order_id", "company_id", "sequence", "name", "kind", "amount"}
        self.assertTrue(row_insert.fast_path_ok(Line, known))
        self.assertFalse(row_insert.fast_path_ok(Line, known - {"company_id"}),
                         "a related column not given: create computes it")
        self.assertFalse(row_insert.fast_path_ok(self.env["charge.order"], {"name"}), "a model with the chatter")
        order = self.run_session()
        Class = charge_order_line.ChargeOrderLine
        with patch.object(Class, "create", lambda self, vals_list: super(Class, self).create(vals_list),
                          create=True):
            # a create of another module now runs on these lines: the batch is written by create
            self.assertFalse(row_insert.fast_path_ok(Line, known))
            lines = Line.sudo()._charge_insert([dict(LINES[2], order_id=order.id)])
        self.assertEqual(lines.mapped("name"), ["Reservation fee"])
        self.assertEqual(charge_order_line.SEQUENCE_BY_KIND["reservation"], lines.sequence)

    def notes(self, orders, after):
        """The chatter's rows of ``orders`` after the message ``after`` (messages, then their tracking values)."""
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM mail_message WHERE model = 'charge.order' AND res_id = ANY(%s) "
                            "AND id > %s ORDER BY res_id, id", [orders.ids, after])
        names = [column.name for column in self.env.cr.description]
        messages = [dict(zip(names, row)) for row in self.env.cr.fetchall()]
        self.env.cr.execute("SELECT * FROM mail_tracking_value WHERE mail_message_id = ANY(%s) ORDER BY id",
                            [[message["id"] for message in messages]])
        names = [column.name for column in self.env.cr.description]
        values = [{name: value for name, value in zip(names, row) if name not in ("id", "mail_message_id")}
                  for row in self.env.cr.fetchall()]
        own = SKIP | {"res_id", "message_id"}
        return [{name: value for name, value in message.items() if name not in own} for message in messages], values

    def test_inserted_tracking_notes_are_the_rows_create_writes(self):
        orders = self.env["charge.order"]
        for hour in range(4):
            orders |= self.run_session(start=f"2026-11-21 0{2 * hour}:00", stop=f"2026-11-21 0{2 * hour + 1}:00")
        by_orm, by_sql = orders[:2], orders[2:]
        orders.sudo().write({"amount_total": 50.0})  # the same figures before
        self.env.cr.flush()
        self.env.cr.execute("SELECT MAX(id) FROM mail_message")
        after = self.env.cr.fetchone()[0]
        before = {order: order.message_ids for order in orders}  # read before: the chatter is read again after
        with patch.object(row_insert, "insert_rows", lambda *args, **kwargs: None):
            by_orm.sudo().write({"state": "abnormal", "amount_total": 99.5})
            self.env.cr.flush()  # the commit: the chatter's tracking
        inserted = []
        insert = row_insert.insert_rows

        def recording(model, *args, **kwargs):
            records = insert(model, *args, **kwargs)
            inserted.append((model._name, len(records)))
            return records

        with patch.object(row_insert, "insert_rows", recording):
            by_sql.sudo().write({"state": "abnormal", "amount_total": 99.5})
            self.env.cr.flush()
        self.assertEqual(inserted, [("mail.message", 2), ("mail.tracking.value", 4)])
        self.assertEqual(self.notes(by_sql, after), self.notes(by_orm, after))
        self.assertEqual(len(self.notes(by_sql, after)[0]), 2)
        for order in orders:
            new = order.message_ids - before[order]
            self.assertEqual(len(new), 1, "the order's chatter shows its note")
            self.assertEqual(sorted(new.tracking_value_ids.field_id.mapped("name")), ["amount_total", "state"])
