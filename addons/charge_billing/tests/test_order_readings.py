from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.charge_base.tools.local_time import to_utc

from ..tools import pricing
from .common import ChargeBillingCase, iso


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 03:00:00")
class TestOrderReadings(ChargeBillingCase):
    """The pricing reads a session's meter values in one query (``_meter_readings``): the same
    values, in the same order, as the session's ``meter_value_ids`` give through the ORM."""

    def frame(self, transaction, timestamp, *values):
        self.send({"connectorId": 1, "transactionId": transaction, "meterValue": [{
            "timestamp": iso(timestamp), "sampledValue": [
                {"value": value, "measurand": measurand, "unit": unit} for measurand, unit, value in values]}]},
            "MeterValues")

    def test_the_readings_are_the_meter_values_the_orm_gives(self):
        reply = self.start(meter_start=1000, timestamp=iso("2026-11-21 01:30"))
        transaction = reply.payload["transactionId"]
        order = self.env["charge.order"].search([("session_id", "=", transaction)])
        energy, power, soc = ("Energy.Active.Import.Register", "Wh"), ("Power.Active.Import", "W"), ("SoC", "Percent")
        self.frame(transaction, "2026-11-21 01:40", (*energy, "1234.56"), (*power, "7000.04"), (*soc, "33.35"))
        self.frame(transaction, "2026-11-21 01:50", (*power, "6800"))  # no register: not a sample of the curve
        self.frame(transaction, "2026-11-21 01:45", (*energy, "1500.1"), (*soc, "0.1"))  # late, out of order
        self.frame(transaction, "2026-11-21 02:00", (*energy, "2600.3"))
        self.frame(transaction, "2026-11-21 02:00", (*energy, "2600.7"), (*power, "0.3"))  # the same instant again
        other = self.start(meter_start=0, connector=2, timestamp=iso("2026-11-21 01:30")).payload["transactionId"]
        self.frame(other, "2026-11-21 01:40", (*energy, "99"))

        values = order.session_id.meter_value_ids
        self.assertEqual(len(values), 5)
        readings = order._meter_readings()
        self.assertEqual(set(readings), {transaction})  # only the sessions of these orders
        self.assertEqual(readings[transaction], [(value.timestamp, value.energy_wh, value.power_w, value.soc)
                                                 for value in values])
        # as the pile sent them (the listener stores them unrounded), 0.0 for a frame without a register
        self.assertEqual([reading.energy_wh for reading in readings[transaction]],
                         [1234.56, 1500.1, 0.0, 2600.3, 2600.7])
        # the engine's samples: the energy readings by time (the last of an instant counts)
        self.assertEqual(order._samples(), tuple(
            pricing.Sample(at=to_utc(value.timestamp), energy_wh=value.energy_wh, power_w=value.power_w)
            for value in values.sorted("timestamp") if value.energy_wh))
        telemetry = order._telemetry_values()
        self.assertEqual((telemetry["max_power_kw"], telemetry["soc_start"], telemetry["soc_stop"]),
                         (7000.04 / 1000, 33.35, 0.1))
        self.assertEqual(order._latest_reading()[0], values[-1].timestamp)
        # both orders in one read
        both = order | self.env["charge.order"].search([("session_id", "=", other)])
        self.assertEqual(set(both._meter_readings()), {transaction, other})
