import ast
import io

import openpyxl
from freezegun import freeze_time
from lxml import etree

from odoo.tests import new_test_user, tagged

from .common import ChargeBillingCase


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestOrderListAndExport(ChargeBillingCase):
    """10.003 kWh stays 10.003 in the order list's sum row, and exported times are
    local times, also for a user who has no time zone."""

    def test_order_list_sums_energy_with_three_decimals(self):
        order = self.run_session(meter_start=0, meter_stop=10003)
        self.assertAlmostEqual(order.energy_kwh, 10.003, places=3)
        groups = self.env["charge.order"].web_read_group([("id", "=", order.id)], ["station_id"], ["energy_kwh:sum"])
        self.assertAlmostEqual(groups["groups"][0]["energy_kwh:sum"], 10.003, places=3)
        arch = etree.fromstring(self.env["charge.order"].get_view(
            self.env.ref("charge_billing.charge_order_view_list").id, "list")["arch"])
        [column] = arch.xpath("//list/field[@name='energy_kwh']")
        self.assertEqual(column.get("sum"), "Total")
        # the web client formats the sum row with the column's digits only
        self.assertEqual(tuple(ast.literal_eval(column.get("digits"))),
                         tuple(order._fields["energy_kwh"].get_digits(self.env)))
        self.assertEqual(order._fields["energy_kwh"].get_digits(self.env)[1], 3)

    def _exported_start(self, order, user):
        sheet = openpyxl.load_workbook(io.BytesIO(order.with_user(user)._xlsx_content())).active
        header, row = sheet[1], sheet[2]
        label = order._fields["start_date"].get_description(self.env)["string"]
        return {head.value: cell.value for head, cell in zip(header, row)}[label]

    def test_export_times_are_the_users_else_the_operators(self):
        order = self.run_session(start="2026-11-20 23:30", stop="2026-11-21 00:30")
        self.company.partner_id.tz = "Asia/Urumqi"  # UTC+6
        user = new_test_user(self.env, login="export_clerk", groups="charge_base.group_charge_user",
                             company_id=self.company.id, company_ids=[self.company.id], tz=False)
        self.assertFalse(user.tz)
        self.assertEqual(self._exported_start(order, user), "2026-11-21 05:30:00")
        user.tz = "Asia/Shanghai"
        self.assertEqual(self._exported_start(order, user), "2026-11-21 07:30:00")
        self.company.partner_id.tz = False  # nobody has one: the pack's home zone, not UTC
        user.tz = False
        self.assertEqual(self._exported_start(order, user), "2026-11-21 07:30:00")
