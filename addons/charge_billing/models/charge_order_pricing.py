import functools
import json
import logging
from collections import defaultdict, namedtuple
from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import ebike_pricing, order_checks, pricing
from ..tools import occupancy as occupancy_rule
from ..tools.allocation import split_quantity
from ..tools.tou_grid import TariffError
from odoo.addons.charge_base.tools.local_time import to_utc

_logger = logging.getLogger(__name__)

ENERGY_BANDS = ("standard", "sharp", "peak", "flat", "valley")
# a meter value of a session as the pricing reads it (see ChargeOrder._meter_readings)
Reading = namedtuple("Reading", "timestamp energy_wh power_w soc")


class ChargeOrder(models.Model):
    """Pricing, checks and settlement of charging orders: the ORM side of
    ``tools/pricing.py``, ``tools/ebike_pricing.py`` and ``tools/order_checks.py``."""
    _inherit = "charge.order"

    # Snapshot ------------------------------------------------------------------

    def _take_tariff_snapshot(self):
        for order in self:
            version = order.tariff_version_id
            if not version:
                continue
            if order.kind == "ebike":
                data = {"kind": "ebike", "tariff": ebike_pricing.snapshot_to_dict(version._ebike_tariff())}
            else:
                tariff = version._car_tariff(order.station_id, order.pile_id)
                data = {"kind": "car", "tariff": pricing.snapshot_to_dict(tariff)}
            order.tariff_snapshot = json.dumps(data, ensure_ascii=False)

    def _snapshot(self):
        """The engine's tariff of the order's snapshot (None without one)."""
        self.ensure_one()
        return _parse_snapshot(self.tariff_snapshot or "null")

    # Facts ---------------------------------------------------------------------

    def _meter_readings(self):
        """{session id: [Reading, ...]} of the sessions of these orders: their
        meter values as the ORM gives them (floats, 0.0 when empty), sorted as
        ``meter_value_ids`` are (by time, then id), read in one query."""
        sessions = self.session_id
        if not sessions:
            return {}
        Value = self.env["charge.meter.value"]
        Value.flush_model(["session_id", "timestamp", "energy_wh", "power_w", "soc"])
        # float8 of a numeric with one decimal is the float the ORM rounds it to
        self.env.cr.execute(SQL("""
            SELECT session_id, timestamp, COALESCE(energy_wh, 0)::float8, COALESCE(power_w, 0)::float8,
                   COALESCE(soc, 0)::float8
              FROM charge_meter_value
             WHERE session_id IN %s
             ORDER BY session_id, timestamp, id
        """, tuple(sessions.ids)))
        readings = defaultdict(list)
        for session_id, *values in self.env.cr.fetchall():
            readings[session_id].append(Reading(*values))
        return readings

    def _readings(self):
        """The Readings of the order's session (see ``_meter_readings``)."""
        self.ensure_one()
        return self._meter_readings().get(self.session_id.id, [])

    def _samples(self, readings=None):
        """The engine's samples of the session: its energy readings (``readings``, read when not given)."""
        if readings is None:
            readings = self._readings()
        return tuple(pricing.Sample(at=to_utc(reading.timestamp), energy_wh=reading.energy_wh,
                                    power_w=reading.power_w) for reading in readings if reading.energy_wh)

    def _session_facts(self, stop_date, meter_stop, readings=None):
        session = self.session_id
        return pricing.SessionFacts(
            start=to_utc(self.start_date), stop=to_utc(stop_date),
            meter_start_wh=session.meter_start, meter_stop_wh=meter_stop, samples=self._samples(readings),
            occupancy_minutes=self.occupancy_minutes, reserved=bool(self.reservation_id),
        )

    def _ebike_energy(self, meter_wh):
        """The e-bike's energy (kWh, to the Wh) up to the register ``meter_wh``."""
        return (Decimal(max(meter_wh - self.session_id.meter_start, 0)) / 1000).quantize(Decimal("0.001"))

    def _max_power_w(self, readings=None):
        """The highest power (W) the pile reported for the session."""
        if readings is None:
            readings = self._readings()
        return max((reading.power_w for reading in readings), default=0.0)

    def _ebike_facts(self, stop_date, meter_stop, minutes=None, readings=None):
        seconds = int(minutes * 60) if minutes is not None else int((stop_date - self.start_date).total_seconds())
        return ebike_pricing.EbikeFacts(
            duration_seconds=max(seconds, 0), energy_kwh=self._ebike_energy(meter_stop),
            max_power_w=Decimal(str(round(self._max_power_w(readings), 1))))

    def _latest_reading(self, readings=None):
        """(time, register in Wh) the session ended on, or, while it runs,
        of the latest energy reading the pile sent (the start when none)."""
        self.ensure_one()
        session = self.session_id
        if session.state == "finished":
            return self.stop_date or session.stop_date, session.meter_stop
        if readings is None:
            readings = self._readings()
        last = next((reading for reading in reversed(readings) if reading.energy_wh), None)
        stop = max(last.timestamp, self.start_date) if last else self.start_date
        return stop, max(session.meter_last, session.meter_start)

    # Pricing -------------------------------------------------------------------

    def _charge_bill(self, stop=None, meter_wh=None, minutes=None, readings=None):
        """The engine's bill of the order (a ``pricing.Bill`` or an
        ``ebike_pricing.EbikeBill``) as if its session ended at ``stop`` on
        the register ``meter_wh`` (Wh), by default those of the session's
        latest reading (see ``_latest_reading``); ``minutes`` overrides an
        e-bike's duration; ``readings`` are the session's meter values when
        the caller read them (``_meter_readings``). The one place an order is
        priced: the final pricing writes from it, charge_member's running
        cost reads it. It writes nothing. None without a tariff snapshot;
        raises TariffError for a tariff or facts the engine refuses."""
        self.ensure_one()
        tariff = self._snapshot()
        if tariff is None:
            return None
        if readings is None:
            readings = self._readings()
        if stop is None or meter_wh is None:
            latest_stop, latest_meter = self._latest_reading(readings)
            stop = latest_stop if stop is None else stop
            meter_wh = latest_meter if meter_wh is None else meter_wh
        if isinstance(tariff, ebike_pricing.EbikeTariff):
            return ebike_pricing.price_ebike(tariff, self._ebike_facts(stop, meter_wh, minutes, readings))
        return pricing.price_session(tariff, self._session_facts(stop, meter_wh, readings))

    def _price(self, stop_date, meter_stop, minutes=None):
        """Price the order as if its session ended at ``stop_date`` on
        ``meter_stop`` (Wh) and write the bill; ``minutes`` overrides an
        e-bike's duration."""
        self.ensure_one()
        self._write_bills({self: self._bill_values(stop_date, meter_stop, minutes)})

    def _bill_values(self, stop_date, meter_stop, minutes=None, readings=None):
        """The values pricing writes on the order (see ``_price``): its
        telemetry, figures and bill lines (``line_ids``: the old lines cleared,
        the new ones created); ``readings`` are the session's meter values
        when the caller read them (``_meter_readings``)."""
        self.ensure_one()
        if readings is None:
            readings = self._readings()
        values = self._telemetry_values(readings)
        values["pricing_error"] = False
        try:
            bill = self._charge_bill(stop_date, meter_stop, minutes, readings)
        except TariffError as error:
            # facts the engine refuses (a stop before the start...): the checks say why
            bill = None
            values["pricing_error"] = str(error)
        if isinstance(bill, ebike_pricing.EbikeBill):
            values.update(self._ebike_bill_values(bill, stop_date, meter_stop))
        elif bill is not None:
            values.update(self._car_bill_values(bill))
        else:
            # unpriced: the energy is kept, the amounts are zero, the checks flag the order
            energy = Decimal(max(meter_stop - self.session_id.meter_start, 0)) / 1000
            values.update(energy_kwh=float(energy), line_ids=[fields.Command.clear()])
            values.update({f"energy_{band}": 0.0 for band in ENERGY_BANDS}, energy_standard=float(energy))
            values.update(amount_electricity=0, amount_service=0, amount_reservation=0, amount_occupancy=0,
                          amount_total=0)
        return values

    def _write_bills(self, values_by_order):
        """Write the bills of ``values_by_order`` ({order: its ``_bill_values``}):
        the orders' old lines removed and the new ones made by one create,
        then each order's figures written."""
        lines = [dict(command[2], order_id=order.id) for order, values in values_by_order.items()
                 for command in values["line_ids"] if command[0] == fields.Command.CREATE]
        # every bill clears the order's lines first
        self.browse([order.id for order in values_by_order]).line_ids.unlink()
        self.env["charge.order.line"]._charge_insert(lines)
        for order, values in values_by_order.items():
            order.write({name: value for name, value in values.items() if name != "line_ids"})

    def _car_bill_values(self, bill):
        """The order's figures and lines from a car bill."""
        values = {f"energy_{band}": float(bill.energy_by_band.get(band, 0)) for band in ENERGY_BANDS}
        values.update(
            # a meter that ended below its start delivered nothing: the order keeps 0, the check flags it
            energy_kwh=float(max(bill.energy_kwh, 0)), meter_backwards=bill.meter_backwards,
            amount_electricity=float(bill.electricity), amount_service=float(bill.service),
            amount_reservation=float(bill.reservation), amount_occupancy=float(bill.occupancy),
            amount_total=float(bill.total),
            line_ids=[fields.Command.clear()] + [fields.Command.create(self._line_values(line)) for line in bill.lines],
        )
        return values

    def _ebike_bill_values(self, bill, stop_date, meter_stop):
        """The order's figures and its one line from an e-bike bill."""
        energy = self._ebike_energy(meter_stop)
        values = {f"energy_{band}": 0.0 for band in ENERGY_BANDS}
        values.update(
            energy_kwh=float(energy), energy_standard=float(energy), amount_electricity=float(bill.electricity),
            amount_service=float(bill.service), amount_reservation=0, amount_occupancy=0,
            amount_total=float(bill.total), line_ids=[fields.Command.clear(), fields.Command.create({
                "kind": "ebike", "name": self._ebike_line_label(bill), "start_date": self.start_date,
                "stop_date": stop_date, "quantity": bill.minutes, "energy_kwh": float(energy),
                "electricity_amount": float(bill.electricity), "service_amount": float(bill.service),
                "amount": float(bill.total),
            })],
        )
        return values

    def _ebike_line_label(self, bill):
        if bill.free:
            return self.env._("%s min, within the free duration", bill.minutes)
        if bill.auto_stopped:
            return self.env._("%s min, auto-stop amount", bill.minutes)
        if bill.band is not None:
            return self.env._("%(minutes)s min at %(rate)s per hour (up to %(watts)s W)", minutes=bill.minutes,
                              rate=bill.band.rate_per_hour, watts=bill.band.up_to_watts)
        if bill.tier is not None:
            return self.env._("%(minutes)s min, tier up to %(tier)s min", minutes=bill.minutes,
                              tier=bill.tier.up_to_minutes)
        return self.env._("%s min", bill.minutes)

    @api.model
    def _line_values(self, line):
        """Values of a bill line from an engine BillLine; its description is
        written now, in the language of the event that priced the order."""
        return {
            "name": self.env["charge.order.line"]._label(line.kind, line.band, line.quantity),
            "kind": line.kind, "band": line.band, "start_date": line.start and line.start.replace(tzinfo=None),
            "stop_date": line.stop and line.stop.replace(tzinfo=None), "energy_kwh": float(line.energy_kwh),
            "quantity": float(line.quantity), "electricity_price": float(line.electricity_price),
            "service_price": float(line.service_price), "electricity_amount": float(line.electricity_amount),
            "service_amount": float(line.service_amount), "amount": float(line.amount),
        }

    def _telemetry_values(self, readings=None):
        """The order's maximum power and first and last SoC from the session's
        meter values (``readings``, read when not given)."""
        if readings is None:
            readings = self._readings()
        socs = [reading.soc for reading in readings if reading.soc]
        return {
            "max_power_kw": self._max_power_w(readings) / 1000.0,
            "soc_start": (socs[0] if socs else 0.0) or self.soc_start,
            "soc_stop": (socs[-1] if socs else 0.0) or self.session_id.soc,
        }

    # Settlement ------------------------------------------------------------------

    def _settle(self):
        """Price each order on its session's final reading, check it, then
        complete or flag it. A batch (the settle queue's) is settled
        together: its meter values read by one query, its bill lines made by
        one create, its completed orders paid together (each wallet pays its
        orders in the batch's order)."""
        readings = self._meter_readings()
        self._write_bills({
            order: order._bill_values(order.session_id.stop_date, order.session_id.meter_stop,
                                      readings=readings.get(order.session_id.id, []))
            for order in self})
        self._check_and_close()

    def _settle_on_last_reading(self, minutes=None, note=None):
        """End the order on the latest reading the pile sent, and complete it."""
        self._price_on_last_reading(minutes)
        self._complete(note or self.env._("Settled on the last reading."))

    def _price_on_last_reading(self, minutes=None):
        """Price the order on the latest reading the pile sent; its session is
        closed with it, so a late StopTransaction changes nothing. ``minutes``
        bills an e-bike on a duration a clerk entered."""
        for order in self:
            session = order.session_id
            last = session.meter_value_ids.sorted("timestamp")[-1:]
            stop_date = session.stop_date or (last.timestamp if last else session.start_date)
            meter_stop = session.meter_stop if session.state == "finished" else max(session.meter_last,
                                                                                   session.meter_start)
            if session.state != "finished":
                session.sudo().write({"state": "finished", "stop_date": stop_date, "meter_stop": meter_stop,
                                      "stop_reason": "SettledByOperator"})
            if minutes is not None:
                stop_date = order.start_date + timedelta(minutes=minutes)
            order.write({"stop_date": stop_date, "settled_on_last_reading": True,
                         "end_reason": order.end_reason or "SettledByOperator", "occupancy_open": False})
            order._price(stop_date, meter_stop, minutes=minutes)

    def _check_and_close(self):
        """Check the priced orders: those with problems are flagged abnormal
        (each with its anomalies), the others completed together."""
        passed = []
        for order in self:
            problems = order._problems()
            if problems:
                order._flag_abnormal(problems)
            else:
                passed.append(order.id)
        self.browse(passed)._complete()

    def _problems(self):
        """[(code, params)] of what the checks find wrong with the priced order."""
        self.ensure_one()
        problems = order_checks.check_order(self._check_facts())
        if not self.tariff_snapshot:
            problems.append(("no_tariff", {}))
        elif self.pricing_error and not problems:
            problems.append(("pricing_error", {"error": self.pricing_error}))
        return problems

    def _flag_abnormal(self, problems):
        """The order is abnormal for ``problems`` (see ``_problems``)."""
        self.ensure_one()
        codes = [code for code, _params in problems]
        self.write({"state": "abnormal", "abnormal_type": order_checks.exception_kind(codes),
                    "abnormal_date": fields.Datetime.now()})
        self._record_anomalies(problems)

    def _check_facts(self):
        session = self.session_id
        bands = {band: Decimal(str(self[f"energy_{band}"])) for band in ENERGY_BANDS} if self.kind == "car" else {}
        amounts = {name: Decimal(str(self[f"amount_{name}"]))
                   for name in ("electricity", "service", "reservation", "occupancy")}
        return order_checks.OrderFacts(
            now=fields.Datetime.now(), start=self.start_date, stop=self.stop_date,
            energy_kwh=Decimal(str(round(self.energy_kwh, 3))),
            band_energy_kwh={band: value.quantize(Decimal("0.001")) for band, value in bands.items()},
            amounts=amounts, total=Decimal(str(self.amount_total)),
            meter_start_wh=session.meter_start, meter_stop_wh=session.meter_stop if session.state == "finished" else None,
            meter_backwards=self.meter_backwards, soc_start=self.soc_start or None, soc_stop=self.soc_stop or None,
            pile_amount=Decimal(str(self.amount_pile)) if self.amount_pile else None,
            pile_amount_tolerance=Decimal(str(self.company_id.charge_pile_amount_tolerance)),
        )

    def _record_anomalies(self, problems):
        self.ensure_one()
        anomalies = self.env["charge.order.anomaly"].create([
            {"order_id": self.id, "code": code, "params": json.dumps(params, default=str)}
            for code, params in problems])
        self.message_post(body=self.env._("Abnormal: %s", "; ".join(anomalies.mapped("description"))))
        return anomalies

    def _complete(self, note=None):
        """Complete the orders (``note`` in each one's chatter); those whose
        gun is out are final: ``_on_order_completed`` runs once on them all."""
        if not self:
            return
        self.write({"state": "completed"})
        if note:
            for order in self:
                order.message_post(body=note)
        final = self.filtered(lambda order: not order.occupancy_open)
        if final:
            final._on_order_completed()

    def _on_order_completed(self):
        """Hook: the orders are final (completed, gun unplugged); called on a
        whole settled batch at once. charge_member takes the payments here."""
        self.reservation_id.filtered(lambda r: r.state == "occupying")._close_if_free()

    # Occupancy -------------------------------------------------------------------

    def _follow_occupancy(self):
        """The connector of these orders reported a status (or went offline):
        a pending occupancy opens when the gun is still in, an occupancy ends
        when it is out (see ``tools/occupancy.py``)."""
        for order in self.filtered("occupancy_open"):
            connector = order.connector_id
            current = occupancy_rule.OPEN if order.occupancy_start else occupancy_rule.PENDING
            after = occupancy_rule.on_status(current, connector.status, connector.status_date, order.stop_date)
            if after == occupancy_rule.OPEN and not order.occupancy_start:
                order.occupancy_start = order.stop_date
            elif after is None:
                when = connector.status_date or fields.Datetime.now()
                if connector.status == "offline":
                    # the gun was in as long as the pile was heard of (not until it was found silent)
                    when = connector.pile_id.last_seen or when
                order._close_occupancy(when)

    def _close_occupancy(self, when):
        """The gun was unplugged at ``when``: the occupancy fee is final, and so
        is a completed order. A pending occupancy (the gun was out at the
        first news after the stop) ends without any."""
        closing = self.filtered("occupancy_open")
        if not closing:
            return
        # the settle queue may have completed these orders since this transaction read them (the device
        # listener's frequent frames run at READ COMMITTED): lock them, then read them again, so that an order
        # completed meanwhile is made final here and not forgotten by both
        closing._charge_lock_and_reread()
        for order in closing.filtered("occupancy_open"):
            if not order.occupancy_start:
                order.occupancy_open = False
            else:
                when = max(when, order.occupancy_start)
                order.write({"occupancy_open": False, "occupancy_stop": when,
                             "occupancy_minutes": occupancy_rule.occupied_minutes(order.occupancy_start, when)})
                if order.state != "voided" and not order.settle_pending:
                    # an order waiting for its settlement is priced by the settle queue, with this occupancy
                    session = order.session_id
                    order._price(order.stop_date,
                                 session.meter_stop if session.state == "finished" else session.meter_last)
            if order.state == "completed":
                order._on_order_completed()
            elif order.settle_pending:
                # the queue may have skipped it while this transaction held it: have it run again after the commit
                order._charge_trigger_settle()

    def _charge_lock_and_reread(self):
        """Lock these orders' rows (waiting for a transaction that writes
        them, such as the settle queue's batch) and drop what this
        transaction had read of them."""
        self.flush_recordset()
        self.env.cr.execute(SQL("SELECT id FROM charge_order WHERE id = ANY(%s) FOR NO KEY UPDATE", self.ids))
        self.invalidate_recordset()

    # The pile's amount -------------------------------------------------------------

    def _pile_amount_problems(self):
        """Rule j on the order's figures as they were at the stop (the pile
        cannot know the occupancy fee that runs after it)."""
        self.ensure_one()
        # the rule compares the pile's amount with our total before the occupancy fee
        return [problem for problem in order_checks.check_order(self._check_facts())
                if problem[0] == "pile_amount_mismatch"]

    def _recheck_pile_amount(self):
        """The pile's amount came after the order was checked: the amount
        rule again, as if it had come in time. An order a clerk handled (or
        whose handling awaits review) or settled on its last reading keeps
        that decision: the amount is only noted in its chatter."""
        for order in self.filtered(lambda o: o.stop_date and o.state in ("completed", "abnormal")):
            problems = order._pile_amount_problems()
            flagged = order.anomaly_ids.filtered(lambda a: a.code == "pile_amount_mismatch")
            ours = order.amount_total - order.amount_occupancy
            if order.settled_on_last_reading or order.handling_ids.filtered(lambda h: h.state != "refused"):
                order.message_post(body=order.env._(
                    "The pile reported its amount, %(pile)s, after the order was handled (ours: %(ours)s): "
                    "the handling stands.", pile=order.amount_pile, ours=ours))
                continue
            if problems:
                flagged.unlink()
                codes = (order.anomaly_ids.mapped("code") if order.state == "abnormal" else []) + [
                    code for code, _params in problems]
                values = {"state": "abnormal", "abnormal_type": order_checks.exception_kind(codes)}
                if order.state != "abnormal":
                    values["abnormal_date"] = fields.Datetime.now()
                order.write(values)
                order._record_anomalies(problems)
            elif flagged:
                flagged.unlink()
                order.message_post(body=order.env._(
                    "The pile's amount, %(pile)s, now agrees with ours (%(ours)s): the amount anomaly is "
                    "withdrawn.", pile=order.amount_pile, ours=ours))
                if order.anomaly_ids:
                    order.abnormal_type = order_checks.exception_kind(order.anomaly_ids.mapped("code"))
                else:
                    order.write({"abnormal_type": False, "abnormal_date": False})
                    order._complete()

    # Cron --------------------------------------------------------------------------

    @api.model
    def _cron_watch(self):
        """Stop e-bike orders whose prepaid amount or duration is used up,
        or that reached the tariff's auto-stop threshold; close occupancy of
        connectors unplugged meanwhile."""
        orders = self.env.company._charge_in_operator_lang(self)
        now = fields.Datetime.now()
        for order in orders.search([("kind", "=", "ebike"), ("state", "=", "charging"),
                                    ("auto_stop_sent", "=", False)]):
            if order._ebike_used_up(now) and order.pile_id.online:
                command = self.env["charge.device.command"]._send(
                    order.pile_id, "RemoteStopTransaction", {"transactionId": order.session_id.id},
                    connector=order.connector_id)
                order.write({"state": "stopping", "stop_command_id": command.id, "auto_stop_sent": True})
                order.message_post(body=orders.env._("Stopped automatically: the prepaid credit is used up."))
        # statuses the listener did not write: a pile gone offline, a connector unlocked by hand
        orders.search([("occupancy_open", "=", True)])._follow_occupancy()
        # piles that never said whether the gun is still in: no occupancy
        silent_since = now - timedelta(minutes=occupancy_rule.PENDING_MINUTES)
        orders.search([("occupancy_open", "=", True), ("occupancy_start", "=", False),
                       ("stop_date", "<", silent_since)])._close_occupancy(now)

    def _ebike_used_up(self, now):
        self.ensure_one()
        minutes = (now - self.start_date).total_seconds() / 60
        if self.prepaid_minutes and minutes >= self.prepaid_minutes:
            return True
        try:
            tariff = self._snapshot()
            if isinstance(tariff, ebike_pricing.EbikeTariff):
                if tariff.auto_stop_minutes and minutes >= tariff.auto_stop_minutes:
                    return True
                if self.prepaid_amount:
                    # the bill the order would get if it stopped now, on its latest reading
                    return self._charge_bill(stop=now).total >= Decimal(str(self.prepaid_amount))
        except TariffError as error:
            # a snapshot the engine refuses stops no other order's watch; a prepaid amount that cannot be
            # checked is taken as used up (the order ends abnormal, for a clerk to price)
            _logger.warning("Order %s: its tariff cannot price it (%s).", self.name, error)
            return bool(self.prepaid_amount)
        return False

    # Manual adjustment -------------------------------------------------------------

    def _apply_adjustment(self, handling):
        """Write the figures a clerk agreed with the customer; band energies
        keep their shares of the new total so that they still add up."""
        self.ensure_one()
        before = self._format_figures()
        energy = Decimal(str(round(handling.energy_kwh, 3)))
        bands = {band: Decimal(str(round(self[f"energy_{band}"], 3))) for band in ENERGY_BANDS}
        old_total = sum(bands.values())
        if old_total:
            shares = split_quantity(energy, [bands[band] for band in ENERGY_BANDS], Decimal("0.001"))
        else:
            shares = [energy if band == ("standard" if self.kind == "ebike" else "flat") else Decimal(0)
                      for band in ENERGY_BANDS]
        values = {f"energy_{band}": float(share) for band, share in zip(ENERGY_BANDS, shares)}
        values.update(
            energy_kwh=float(energy), amount_electricity=handling.amount_electricity,
            amount_service=handling.amount_service, amount_occupancy=handling.amount_occupancy,
            occupancy_minutes=handling.occupancy_minutes, occupancy_open=False,
            amount_total=self.currency_id.round(handling.amount_electricity + handling.amount_service
                                                + handling.amount_occupancy + self.amount_reservation),
        )
        if handling.start_date:
            values["start_date"] = handling.start_date
        if handling.stop_date:
            values["stop_date"] = handling.stop_date
        self.write(values)
        self.message_post(body=self.env._("Figures before: %(before)s. After: %(after)s.", before=before,
                                          after=self._format_figures()))

    def _format_figures(self):
        return self.env._("%(energy).3f kWh, electricity %(elec).2f, service %(service).2f, occupancy "
                          "%(occupancy).2f, total %(total).2f", energy=self.energy_kwh, elec=self.amount_electricity,
                          service=self.amount_service, occupancy=self.amount_occupancy, total=self.amount_total)


@functools.lru_cache(maxsize=256)
def _parse_snapshot(text):
    """The engine's tariff of a snapshot's JSON text (None for "null"): parsed
    once per distinct snapshot (the tariffs are frozen dataclasses)."""
    data = json.loads(text)
    if not data:
        return None
    if data["kind"] == "ebike":
        return ebike_pricing.tariff_from_dict(data["tariff"])
    return pricing.tariff_from_dict(data["tariff"])
