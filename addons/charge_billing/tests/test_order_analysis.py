from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import ChargeBillingCase


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestOrderAnalysisGroups(ChargeBillingCase):
    """The analysis labels each station and day once per value
    (``_web_read_group_groupby_formatter``): every group keeps its own label
    and a domain that selects exactly its orders."""

    def test_each_group_keeps_its_label_and_domain(self):
        orders = self.run_session(start="2026-11-19 03:00", stop="2026-11-19 04:00")
        orders |= self.run_session(start="2026-11-19 05:00", stop="2026-11-19 06:00")
        orders |= self.run_session(start="2026-11-20 03:00", stop="2026-11-20 04:00", connector=2)
        Order = self.env["charge.order"].with_context(tz="Asia/Shanghai")
        domain = [("id", "in", orders.ids)]
        groups = Order.formatted_read_group(domain, ["start_date:day", "station_id"], ["__count"])
        self.assertEqual(len(groups), 2)
        self.assertEqual([group["__count"] for group in groups], [2, 1])
        self.assertEqual([group["station_id"][0] for group in groups], [self.station.id] * 2)
        self.assertEqual(len({group["start_date:day"] for group in groups}), 2)
        for group in groups:
            self.assertEqual(Order.search_count(domain + group["__extra_domain"]), group["__count"])
        sets = Order.formatted_read_grouping_sets(domain, [["station_id"], ["station_id", "start_date:day"]],
                                                  ["__count"])
        self.assertEqual([group["__count"] for group in sets[0]], [3])
        self.assertEqual(sorted(group["__count"] for group in sets[1]), [1, 2])
        for group in sets[1]:
            self.assertEqual(Order.search_count(domain + group["__extra_domain"]), group["__count"])


@tagged("post_install", "-at_install")
class TestOrderAnalysisOpensOnThisMonth(ChargeBillingCase, HttpCase):
    """A clerk opens the charging analysis: it shows this month's orders
    (a year of stations by day is neither readable nor fast at a million
    orders); removing the month's facet brings the older ones back."""

    def test_the_analysis_opens_on_this_month(self):
        now = datetime.now().replace(second=0, microsecond=0)
        month_start = now.astimezone(ZoneInfo("Asia/Shanghai")).replace(
            day=1, hour=0, minute=0).astimezone(timezone.utc).replace(tzinfo=None)
        # the browser's month is taken in the clerk's time zone: today's order starts after its first minute
        start = max(now - timedelta(minutes=10), month_start + timedelta(minutes=1))
        stamp = "%Y-%m-%d %H:%M"
        old = self.run_session(start=(now - timedelta(days=40)).strftime(stamp),
                               stop=(now - timedelta(days=40) + timedelta(minutes=30)).strftime(stamp),
                               meter_stop=11000)
        recent = self.run_session(start=start.strftime(stamp), stop=(start + timedelta(minutes=5)).strftime(stamp),
                                  meter_stop=7000)
        self.assertEqual((old.energy_kwh, recent.energy_kwh), (11.0, 7.0))
        self.user.tz = "Asia/Shanghai"
        self.start_tour("/odoo/action-charge_billing.charge_order_analysis_action",
                        "charge_billing_analysis_this_month_tour", login=self.user.login)
