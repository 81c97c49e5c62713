import ast
import json
from datetime import datetime, timedelta

from lxml import etree

from odoo.tests import BaseCase, HttpCase, tagged

from odoo.addons.charge_base.tests.rpc import ChargeRpcMixin

from ..tools import power_curve
from .common import ChargeDeviceCase

# the granularities the web client accepts in a groupBy (web/static/src/search/utils/dates.js,
# BACKEND_INTERVAL_OPTIONS: a subset of odoo.orm.utils.READ_GROUP_TIME_GRANULARITY); any other
# one ("timestamp:minute") is the "Invalid groupBy description" error dialog
WEB_GRANULARITIES = {"year", "quarter", "month", "week", "day", "hour"}


class TestPowerCurveTool(BaseCase):

    def samples(self, count, step=timedelta(minutes=1), start=datetime(2026, 11, 21, 9, 0)):
        return [power_curve.Sample(at=start + i * step, energy_wh=1000 + 500 * i, power_w=30000 + i,
                                   soc=20 + i * 0.5 if i % 10 else 0) for i in range(count)]

    def test_every_sample_of_a_two_hour_session_is_a_point(self):
        data = power_curve.curve(self.samples(120), meter_start_wh=1000)
        self.assertEqual([len(data[key]) for key in ("labels", "power_kw", "energy_kwh", "soc")], [120] * 4)
        self.assertEqual((data["labels"][0], data["labels"][-1]), ("09:00", "10:59"))
        self.assertEqual((data["power_kw"][1], data["energy_kwh"][2], data["soc"][3]), (30.0, 1.0, 21.5))
        # a SoC the pile did not report is no 0% dip in the curve
        self.assertIsNone(data["soc"][10])

    def test_a_long_session_is_drawn_on_buckets(self):
        data = power_curve.curve(self.samples(1000, step=timedelta(seconds=10)), meter_start_wh=1000, max_points=100)
        self.assertEqual(len(data["labels"]), 100)
        # the last point is the last sample; power is the bucket's mean
        self.assertEqual(data["energy_kwh"][-1], 499.5)
        self.assertEqual(data["power_kw"][0], round(sum(30000 + i for i in range(10)) / 10 / 1000, 2))
        self.assertEqual(data["labels"][-1], "11:46")
        # samples 10 s apart drawn one by one: the labels tell them apart
        data = power_curve.curve(self.samples(12, step=timedelta(seconds=10)), meter_start_wh=1000)
        self.assertEqual(data["labels"][-2:], ["09:01:40", "09:01:50"])

    def test_a_session_over_midnight_labels_the_day(self):
        data = power_curve.curve(self.samples(3, step=timedelta(hours=1), start=datetime(2026, 11, 21, 23, 0)), 1000)
        self.assertEqual(data["labels"], ["11-21 23:00", "11-22 00:00", "11-22 01:00"])


@tagged("post_install", "-at_install")
class TestGroupByDescriptions(ChargeDeviceCase):
    """Every grouping the charge views and actions ask the web client for is one
    it accepts: a date's granularity it knows, no granularity on other fields."""

    def check_spec(self, model, spec, where):
        name, _sep, granularity = spec.partition(":")
        field = self.env[model]._fields.get(name)
        self.assertTrue(field, f"{where}: {model} has no field {name}")
        if granularity:
            self.assertIn(field.type, ("date", "datetime"), f"{where}: {spec} groups a {field.type} by {granularity}")
            self.assertIn(granularity, WEB_GRANULARITIES, f"{where}: {spec}")

    def context_specs(self, text):
        try:
            context = ast.literal_eval(text or "{}")
        except (ValueError, SyntaxError):
            return []  # a context with expressions (ids...) groups nothing here
        specs = context.get("group_by") or []
        return [specs] if isinstance(specs, str) else list(specs)

    def test_views_and_actions_group_by_what_the_web_client_accepts(self):
        data = self.env["ir.model.data"].search([("module", "=like", "charge_%"),
                                                 ("model", "in", ("ir.ui.view", "ir.actions.act_window"))])
        checked = 0
        for record in data:
            where = f"{record.module}.{record.name}"
            if record.model == "ir.actions.act_window":
                action = self.env["ir.actions.act_window"].browse(record.res_id)
                for spec in self.context_specs(action.context):
                    self.check_spec(action.res_model, spec, where)
                    checked += 1
                continue
            view = self.env["ir.ui.view"].browse(record.res_id)
            arch = etree.fromstring(view.arch_db)
            for node in arch.iter("field"):
                if node.get("interval"):
                    self.check_spec(view.model, f"{node.get('name')}:{node.get('interval')}", where)
                    checked += 1
            for node in arch.iter("filter"):
                for spec in self.context_specs(node.get("context")):
                    self.check_spec(view.model, spec, where)
                    checked += 1
            for node in arch.iter("kanban", "list", "graph", "pivot"):
                if node.get("default_group_by"):
                    self.check_spec(view.model, node.get("default_group_by"), where)
                    checked += 1
        self.assertGreater(checked, 20)


@tagged("post_install", "-at_install")
class TestPowerCurveAsClerk(ChargeRpcMixin, ChargeDeviceCase, HttpCase):
    """A clerk opens the power curve of a session (its stat button) and its meter values' graph."""

    def test_the_clerk_opens_the_power_curve_of_a_session(self):
        reply = self.start(meter_start=1000, timestamp="2026-11-21T08:00:00Z")
        transaction = reply.payload["transactionId"]
        # two hours of samples, one a minute, in one batch of the listener
        self.send_many([({"connectorId": 1, "transactionId": transaction, "meterValue": [{
            "timestamp": (datetime(2026, 11, 21, 8) + timedelta(minutes=minute)).isoformat() + "Z",
            "sampledValue": [
                {"value": str(1000 + 500 * minute), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": "30000", "measurand": "Power.Active.Import", "unit": "W"},
                {"value": str(20 + minute // 2), "measurand": "SoC", "unit": "Percent"},
            ]}]}, "MeterValues", None, None, "test") for minute in range(1, 121)])
        action = self.rpc(self.user, "charge.session", "action_view_power_curve", [transaction])
        self.assertEqual((action["res_model"], action["res_id"], action["target"]),
                         ("charge.session", transaction, "new"))
        view_id = action["views"][0][0]
        views = self.rpc(self.user, "charge.session", "get_views", [[view_id, "form"]])
        self.assertIn("charge_power_curve", views["views"]["form"]["arch"])
        record = self.rpc(self.user, "charge.session", "web_read", [transaction],
                          specification={"power_curve": {}, "energy_kwh": {}, "soc": {}})[0]
        curve = json.loads(record["power_curve"])
        self.assertEqual(len(curve["labels"]), 120)
        self.assertEqual((curve["power_kw"][-1], curve["energy_kwh"][-1], curve["soc"][-1]), (30.0, 60.0, 80.0))
        self.assertEqual((record["energy_kwh"], record["soc"]), (60.0, 80.0))
        # the meter values' graph groups by the granularity its view names, as the web client asks it
        graph = self.rpc(self.user, "charge.meter.value", "get_views", [[False, "graph"]])["views"]["graph"]["arch"]
        interval = etree.fromstring(graph).xpath("//field[@name='timestamp']")[0].get("interval")
        self.assertIn(interval, WEB_GRANULARITIES)
        groups = self.rpc(self.user, "charge.meter.value", "web_read_group", [("session_id", "=", transaction)],
                          groupby=[f"timestamp:{interval}"], aggregates=["power_w:avg", "energy_wh:max"])
        self.assertEqual([group["__count"] for group in groups["groups"]], [59, 60, 1])
        self.assertEqual(groups["groups"][0]["power_w:avg"], 30000.0)
