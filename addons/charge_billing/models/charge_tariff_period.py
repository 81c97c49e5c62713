from odoo import api, fields, models

from ..tools.tou_grid import Period, minute_label
from .charge_tariff_version import BANDS


class ChargeTariffPeriod(models.Model):
    """A time-of-use period of a car tariff version, in the station's local
    time, on the 30-minute grid."""
    _name = "charge.tariff.period"
    _description = "Time-of-Use Period"
    _inherit = ["charge.tariff.version.line"]
    _order = "version_id, start_time"

    version_id = fields.Many2one("charge.tariff.version", required=True, index=True, ondelete="cascade")
    start_time = fields.Float(string="From", required=True, help="Local time, on the half hour.")
    end_time = fields.Float(string="To", required=True, help="Local time, on the half hour; 24:00 ends the day.")
    band = fields.Selection(BANDS, required=True, default="flat")

    @api.depends("start_time", "end_time", "band")
    def _compute_display_name(self):
        bands = dict(self._fields["band"]._description_selection(self.env))
        for period in self:
            start, end = period._minutes()
            period.display_name = f"{minute_label(start)}-{minute_label(end)} {bands.get(period.band, '')}"

    @api.constrains("version_id", "start_time", "end_time", "band")
    def _check_version_lines(self):
        super()._check_version_lines()

    def _minutes(self):
        return round(self.start_time * 60), round(self.end_time * 60)

    def _engine_period(self):
        start, end = self._minutes()
        return Period(start, end, self.band)
