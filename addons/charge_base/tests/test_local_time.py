from datetime import date, datetime

from odoo.tests import BaseCase, TransactionCase, tagged

from ..tools.local_time import (
    FALLBACK_TZ, day_and_month_starts, local_date, local_day_bounds, local_midnight_utc, next_midnight_utc, to_utc,
)


@tagged("at_install", "-post_install")
class TestLocalTime(BaseCase):

    def test_shanghai_day_starts_at_16_utc_the_day_before(self):
        self.assertEqual(local_midnight_utc(date(2026, 11, 21), "Asia/Shanghai"), datetime(2026, 11, 20, 16))
        self.assertEqual(local_day_bounds(date(2026, 11, 21), "Asia/Shanghai"),
                         (datetime(2026, 11, 20, 16), datetime(2026, 11, 21, 16)))

    def test_local_date_crosses_midnight(self):
        self.assertEqual(local_date(datetime(2026, 11, 20, 15, 59), "Asia/Shanghai"), date(2026, 11, 20))
        self.assertEqual(local_date(datetime(2026, 11, 20, 16, 0), "Asia/Shanghai"), date(2026, 11, 21))

    def test_next_midnight_is_strictly_after_now(self):
        self.assertEqual(next_midnight_utc("Asia/Shanghai", datetime(2026, 11, 21, 12)), datetime(2026, 11, 21, 16))
        self.assertEqual(next_midnight_utc("Asia/Shanghai", datetime(2026, 11, 21, 16)), datetime(2026, 11, 22, 16))

    def test_day_and_month_starts(self):
        # 1 December 01:00 in Shanghai: the day and the month both start at 30 November 16:00 UTC
        self.assertEqual(day_and_month_starts(datetime(2026, 11, 30, 17), "Asia/Shanghai"),
                         (datetime(2026, 11, 30, 16), datetime(2026, 11, 30, 16)))
        self.assertEqual(day_and_month_starts(datetime(2026, 12, 15, 3), "Asia/Shanghai"),
                         (datetime(2026, 12, 14, 16), datetime(2026, 11, 30, 16)))

    def test_daylight_saving_day_is_23_hours(self):
        start, end = local_day_bounds(date(2024, 3, 31), "Europe/Paris")
        self.assertEqual((end - start).total_seconds(), 23 * 3600)

    def test_to_utc(self):
        self.assertIsNone(to_utc(False))
        self.assertEqual(to_utc(datetime(2026, 1, 1)).utcoffset().total_seconds(), 0)


@tagged("at_install", "-post_install")
class TestOperatorTimeAndLanguage(TransactionCase):

    def test_zone_of_company_then_user_then_fallback(self):
        company = self.env["res.company"].create({"name": "Zone Test Co"})
        company.partner_id.tz = "Asia/Urumqi"
        self.assertEqual(company._charge_tz(), "Asia/Urumqi")
        company.partner_id.tz = False
        user = self.env.user
        user.tz = "Europe/Paris"
        self.assertEqual(company._charge_tz(), "Europe/Paris")
        user.tz = False
        self.assertEqual(company._charge_tz(), FALLBACK_TZ)

    def test_operator_language_only_when_installed_and_context_has_none(self):
        company = self.env["res.company"].create({"name": "Lang Test Co"})
        company.partner_id.lang = "en_US"
        partners = self.env["res.partner"].with_context(lang=None)
        self.assertEqual(company._charge_in_operator_lang(partners).env.context.get("lang"), "en_US")
        kept = self.env["res.partner"].with_context(lang="fr_FR")
        self.assertEqual(company._charge_in_operator_lang(kept).env.context.get("lang"), "fr_FR")
