import io
import zipfile

import openpyxl
from freezegun import freeze_time

from odoo.tests import tagged

from .common import ChargeBillingCase, iso, utc

# 07:30-10:30 in Shanghai at a steady 30 kW: 15 kWh valley, 60 kWh flat, 15 kWh peak
SESSION = dict(start="2026-11-20 23:30", stop="2026-11-21 02:30", meter_start=1000, meter_stop=91000,
               samples=[("2026-11-21 00:00", 16000), ("2026-11-21 01:00", 46000), ("2026-11-21 02:00", 76000)])


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestOrderLifeCycle(ChargeBillingCase):

    def test_session_becomes_a_priced_order_across_two_boundaries(self):
        order = self.run_session(**SESSION)
        self.assertEqual(order.state, "completed")
        self.assertEqual(order.tariff_version_id, self.tou.current_version_id)
        self.assertEqual((order.energy_valley, order.energy_flat, order.energy_peak, order.energy_kwh),
                         (15.0, 60.0, 15.0, 90.0))
        self.assertAlmostEqual(order.amount_electricity, 61.5)
        self.assertAlmostEqual(order.amount_service, 54.0)
        self.assertAlmostEqual(order.amount_total, 115.5)
        lines = order.line_ids.filtered(lambda l: l.kind == "energy").sorted("start_date")
        self.assertEqual(lines.mapped("band"), ["valley", "flat", "peak"])
        self.assertEqual(lines[1].start_date, utc("2026-11-21 00:00"))
        self.assertEqual(lines[1].stop_date, utc("2026-11-21 02:00"))
        self.assertEqual((lines[1].electricity_price, lines[1].amount), (0.7, 78.0))
        self.assertEqual(order.name[:1], "S")
        self.assertEqual(order.station_id, self.station)
        self.env.flush_all()
        tracked = order.message_ids.tracking_value_ids.filtered(lambda v: v.field_id.name == "state")
        self.assertTrue(tracked, "state changes are in the chatter")

    def test_order_follows_the_device_events(self):
        reply = self.start(meter_start=0, timestamp=iso("2026-11-21 11:00"))
        session = self.env["charge.session"].browse(reply.payload["transactionId"])
        order = session.order_ids
        self.assertEqual((order.state, order.start_method), ("charging", "card"))
        self.meter(session.id, 5000, timestamp=iso("2026-11-21 11:10"))
        # the pile goes silent: suspended, then back
        self.pile.last_seen = utc("2026-11-21 11:10")
        self.env["charge.pile"]._cron_mark_offline()
        self.assertEqual(order.state, "suspended")
        self.send({}, "Heartbeat")
        self.assertEqual(order.state, "charging")
        # a remote stop
        order.action_stop()
        self.assertEqual(order.state, "stopping")
        self.assertEqual(order.stop_command_id.action, "RemoteStopTransaction")
        self.stop(session.id, 8000, timestamp=iso("2026-11-21 11:30"), reason="Remote")
        self.assertEqual(order.state, "completed")
        self.assertEqual((order.end_reason, order.energy_kwh), ("Remote", 8.0))

    def test_stop_on_an_unreachable_pile_settles_on_the_last_reading(self):
        reply = self.start(meter_start=0, timestamp=iso("2026-11-21 11:00"))
        session = self.env["charge.session"].browse(reply.payload["transactionId"])
        self.meter(session.id, 6000, timestamp=iso("2026-11-21 11:20"))
        self.pile.online = False
        order = session.order_ids
        order.action_stop()
        self.assertEqual(order.state, "completed")
        self.assertTrue(order.settled_on_last_reading)
        self.assertEqual((order.energy_kwh, order.stop_date), (6.0, utc("2026-11-21 11:20")))
        self.assertEqual(session.state, "finished")
        # the pile's own stop, arriving later, changes nothing
        self.pile.online = True
        self.stop(session.id, 9000, timestamp=iso("2026-11-21 11:40"))
        self.assertEqual(order.energy_kwh, 6.0)

    def test_back_office_start(self):
        partner = self.env["res.partner"].create({"name": "Li Lei"})
        wizard = self.env["charge.order.start"].create({"connector_id": self.connector2.id, "partner_id": partner.id})
        self.connector2.status = "available"
        action = wizard.action_start()
        order = self.env["charge.order"].browse(action["res_id"])
        self.assertEqual((order.state, order.start_method), ("starting", "backoffice"))
        self.assertEqual(order.start_command_id.action, "RemoteStartTransaction")
        reply = self.start(connector=2, id_tag=order.id_tag, meter_start=0, timestamp=iso("2026-11-21 11:59"))
        self.assertEqual(reply.payload["idTagInfo"]["status"], "Accepted")
        self.assertEqual((order.state, order.session_id.id), ("charging", reply.payload["transactionId"]))
        self.assertEqual(order.partner_id, partner)

    def test_refused_remote_start_makes_the_order_abnormal(self):
        partner = self.env["res.partner"].create({"name": "Han Meimei"})
        self.connector2.status = "available"
        action = self.env["charge.order.start"].create(
            {"connector_id": self.connector2.id, "partner_id": partner.id}).action_start()
        order = self.env["charge.order"].browse(action["res_id"])
        order.start_command_id.state = "sent"
        self.send(f'[3,"{order.start_command_id.message_id}",{{"status":"Rejected"}}]')
        self.assertEqual((order.state, order.abnormal_type), ("abnormal", "control"))
        self.assertEqual(order.anomaly_ids.code, "start_failed")

    def test_price_of_the_version_in_force_at_start_even_across_midnight(self):
        # a new version from 2026-11-21 00:00 Shanghai (2026-11-20 16:00 UTC) doubles every service fee
        self.add_version(self.tou, periods=[(0, 24, "valley")], effective="2026-11-20 16:00",
                         service_valley=0.8, elec_valley=0.3)
        order = self.run_session(start="2026-11-20 15:00", stop="2026-11-20 17:00", meter_start=0,
                                 meter_stop=20000)  # 23:00-01:00 local
        self.assertEqual(order.tariff_version_id.number, 1)
        self.assertEqual(order.line_ids.mapped("band"), ["valley", "valley"])
        self.assertAlmostEqual(order.amount_total, 20 * (0.3 + 0.4))
        later = self.run_session(start="2026-11-20 17:00", stop="2026-11-20 18:00", meter_start=20000,
                                 meter_stop=30000)
        self.assertEqual(later.tariff_version_id.number, 2)
        self.assertAlmostEqual(later.amount_total, 10 * (0.3 + 0.8))

    def test_pile_without_time_of_use_service_fee_bills_the_lowest_service_price(self):
        self.dc_model.cap_tou_service_fee = False
        order = self.run_session(**SESSION)
        self.assertAlmostEqual(order.amount_service, 90 * 0.4)
        self.assertAlmostEqual(order.amount_electricity, 61.5)

    def test_occupancy_fee_after_charging_with_the_gun_plugged_in(self):
        reply = self.start(meter_start=0, timestamp=iso("2026-11-21 10:00"))
        transaction = reply.payload["transactionId"]
        self.status(1, "Finishing")
        self.stop(transaction, 10000, timestamp=iso("2026-11-21 11:00"))
        order = self.env["charge.order"].search([("session_id", "=", transaction)])
        self.assertTrue(order.occupancy_open)
        self.assertEqual(order.state, "completed")
        # unplugged 50 minutes later: 35 billable minutes, 2 started blocks of 30 min at 1.00
        with freeze_time("2026-11-21 11:50:00"):
            self.send({"connectorId": 1, "status": "Available", "errorCode": "NoError",
                       "timestamp": iso("2026-11-21 11:50")}, "StatusNotification")
        self.assertFalse(order.occupancy_open)
        self.assertAlmostEqual(order.occupancy_minutes, 50)
        self.assertAlmostEqual(order.amount_occupancy, 2.0)
        occupancy = order.line_ids.filtered(lambda l: l.kind == "occupancy")
        self.assertEqual((occupancy.quantity, occupancy.amount), (2, 2.0))

    def test_pile_without_tariff_gives_an_abnormal_order(self):
        self.station.tariff_id = False
        order = self.run_session()
        self.assertEqual((order.state, order.anomaly_ids.code), ("abnormal", "no_tariff"))
        self.assertEqual((order.energy_kwh, order.energy_standard, order.amount_total), (10.0, 10.0, 0.0))

    def test_xlsx_export_has_a_row_per_order_and_a_sum_row(self):
        first = self.run_session(**SESSION)
        second = self.run_session(start="2026-11-21 03:00", stop="2026-11-21 04:00", meter_start=91000,
                                  meter_stop=101000)
        content = (first | second)._xlsx_content()
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            shared = workbook.read("xl/sharedStrings.xml").decode()
            sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
        self.assertIn(first.name, shared)
        self.assertIn(second.name, shared)
        self.assertIn("Total", shared)
        self.assertIn(">100<", sheet)  # 90 + 10 kWh in the sum row

    def test_xlsx_export_writes_names_and_tags_as_text(self):
        """A station name or an id tag that looks like a formula is exported as that text."""
        self.station.name = '=HYPERLINK("http://evil","x")'
        self.env["charge.pile.id.tag"].create({"pile_id": self.pile.id, "tag": "=1+1", "name": "Odd"})
        order = self.run_session(id_tag="=1+1")
        self.assertEqual(order.id_tag, "=1+1")
        sheet = openpyxl.load_workbook(io.BytesIO(order._xlsx_content())).active
        header, row = sheet[1], sheet[2]
        cells = {head.value: cell for head, cell in zip(header, row)}
        station = cells[order._fields["station_id"].get_description(self.env)["string"]]
        tag = cells[order._fields["id_tag"].get_description(self.env)["string"]]
        self.assertEqual((station.value, station.data_type), (self.station.display_name, "s"))
        self.assertTrue(station.value.startswith("=HYPERLINK"))
        self.assertEqual((tag.value, tag.data_type), ("=1+1", "s"))

    def test_device_events_write_in_the_operator_language(self):
        """The listener has no user language: bill lines and chatter use the operator's."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["charge_billing"], ["zh_CN"])
        self.company.partner_id.lang = "zh_CN"
        context = dict(self.env.context)
        context.pop("lang", None)
        self.env = self.env(context=context)  # as the listener runs: no user language
        order = self.run_session(**SESSION)
        self.assertEqual(order.line_ids.sorted("start_date")[0].name, "谷时段")
