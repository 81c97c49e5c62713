from odoo.tests import BaseCase, tagged

from ..tools.tou_grid import (
    BANDS, DAY_MINUTES, ERROR_CODES, TOU_BANDS, Period, TariffError, check_periods,
    minute_label, period_at, period_label,
)

# The demo time-of-use day (Asia/Shanghai), deliberately listed out of order.
DEMO_DAY = (
    Period(1320, 1440, "valley"),
    Period(0, 480, "valley"),
    Period(480, 600, "flat"),
    Period(600, 720, "peak"),
    Period(720, 840, "sharp"),
    Period(840, 1140, "peak"),
    Period(1140, 1320, "flat"),
)


@tagged("at_install", "-post_install")
class TestTouGrid(BaseCase):
    """Validation of time-of-use periods: no database involved."""

    def assertTariffError(self, code, periods):
        with self.assertRaises(TariffError) as caught:
            check_periods(periods)
        self.assertEqual(caught.exception.code, code)
        self.assertIn(code, ERROR_CODES)
        self.assertIsInstance(caught.exception, ValueError)
        return caught.exception.params

    def test_vocabulary(self):
        self.assertEqual(BANDS, ("standard", "sharp", "peak", "flat", "valley"))
        self.assertEqual(TOU_BANDS, ("sharp", "peak", "flat", "valley"))
        self.assertEqual(DAY_MINUTES, 1440)

    def test_minute_label(self):
        self.assertEqual(minute_label(0), "00:00")
        self.assertEqual(minute_label(450), "07:30")
        self.assertEqual(minute_label(1410), "23:30")
        self.assertEqual(minute_label(1440), "24:00")
        self.assertEqual(period_label(Period(480, 600, "flat")), "08:00-10:00")

    def test_demo_day_is_sorted(self):
        periods = check_periods(DEMO_DAY)
        self.assertEqual([p.start_minute for p in periods], [0, 480, 600, 720, 840, 1140, 1320])
        self.assertEqual(periods[-1], Period(1320, 1440, "valley"))
        self.assertEqual(check_periods([(0, 1440, "flat")]), (Period(0, 1440, "flat"),))

    def test_error_carries_code_and_params(self):
        error = TariffError("gap", "no period covers 07:00-08:00", start="07:00", end="08:00")
        self.assertEqual((error.code, error.params), ("gap", {"start": "07:00", "end": "08:00"}))
        self.assertEqual(str(error), "no period covers 07:00-08:00")

    def test_no_periods(self):
        self.assertTariffError("no_periods", ())
        self.assertTariffError("no_periods", None)

    def test_grid(self):
        params = self.assertTariffError("grid", [Period(0, 470, "valley"), Period(470, 1440, "flat")])
        self.assertEqual(params, {"start": "00:00", "end": "07:50"})
        self.assertTariffError("grid", [Period(0, 1445, "flat")])
        self.assertTariffError("grid", [Period(-30, 1440, "flat")])
        self.assertTariffError("grid", [Period(0, 1470, "flat")])
        self.assertTariffError("grid", [Period(0.0, 1440, "flat")])
        params = self.assertTariffError("grid", [Period(0, 455, "flat"), Period(455, 1440, "peak")])
        self.assertEqual(params, {"start": "00:00", "end": "07:35"})

    def test_empty_period(self):
        params = self.assertTariffError("empty_period", [Period(0, 1440, "flat"), Period(600, 600, "peak")])
        self.assertEqual(params, {"start": "10:00", "end": "10:00"})
        self.assertTariffError("empty_period", [Period(600, 480, "peak")])

    def test_band(self):
        params = self.assertTariffError("band", [Period(0, 1440, "cheap")])
        self.assertEqual(params, {"band": "cheap", "start": "00:00", "end": "24:00"})
        # "standard" is the band of standard tariffs, not of a time-of-use period
        self.assertTariffError("band", [Period(0, 1440, "standard")])

    def test_overlap(self):
        params = self.assertTariffError("overlap", [Period(0, 600, "valley"), Period(540, 1440, "flat")])
        self.assertEqual(params, {"first": "00:00-10:00", "second": "09:00-24:00"})
        self.assertTariffError("overlap", [Period(0, 1440, "flat"), Period(0, 1440, "peak")])

    def test_gap_inside_at_start_and_at_end(self):
        params = self.assertTariffError("gap", [Period(0, 420, "valley"), Period(480, 1440, "flat")])
        self.assertEqual(params, {"start": "07:00", "end": "08:00"})
        params = self.assertTariffError("gap", [Period(60, 1440, "flat")])
        self.assertEqual(params, {"start": "00:00", "end": "01:00"})
        params = self.assertTariffError("gap", [Period(0, 1410, "flat")])
        self.assertEqual(params, {"start": "23:30", "end": "24:00"})

    def test_period_at(self):
        periods = check_periods(DEMO_DAY)
        self.assertEqual(period_at(periods, 0).band, "valley")
        self.assertEqual(period_at(periods, 479.5).band, "valley")
        self.assertEqual(period_at(periods, 480).band, "flat")
        self.assertEqual(period_at(periods, 1439).band, "valley")
        with self.assertRaises(TariffError):
            period_at(periods, 1440)
