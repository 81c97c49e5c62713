from freezegun import freeze_time

from odoo.tests import tagged

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
