from contextlib import contextmanager
from urllib.parse import urljoin

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.charge_base.tests.rpc import ChargeRpcMixin

from .common import DEMO_PERIODS, ChargeBillingCase

FROZEN = "is published and cannot change: create a new version"


@tagged("post_install", "-at_install")
class TestTariffImmutable(ChargeRpcMixin, ChargeBillingCase, HttpCase):
    """A published tariff version, its periods, tiers and presets never change, for any group and over RPC; new
    prices mean a new version, copied from the latest one as a draft. The lines of a draft are checked on every
    change, not only when the version is published."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.in_force = cls.tou.current_version_id
        cls.bike = cls.create_tariff(
            "Bike power", kind="ebike", effective="2026-10-31 16:00", ebike_mode="power_duration",
            free_minutes=5, auto_stop_minutes=720, auto_stop_amount=6.0,
            tier_ids=[Command.create({"kind": "power", "up_to_watts": 200, "rate_per_hour": 0.2}),
                      Command.create({"kind": "power", "up_to_watts": 400, "rate_per_hour": 0.3})],
            preset_ids=[Command.create({"kind": "amount", "amount": 5})])

    def assertRpcRefused(self, user, model, method, *args, error="", **kwargs):
        """The call is refused with an error whose message (as the user reads it) contains ``error``."""
        self.authenticate(user.login, user.login)
        response = self.opener.post(urljoin(self.base_url(), "/web/dataset/call_kw"), json={
            "id": 0, "jsonrpc": "2.0", "method": "call",
            "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs}})
        response.raise_for_status()
        failure = response.json().get("error")
        self.assertTrue(failure, f"{model}.{method} was accepted")
        self.assertIn(error, failure["data"]["message"])

    @contextmanager
    def assertRefused(self, exception, text):
        """assertRaises (which rolls the failed change back) and the message contains ``text``."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertIn(text, str(caught.exception))

    def snapshot(self, version):
        version.invalidate_recordset()
        return (version.state, version.pushed, version.service_peak, version.elec_peak,
                [(p.start_time, p.end_time, p.band) for p in version.period_ids],
                [(t.up_to_watts, t.rate_per_hour) for t in version.tier_ids],
                [(p.kind, p.amount) for p in version.preset_ids])

    def test_in_force_version_cannot_go_back_to_draft_or_change_over_rpc(self):
        version = self.in_force
        before = self.snapshot(version)
        self.assertEqual((version.state, version.status), ("published", "current"))
        for user in (self.user, self.manager):
            self.assertRpcRefused(user, "charge.tariff.version", "write", version.ids, {"state": "draft"})
        self.assertRpcRefused(self.manager, "charge.tariff.version", "write", version.ids, {"state": "draft"},
                              error="changes only through its actions")
        self.assertRpcRefused(self.manager, "charge.tariff.version", "write", version.ids, {"pushed": False},
                              error="changes only through its actions")
        self.assertRpcRefused(self.manager, "charge.tariff.version", "write", version.ids,
                              {"state": "draft", "service_peak": 9.0}, error="changes only through its actions")
        self.assertRpcRefused(self.manager, "charge.tariff.version", "write", version.ids, {"service_peak": 9.0},
                              error=f"{version.display_name} {FROZEN}")
        self.assertRpcRefused(self.manager, "charge.tariff.version", "write", version.ids,
                              {"effective_date": "2026-12-01 00:00:00"}, error=FROZEN)
        # not even the superuser writes the state; the note stays free
        with self.assertRefused(UserError, "changes only through its actions"):
            version.write({"state": "draft"})
        self.rpc(self.manager, "charge.tariff.version", "write", version.ids, {"note": "Grid tariff of 2026"})
        self.assertEqual(self.snapshot(version), before)
        self.assertEqual(version.note, "Grid tariff of 2026")

    def test_periods_of_a_published_version_never_change(self):
        version = self.in_force
        before = self.snapshot(version)
        period = version.period_ids[:1]
        calls = [
            ("write", period.ids, {"band": "valley"}),
            ("write", version.period_ids.ids, {"band": "valley"}),
            ("create", {"version_id": version.id, "start_time": 9, "end_time": 11, "band": "valley"}),
            ("unlink", period.ids),
        ]
        for method, *args in calls:
            with self.subTest(method=method):
                self.assertRpcRefused(self.manager, "charge.tariff.period", method, *args,
                                      error=f"{version.display_name} {FROZEN}")
        self.assertRpcRefused(self.manager, "charge.tariff.period", "create",
                              {"start_time": 9, "end_time": 11, "band": "valley"},
                              context={"default_version_id": version.id}, error=FROZEN)
        self.assertRpcRefused(self.manager, "charge.tariff.version", "write", version.ids,
                              {"period_ids": [Command.update(period.id, {"band": "valley"})]}, error=FROZEN)
        # moving a period of a draft onto the published version is a change of the published version
        draft = self.env["charge.tariff.version"].browse(self.tou.action_new_version()["res_id"])
        self.assertRpcRefused(self.manager, "charge.tariff.period", "write", draft.period_ids[:1].ids,
                              {"version_id": version.id}, error=FROZEN)
        with self.assertRefused(UserError, FROZEN):  # superuser included
            period.band = "valley"
        self.assertEqual(self.snapshot(version), before)
        # the piles billed by it still start and price sessions
        order = self.run_session(start="2026-11-21 00:00", stop="2026-11-21 01:00", meter_stop=10000)
        self.assertRecordValues(order, [{"state": "completed", "tariff_version_id": version.id,
                                         "energy_kwh": 10.0}])

    def test_tiers_and_presets_of_a_published_version_never_change(self):
        version = self.bike.current_version_id
        before = self.snapshot(version)
        tier, preset = version.tier_ids[:1], version.preset_ids[:1]
        for model, record, values in (("charge.tariff.ebike.tier", tier, {"rate_per_hour": -0.1}),
                                      ("charge.tariff.ebike.tier", tier, {"up_to_watts": 100}),
                                      ("charge.tariff.preset", preset, {"amount": 500})):
            self.assertRpcRefused(self.manager, model, "write", record.ids, values, error=FROZEN)
        for model, record in (("charge.tariff.ebike.tier", tier), ("charge.tariff.preset", preset)):
            self.assertRpcRefused(self.manager, model, "unlink", record.ids, error=FROZEN)
        self.assertRpcRefused(self.manager, "charge.tariff.ebike.tier", "create",
                              {"version_id": version.id, "kind": "power", "up_to_watts": 800, "rate_per_hour": 0.5},
                              error=FROZEN)
        self.assertRpcRefused(self.manager, "charge.tariff.preset", "create",
                              {"version_id": version.id, "kind": "duration", "minutes": 60}, error=FROZEN)
        self.assertRpcRefused(self.manager, "charge.tariff.version", "write", version.ids,
                              {"tier_ids": [Command.clear()], "preset_ids": [Command.clear()]}, error=FROZEN)
        self.assertEqual(self.snapshot(version), before)

    def test_a_version_is_published_only_by_its_action(self):
        values = {"tariff_id": self.standard.id, "price_electricity": 0.1, "price_service": 0.1,
                  "effective_date": "2026-11-01 00:00:00"}
        self.assertRpcRefused(self.manager, "charge.tariff.version", "create", dict(values, state="published"),
                              error="starts as a draft")
        self.assertRpcRefused(self.manager, "charge.tariff.version", "create", values,
                              context={"default_state": "published"}, error="starts as a draft")
        self.assertRpcRefused(self.manager, "charge.tariff.version", "copy", self.standard.current_version_id.ids,
                              default={"state": "published"}, error="starts as a draft")
        self.assertEqual(len(self.standard.version_ids), 1)
        # the tariff's kind prices its published versions
        with self.assertRefused(UserError, FROZEN):
            self.standard.with_user(self.manager).kind = "ebike"
        draft_only = self.create_tariff("Draft only", publish=False, price_electricity=1.0)
        draft_only.with_user(self.manager).kind = "ebike"
        self.assertEqual(draft_only.version_ids.kind, "ebike")

    def test_new_prices_mean_a_new_version_copied_as_a_draft(self):
        published = self.bike.current_version_id
        action = self.rpc(self.manager, "charge.tariff", "action_new_version", self.bike.ids)
        draft = self.env["charge.tariff.version"].browse(action["res_id"])
        self.assertRecordValues(draft, [{"state": "draft", "pushed": False, "number": 2, "effective_date": False,
                                         "free_minutes": 5}])
        self.assertEqual(self.snapshot(draft)[4:], self.snapshot(published)[4:])
        self.assertFalse(draft.tier_ids & published.tier_ids)
        # the draft's lines change, each change checked
        self.rpc(self.manager, "charge.tariff.ebike.tier", "write", draft.tier_ids[:1].ids, {"rate_per_hour": 0.25})
        self.rpc(self.manager, "charge.tariff.preset", "create", {"version_id": draft.id, "kind": "amount",
                                                                    "amount": 10})
        self.rpc(self.manager, "charge.tariff.version", "action_publish", draft.ids)
        self.assertEqual(draft.state, "published")
        self.assertEqual([t.rate_per_hour for t in draft.tier_ids], [0.25, 0.3])
        self.assertEqual([t.rate_per_hour for t in published.tier_ids], [0.2, 0.3])
        self.assertEqual(len(draft.preset_ids), 2)
        self.assertEqual(len(published.preset_ids), 1)

    def test_lines_of_a_draft_are_checked_on_every_change(self):
        draft = self.env["charge.tariff.version"].browse(self.tou.action_new_version()["res_id"])
        Period = self.env["charge.tariff.period"].with_user(self.manager)
        with self.assertRefused(ValidationError, "overlap"):
            Period.create({"version_id": draft.id, "start_time": 9, "end_time": 11, "band": "valley"})
        morning = draft.period_ids.filtered(lambda p: p.start_time == 0)
        with self.assertRefused(ValidationError, "overlap"):
            morning.with_user(self.manager).end_time = 9
        with self.assertRefused(ValidationError, "08:00-10:00"):
            draft.period_ids.filtered(lambda p: p.start_time == 8).with_user(self.manager).unlink()
        # several lines at once through the version: checked once every command is applied
        flat = draft.period_ids.filtered(lambda p: p.start_time == 8)
        draft.with_user(self.manager).period_ids = [Command.update(morning.id, {"end_time": 9}),
                                                    Command.update(flat.id, {"start_time": 9})]
        self.assertEqual([(p.start_time, p.end_time) for p in draft.period_ids][:2], [(0, 9), (9, 10)])
        with self.assertRefused(ValidationError, "overlap"):
            draft.with_user(self.manager).period_ids = [Command.update(morning.id, {"end_time": 10})]
        self.assertEqual(len(draft.period_ids), len(DEMO_PERIODS))
        # presets: at most 12, however they are added
        Preset = self.env["charge.tariff.preset"].with_user(self.manager)
        Preset.create([{"version_id": draft.id, "amount": 10 * n} for n in range(1, 13)])
        with self.assertRefused(ValidationError, "at most 12"):
            Preset.create({"version_id": draft.id, "amount": 500})
        # e-bike tiers are never negative, on a draft either
        bike_draft = self.env["charge.tariff.version"].browse(self.bike.action_new_version()["res_id"])
        Tier = self.env["charge.tariff.ebike.tier"].with_user(self.manager)
        with self.assertRefused(ValidationError, "negative: Rate per Hour"):
            Tier.create({"version_id": bike_draft.id, "kind": "power", "up_to_watts": 800, "rate_per_hour": -0.5})
        with self.assertRefused(ValidationError, "negative: Up to (W)"):
            bike_draft.tier_ids[:1].with_user(self.manager).up_to_watts = -1
