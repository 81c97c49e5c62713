from odoo import api, fields, models


class ChargeTariffVersionLine(models.AbstractModel):
    """A line of a tariff version (period, e-bike tier, prepay preset): it
    changes only while its version is a draft, and its version's checks run
    on every change of it."""
    _name = "charge.tariff.version.line"
    _description = "Tariff Version Line"

    version_id = fields.Many2one("charge.tariff.version", required=True, index=True, ondelete="cascade")

    @api.model_create_multi
    def create(self, vals_list):
        default = self.env.context.get("default_version_id")
        version_ids = {vals.get("version_id", default) for vals in vals_list} - {False, None}
        self.env["charge.tariff.version"].browse(version_ids)._check_draft()
        return super().create(vals_list)

    def write(self, vals):
        self.version_id._check_draft()
        if vals.get("version_id"):
            self.env["charge.tariff.version"].browse(vals["version_id"])._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_draft_version_only(self):
        self.version_id._check_draft()

    def unlink(self):
        versions = self.version_id
        result = super().unlink()
        versions.exists()._not_writing_lines()._check_lines()
        return result

    @api.constrains("version_id")
    def _check_version_lines(self):
        self.version_id._not_writing_lines()._check_lines()
