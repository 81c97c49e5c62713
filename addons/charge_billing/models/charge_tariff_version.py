import json
from contextlib import contextmanager, nullcontext
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import ebike_pricing, pricing
from ..tools.tou_grid import Period, TariffError, check_periods
from .tariff_messages import tariff_error_message
from odoo.addons.charge_base.tools.local_time import next_midnight_utc

BANDS = [("sharp", "Sharp"), ("peak", "Peak"), ("flat", "Flat"), ("valley", "Valley")]
EBIKE_MODES = [
    ("duration", "By Duration"),
    ("power_duration", "By Power Band and Duration"),
    ("energy", "By Energy"),
    ("energy_hourly", "Energy plus Hourly Service Fee"),
    ("energy_power", "Energy plus Service Fee by Power Band"),
]
MAX_PRESETS = 12
# what a published version may still change: nothing that prices a session
FREE_FIELDS = {"note"}
# set by the version's actions only (publish, push), never by write()
ACTION_FIELDS = {"state", "pushed"}
# versions writing their own lines, which leave the version's checks to it
_WRITING_LINES = "charge_tariff_version_writing_lines"
LINE_FIELDS = {"period_ids", "tier_ids", "preset_ids"}


def _dec(value):
    return Decimal(str(round(value or 0.0, 5)))


class ChargeTariffVersion(models.Model):
    """The prices of a tariff from an effective time on. A published version is
    frozen; a change is a new version."""
    _name = "charge.tariff.version"
    _description = "Tariff Version"
    _order = "tariff_id, number desc"
    _check_company_auto = True

    tariff_id = fields.Many2one("charge.tariff", required=True, index=True, ondelete="cascade")
    number = fields.Integer(string="Version", readonly=True, copy=False)
    kind = fields.Selection(related="tariff_id.kind", store=True)
    company_id = fields.Many2one(related="tariff_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="tariff_id.currency_id")
    state = fields.Selection([("draft", "Draft"), ("published", "Published")], default="draft", required=True,
                             readonly=True, copy=False, index=True)
    status = fields.Selection([("draft", "Draft"), ("scheduled", "Scheduled"), ("current", "In Force"),
                               ("superseded", "Superseded")], compute="_compute_status")
    effective_date = fields.Datetime(string="Effective From", copy=False,
                                     help="Sessions that start from this time on are priced by this version. "
                                          "Empty: the next 00:00 when published.")
    pushed = fields.Boolean(readonly=True, copy=False, help="Sent to the piles when it came into force.")
    note = fields.Text()
    summary = fields.Char(compute="_compute_summary", string="Prices")
    # car tariffs
    mode = fields.Selection([("standard", "Standard"), ("tou", "Time of Use")], default="standard", required=True)
    base_price_id = fields.Many2one("charge.base.price", string="Electricity Base Price", check_company=True,
                                    ondelete="restrict",
                                    help="When set, the electricity price of each band is this base price.")
    price_electricity = fields.Float(string="Electricity (per kWh)", digits="Charge Unit Price")
    price_service = fields.Float(string="Service (per kWh)", digits="Charge Unit Price")
    elec_sharp = fields.Float(string="Sharp Electricity", digits="Charge Unit Price",
                              compute="_compute_band_electricity", store=True, readonly=False)
    elec_peak = fields.Float(string="Peak Electricity", digits="Charge Unit Price",
                             compute="_compute_band_electricity", store=True, readonly=False)
    elec_flat = fields.Float(string="Flat Electricity", digits="Charge Unit Price",
                             compute="_compute_band_electricity", store=True, readonly=False)
    elec_valley = fields.Float(string="Valley Electricity", digits="Charge Unit Price",
                               compute="_compute_band_electricity", store=True, readonly=False)
    service_sharp = fields.Float(string="Sharp Service", digits="Charge Unit Price")
    service_peak = fields.Float(string="Peak Service", digits="Charge Unit Price")
    service_flat = fields.Float(string="Flat Service", digits="Charge Unit Price")
    service_valley = fields.Float(string="Valley Service", digits="Charge Unit Price")
    period_ids = fields.One2many("charge.tariff.period", "version_id", string="Periods", copy=True)
    reservation_hold_minutes = fields.Integer(string="Reservation Hold (min)")
    reservation_fee = fields.Monetary(string="Reservation Fee")
    reservation_enabled = fields.Boolean(compute="_compute_reservation_enabled",
                                         help="A zero fee or hold time disables reservations.")
    occupancy_free_minutes = fields.Integer(string="Free Minutes After Charging", default=15)
    occupancy_block_minutes = fields.Integer(string="Per Minutes", default=30)
    occupancy_block_fee = fields.Monetary(string="Occupancy Fee", help="Charged per started block of minutes.")
    occupancy_cap = fields.Monetary(string="Cap per Order", help="0 means no cap.")
    # e-bike tariffs
    ebike_mode = fields.Selection(EBIKE_MODES, string="E-bike Mode", default="power_duration")
    ebike_electricity_price = fields.Float(string="E-bike Electricity (per kWh)", digits="Charge Unit Price")
    ebike_service_price = fields.Float(string="E-bike Service (per kWh)", digits="Charge Unit Price")
    ebike_service_per_hour = fields.Float(string="Service per Hour", digits="Charge Unit Price")
    tier_ids = fields.One2many("charge.tariff.ebike.tier", "version_id", string="Tiers", copy=True)
    free_minutes = fields.Integer(string="Free Duration (min)",
                                  help="Sessions shorter than this cost nothing.")
    auto_stop_minutes = fields.Integer(string="Auto-stop After (min)", default=720,
                                       help="The longest session, at most 48 hours (2880 minutes).")
    auto_stop_amount = fields.Monetary(string="Auto-stop Amount")
    rounding = fields.Selection([("truncate", "Truncate to the Fen"), ("half_up", "Round Half Up")],
                                default="truncate", required=True)
    preset_ids = fields.One2many("charge.tariff.preset", "version_id", string="Prepay Presets", copy=True)

    _number_unique = models.Constraint("UNIQUE(tariff_id, number)", "Version numbers are unique per tariff.")

    @api.depends("tariff_id.name", "number")
    def _compute_display_name(self):
        for version in self:
            version.display_name = f"{version.tariff_id.name} v{version.number}"

    @api.depends("state", "effective_date", "tariff_id.version_ids.effective_date")
    def _compute_status(self):
        now = fields.Datetime.now()
        for version in self:
            if version.state == "draft":
                version.status = "draft"
            elif version.effective_date > now:
                version.status = "scheduled"
            else:
                version.status = "current" if version.tariff_id.current_version_id == version else "superseded"

    @api.depends("base_price_id")
    def _compute_band_electricity(self):
        for version in self:
            if version.base_price_id:
                for band, price in version.base_price_id.band_prices().items():
                    version[f"elec_{band}"] = price

    @api.depends("reservation_hold_minutes", "reservation_fee")
    def _compute_reservation_enabled(self):
        for version in self:
            version.reservation_enabled = version.reservation_hold_minutes > 0 and version.reservation_fee > 0

    @api.depends("mode", "kind", "price_electricity", "price_service", "period_ids.band", "ebike_mode",
                 "elec_sharp", "elec_peak", "elec_flat", "elec_valley",
                 "service_sharp", "service_peak", "service_flat", "service_valley",
                 "ebike_electricity_price", "ebike_service_price", "tier_ids")
    def _compute_summary(self):
        modes = dict(self._fields["ebike_mode"]._description_selection(self.env))
        for version in self:
            if version.kind == "ebike":
                version.summary = modes.get(version.ebike_mode, "")
            elif version.mode == "standard":
                version.summary = self.env._("Electricity %(elec).5f/kWh; service %(service).5f/kWh",
                                             elec=version.price_electricity, service=version.price_service)
            else:
                bands = set(version.period_ids.mapped("band")) or {"flat"}
                version.summary = self.env._(
                    "Electricity from %(elec).5f/kWh; service from %(service).5f/kWh",
                    elec=min(version[f"elec_{band}"] for band in bands),
                    service=min(version[f"service_{band}"] for band in bands))

    # Rules -------------------------------------------------------------------

    @api.constrains("mode", "period_ids", "kind")
    def _check_periods(self):
        for version in self.filtered(lambda v: v.kind == "car" and v.mode == "tou"):
            try:
                check_periods(version._periods())
            except TariffError as error:
                raise ValidationError(self.env._("Tariff %(tariff)s: %(problem)s", tariff=version.display_name,
                                                 problem=tariff_error_message(self.env, error))) from error

    @api.constrains("kind", "ebike_mode", "tier_ids", "auto_stop_minutes", "auto_stop_amount", "free_minutes",
                    "state")
    def _check_ebike(self):
        for version in self.filtered(lambda v: v.kind == "ebike" and v.state == "published"):
            version._check_ebike_tariff()

    def _check_lines(self):
        """The checks a change of a period, a tier or a preset runs on its version."""
        self._check_periods()
        self._check_presets()

    def _check_ebike_tariff(self):
        try:
            ebike_pricing.check_tariff(self._ebike_tariff())
        except TariffError as error:
            raise ValidationError(self.env._("Tariff %(tariff)s: %(problem)s", tariff=self.display_name,
                                             problem=tariff_error_message(self.env, error))) from error

    @api.constrains("auto_stop_minutes")
    def _check_auto_stop(self):
        for version in self:
            if not 0 <= version.auto_stop_minutes <= ebike_pricing.MAX_AUTO_STOP_MINUTES:
                raise ValidationError(self.env._("The auto-stop threshold is at most 48 hours (2880 minutes)."))

    @api.constrains("preset_ids")
    def _check_presets(self):
        for version in self:
            if len(version.preset_ids) > MAX_PRESETS:
                raise ValidationError(self.env._("A tariff offers at most %s prepay presets.", MAX_PRESETS))

    @api.constrains("price_electricity", "price_service", "elec_sharp", "elec_peak", "elec_flat", "elec_valley",
                    "service_sharp", "service_peak", "service_flat", "service_valley", "reservation_fee",
                    "occupancy_block_fee", "occupancy_cap", "ebike_electricity_price", "ebike_service_price",
                    "ebike_service_per_hour", "auto_stop_amount", "reservation_hold_minutes",
                    "occupancy_free_minutes", "occupancy_block_minutes", "free_minutes")
    def _check_not_negative(self):
        names = ["price_electricity", "price_service", "reservation_fee", "occupancy_block_fee", "occupancy_cap",
                 "ebike_electricity_price", "ebike_service_price", "ebike_service_per_hour", "auto_stop_amount",
                 "reservation_hold_minutes", "occupancy_free_minutes", "occupancy_block_minutes", "free_minutes"]
        names += [f"{kind}_{band}" for kind in ("elec", "service") for band, _label in BANDS]
        for version in self:
            negative = [self._fields[name].get_description(self.env)["string"] for name in names if version[name] < 0]
            if negative:
                raise ValidationError(self.env._("%(tariff)s: these cannot be negative: %(fields)s",
                                                 tariff=version.display_name, fields=", ".join(negative)))

    # Life cycle --------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        """A version is created as a draft; only trusted code (data files, in
        superuser mode) creates one already published, which is then frozen
        with its lines."""
        action_vals_list = []
        for vals in vals_list:
            if not vals.get("number") and vals.get("tariff_id"):
                last = self.search([("tariff_id", "=", vals["tariff_id"])], order="number desc", limit=1)
                vals["number"] = last.number + 1
            action_vals = {name: vals.pop(name, self.env.context.get(f"default_{name}")) for name in ACTION_FIELDS}
            action_vals = {name: value for name, value in action_vals.items() if value and value != "draft"}
            if action_vals and not self.env.su:
                raise UserError(self.env._("A tariff version starts as a draft: publish it with its Publish action."))
            vals.update(state="draft", pushed=False)
            action_vals_list.append(action_vals)
        versions = super().create(vals_list)
        for version, action_vals in zip(versions, action_vals_list):
            if action_vals:
                super(ChargeTariffVersion, version).write(action_vals)
        return versions

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        for version, vals in zip(self, vals_list):
            last = self.search([("tariff_id", "=", version.tariff_id.id)], order="number desc", limit=1)
            vals["number"] = last.number + 1
        return vals_list

    def write(self, vals):
        for name in ACTION_FIELDS.intersection(vals):
            for version in self.filtered(lambda v: v[name] != vals[name]):
                raise UserError(self.env._(
                    "The state of tariff version %s changes only through its actions: publish it, or create a "
                    "new version.", version.display_name))
        if set(vals) - FREE_FIELDS - ACTION_FIELDS:
            self._check_draft()
        with self._writing_lines() if LINE_FIELDS.intersection(vals) else nullcontext():
            return super().write(vals)

    def _check_draft(self):
        """A published version, its periods, tiers and presets never change."""
        for version in self:
            if version.state != "draft":
                raise UserError(self.env._(
                    "Tariff version %s is published and cannot change: create a new version for new prices.",
                    version.display_name))

    @contextmanager
    def _writing_lines(self):
        """While a version writes its lines (several commands applied one by
        one), the lines leave the version's checks to the version, which runs
        them once every command is applied."""
        writing = self.env.cr.cache.setdefault(_WRITING_LINES, set())
        ids = set(self.ids) - writing
        writing.update(ids)
        try:
            yield
        finally:
            writing.difference_update(ids)

    def _not_writing_lines(self):
        """The versions whose lines were written on their own, not by a write of the version."""
        writing = self.env.cr.cache.get(_WRITING_LINES, ())
        return self.filtered(lambda version: version.id not in writing)

    @api.ondelete(at_uninstall=False)
    def _unlink_draft_only(self):
        if any(version.state == "published" for version in self):
            raise UserError(self.env._("A published tariff version cannot be deleted."))

    def action_publish(self):
        """Freeze the version; it comes into force at its effective time (by
        default the next 00:00 of the tariff's zone). A time already past is
        pushed to the piles at once."""
        now = fields.Datetime.now()
        for version in self:
            if version.state != "draft":
                continue
            if version.kind == "ebike":
                version._check_ebike_tariff()
            version._check_periods()
            effective = version.effective_date or next_midnight_utc(version.tariff_id.tz or self.env.company._charge_tz(), now)
            version.write({"effective_date": max(effective, now)})
            super(ChargeTariffVersion, version).write({"state": "published"})
            version.tariff_id.message_post(body=self.env._(
                "Version %(number)s published, in force from %(date)s.", number=version.number,
                date=fields.Datetime.to_string(version.effective_date)))
        due = self.filtered(lambda v: v.state == "published" and v.effective_date <= now)
        due._push_to_piles()
        return True

    def action_push_now(self):
        for version in self:
            if version.state != "published":
                raise UserError(self.env._("Publish version %s before pushing it.", version.display_name))
        self._push_to_piles()
        return self.tariff_id[:1].action_view_pushes()

    def _push_to_piles(self):
        for version in self:
            self.env["charge.tariff.push"]._push(version, version.tariff_id.effective_pile_ids)
            super(ChargeTariffVersion, version).write({"pushed": True})

    def _open_form(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "target": "current"}

    # Engine snapshots ----------------------------------------------------------

    def _periods(self):
        return tuple(period._engine_period() for period in self.period_ids)

    def _car_tariff(self, station=None, pile=None):
        """The engine's view of this version for a session on ``pile`` at ``station``."""
        self.ensure_one()
        tz = (station and station.tz) or self.tariff_id.tz or self.env.company._charge_tz()
        if self.mode == "standard":
            periods = (Period(0, 1440, "standard"),)
            prices = {"standard": pricing.BandPrice(_dec(self.price_electricity), _dec(self.price_service))}
        else:
            periods = check_periods(self._periods())
            prices = {band: pricing.BandPrice(_dec(self[f"elec_{band}"]), _dec(self[f"service_{band}"]))
                      for band, _label in BANDS}
        occupancy = None
        if self.occupancy_block_fee > 0 and self.occupancy_block_minutes > 0:
            occupancy = pricing.OccupancyRule(
                free_minutes=self.occupancy_free_minutes, block_minutes=self.occupancy_block_minutes,
                block_fee=_dec(self.occupancy_block_fee), cap=_dec(self.occupancy_cap) if self.occupancy_cap else None)
        model = pile.model_id if pile else None
        return pricing.CarTariff(
            timezone=tz, periods=periods, prices=prices,
            tou_service_fee=bool(model.cap_tou_service_fee) if model else True,
            reservation_fee=_dec(self.reservation_fee) if self.reservation_enabled else Decimal(0),
            occupancy=occupancy, currency_digits=self.currency_id.decimal_places,
        )

    def _ebike_tariff(self):
        self.ensure_one()
        return ebike_pricing.EbikeTariff(
            mode=self.ebike_mode or "power_duration",
            duration_tiers=tuple(t._engine_tier() for t in self.tier_ids.filtered(lambda t: t.kind == "duration")),
            power_bands=tuple(t._engine_band() for t in self.tier_ids.filtered(lambda t: t.kind == "power")),
            electricity_price=_dec(self.ebike_electricity_price), service_price=_dec(self.ebike_service_price),
            service_per_hour=_dec(self.ebike_service_per_hour), free_minutes=self.free_minutes,
            auto_stop_minutes=self.auto_stop_minutes, auto_stop_amount=_dec(self.auto_stop_amount),
            rounding=self.rounding, currency_digits=self.currency_id.decimal_places,
        )

    def _push_payload(self, pile):
        """What the pile receives in DataTransfer SetTariff."""
        self.ensure_one()
        effective = fields.Datetime.to_string(self.effective_date).replace(" ", "T") + "Z"
        label = f"{self.tariff_id.id}.{self.number}"
        if self.kind == "ebike":
            return ebike_pricing.push_payload(self._ebike_tariff(), label, effective)
        return pricing.push_payload(self._car_tariff(pile.station_id, pile), label, effective)

    def _push_json(self, pile):
        return json.dumps(self._push_payload(pile), ensure_ascii=False, separators=(",", ":"))
