from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.res_partner import _tz_get



class ChargeTariff(models.Model):
    """A tariff rule as operators name it ("default rule", "night valley"...).
    Its prices live in versions; the version in force when a session starts
    prices it. Stations carry a default tariff, piles may override it."""
    _name = "charge.tariff"
    _description = "Tariff"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True, translate=False)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection([("car", "Car"), ("ebike", "E-bike")], required=True, default="car", tracking=True)
    tz = fields.Selection(_tz_get, string="Time Zone", required=True, default=lambda self: self.env.company._charge_tz(),
                          help="Zone of the effective times of the versions. Time-of-use periods follow the zone "
                               "of each station.")
    description = fields.Text()
    version_ids = fields.One2many("charge.tariff.version", "tariff_id", string="Versions")
    current_version_id = fields.Many2one("charge.tariff.version", compute="_compute_versions",
                                         string="Version in Force")
    next_version_id = fields.Many2one("charge.tariff.version", compute="_compute_versions",
                                      string="Scheduled Version")
    summary = fields.Char(compute="_compute_versions", string="Prices")
    station_ids = fields.One2many("charge.station", "tariff_id", string="Default of Stations")
    pile_ids = fields.One2many("charge.pile", "tariff_id", string="Assigned Piles")
    effective_pile_ids = fields.One2many("charge.pile", "effective_tariff_id", string="Piles Billed")
    pile_count = fields.Integer(compute="_compute_pile_count", string="Piles")
    push_ids = fields.One2many("charge.tariff.push", "tariff_id", string="Pushes")
    push_failed_count = fields.Integer(compute="_compute_push_failed_count")

    def _compute_versions(self):
        now = fields.Datetime.now()
        for tariff in self:
            published = tariff.version_ids.filtered(lambda v: v.state == "published").sorted(
                lambda v: (v.effective_date, v.number))
            current = published.filtered(lambda v: v.effective_date <= now)
            tariff.current_version_id = current[-1:] if current else False
            tariff.next_version_id = (published - current)[:1]
            tariff.summary = tariff.current_version_id.summary

    @api.depends("effective_pile_ids")
    def _compute_pile_count(self):
        for tariff in self:
            tariff.pile_count = len(tariff.effective_pile_ids)

    def _compute_push_failed_count(self):
        groups = self.env["charge.tariff.push"]._read_group(
            [("tariff_id", "in", self.ids), ("state", "in", ("rejected", "timeout", "failed")), ("superseded", "=", False)],
            ["tariff_id"], ["__count"])
        counts = {tariff.id: count for tariff, count in groups}
        for tariff in self:
            tariff.push_failed_count = counts.get(tariff.id, 0)

    def _version_at(self, when):
        """The published version in force at ``when`` (UTC), if any."""
        self.ensure_one()
        return self.env["charge.tariff.version"].search([
            ("tariff_id", "=", self.id), ("state", "=", "published"), ("effective_date", "<=", when),
        ], order="effective_date desc, number desc", limit=1)

    def write(self, vals):
        # the kind and the company (its currency) price the published versions
        for name in {"kind", "company_id"}.intersection(vals):
            changed = self.filtered(lambda t: t._fields[name].convert_to_write(t[name], t) != vals[name])
            changed.version_ids.filtered(lambda v: v.state != "draft")[:1]._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_unassigned_only(self):
        for tariff in self:
            if tariff.station_ids or tariff.pile_ids:
                names = tariff.station_ids.mapped("name") + tariff.pile_ids.mapped("display_name")
                raise UserError(self.env._(
                    "Tariff %(tariff)s is assigned to %(targets)s: assign another tariff to them, or stop them, "
                    "before deleting it.", tariff=tariff.name, targets=", ".join(names)))

    def action_new_version(self):
        """A draft copy of the latest version, to edit and publish."""
        self.ensure_one()
        latest = self.version_ids.sorted("number")[-1:]
        if latest:
            version = latest.copy({"state": "draft"})
        else:
            version = self.env["charge.tariff.version"].create({"tariff_id": self.id})
        return version._open_form()

    def action_push_now(self):
        """Push the version in force to every pile billed by these tariffs, now."""
        for tariff in self:
            version = tariff.current_version_id
            if not version:
                raise UserError(self.env._("Tariff %s has no version in force to push.", tariff.name))
            self.env["charge.tariff.push"]._push(version, tariff.effective_pile_ids)
        return self.action_view_pushes()

    def action_view_piles(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "name": self.env._("Piles billed by %s", self.name),
            "res_model": "charge.pile", "view_mode": "list,form",
            "domain": [("effective_tariff_id", "=", self.id)],
            "context": {"default_tariff_id": self.id},
        }

    def action_view_pushes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("charge_billing.charge_tariff_push_action")
        action["domain"] = [("tariff_id", "=", self.id)]
        return action

    def action_assign_piles(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "name": self.env._("Assign Piles"), "res_model": "charge.tariff.assign",
            "view_mode": "form", "target": "new", "context": {"default_tariff_id": self.id},
        }
