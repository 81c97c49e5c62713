from unittest.mock import patch

import psycopg2.errors

from odoo import sql_db
from odoo.tests import tagged

from .common import ChargeMemberCase

LOGGER = "odoo.addons.charge_member.models.charge_pile"


@tagged("post_install", "-at_install")
class TestCardListCron(ChargeMemberCase):
    """The nightly card-list job meets the device listener: a warning line and
    the next pile, never a traceback at the cron level."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dc_model.cap_offline_whitelist = True
        cls.second = cls.create_pile("LIST0002", model=cls.dc_model)
        cls.second.action_commission()
        cls.card.whitelisted = True
        cls.piles = cls.pile | cls.second

    def commands(self, pile):
        return self.env["charge.device.command"].search([("pile_id", "=", pile.id), ("action", "=", "SendLocalList")])

    def test_a_commit_that_meets_the_listener_is_a_warning_and_the_job_goes_on(self):
        # in the cron, each pile is committed at once; its command is published and marked sent by a
        # postcommit hook, which fails when the listener records the pile's answer at that moment
        Cron = type(self.env["ir.cron"])
        commits = []

        def commit_progress(cron, processed=0, *, remaining=None, deactivate=False):
            commits.append(remaining)
            if len(commits) == 1:
                raise psycopg2.errors.SerializationFailure("could not serialize access due to concurrent update")
            return float("inf")

        Pile = self.env["charge.pile"].with_context(ir_cron_progress_id=1)
        with patch.object(Cron, "_commit_progress", commit_progress), \
                patch.object(self.env.cr, "rollback", lambda: None), \
                self.assertLogs(LOGGER, "WARNING") as logs:
            Pile._cron_push_local_lists(batch_size=1)
        # the first pile's commit failed; every other pile is still sent and committed
        self.assertGreaterEqual(len(commits), 2)
        self.assertEqual(commits, list(range(len(commits) - 1, -1, -1)))
        self.assertEqual(len(logs.records), 1)
        self.assertEqual(logs.records[0].levelname, "WARNING")
        self.assertIn("SerializationFailure", logs.output[0])
        self.assertFalse(logs.records[0].exc_info, "no traceback")
        self.assertEqual((len(self.commands(self.pile)), len(self.commands(self.second))), (1, 1))

    def test_a_pile_the_listener_just_wrote_still_gets_its_list(self):
        # a demo pile (committed, as the listener sees it) that keeps a card list
        pile = self.env["charge.pile"].search([("online", "=", True), ("state", "=", "commissioned"),
                                               ("model_id.cap_offline_whitelist", "=", True),
                                               ("id", "not in", self.piles.ids)], limit=1)
        self.assertTrue(pile, "the demo has piles keeping a card list")
        self.assertIn(pile.local_list_state, ("pending", "failed"))
        # the device listener writes the pile and commits after this transaction's snapshot
        connection = sql_db.db_connect(self.env.cr.dbname)
        with connection.cursor() as listener:
            listener.execute("SET lock_timeout = '5s'")
            listener.execute("UPDATE charge_pile SET last_seen = now() WHERE id = %s", [pile.id])
            listener.commit()
        # the job writes commands only, never the piles' rows: it does not meet the listener on them
        with self.assertNoLogs(LOGGER, "WARNING"), self.assertNoLogs("odoo.sql_db", "ERROR"):
            self.env["charge.pile"]._cron_push_local_lists()
        self.assertEqual(len(self.commands(pile)), 1)
        self.assertEqual(pile.local_list_command_id, self.commands(pile))
        self.assertEqual(pile.local_list_state, "sent")
        self.assertEqual((len(self.commands(self.pile)), len(self.commands(self.second))), (1, 1))

    def test_each_company_list_is_built_once_per_run(self):
        Pile = type(self.env["charge.pile"])
        entries = Pile._local_list_entries
        calls = []

        def counted(model, company):
            calls.append(company.id)
            return entries(model, company)

        with patch.object(Pile, "_local_list_entries", counted):
            self.env["charge.pile"]._cron_push_local_lists()
        self.assertGreaterEqual(len(self.commands(self.pile) | self.commands(self.second)), 2)
        self.assertEqual(sorted(calls), sorted(set(calls)), "one list per company")
