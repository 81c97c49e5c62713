"""End to end with the pile simulator: a charge on a time-of-use pile becomes a
completed, correctly priced order; the occupancy fee is billed whatever the
order of the frames that end a session, and a pile amount arriving after the
stop is checked; a tariff push goes through its whole life cycle (sent, timed
out, resent, accepted) and its log."""

import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from device_bus_harness import e2e_bus, wait_for

SERIAL = "44030501000003"        # demo DC pile of SZ-NS-001, time-of-use tariff 深圳湾分时计费
SILENT_SERIAL = "44030501000002"  # demo DC pile of the same station, not connected at first
# the demo day in Asia/Shanghai: 00-08 valley, 08-10 flat, 10-12 peak, 12-14 sharp, 14-19 peak, 19-22 flat,
# 22-24 valley
BANDS = [(0, 8, "valley"), (8, 10, "flat"), (10, 12, "peak"), (12, 14, "sharp"), (14, 19, "peak"),
         (19, 22, "flat"), (22, 24, "valley")]
SHANGHAI = timezone(timedelta(hours=8))


def band_at(utc_naive):
    local = utc_naive.replace(tzinfo=timezone.utc).astimezone(SHANGHAI)
    hour = local.hour + local.minute / 60
    return next(band for start, end, band in BANDS if start <= hour < end)


@pytest.fixture(scope="module")
def bus(tmp_path_factory):
    with e2e_bus(tmp_path_factory.mktemp("billing-bus")) as bus:
        bus.grant_id_tag(SERIAL, "BILLCARD", "billing e2e")
        yield bus


def test_a_charge_across_a_band_boundary_becomes_a_priced_order(bus):
    pile = bus.virtual_pile(SERIAL, meter_interval=30)
    try:
        # yesterday 07:58 in Shanghai: the charge crosses 08:00, from valley to flat
        yesterday = datetime.now(timezone.utc).date() - timedelta(days=1)
        pile._sync_clock(f"{yesterday.isoformat()}T23:58:00Z")
        transaction_id = pile.start_charging(1, "BILLCARD").result(30)
        time.sleep(5)  # five simulated minutes at 60x
        pile.stop_charging(1, "Local").result(30)
    finally:
        pile.stop()
    wait_for(lambda: bus.sql("SELECT state FROM charge_order WHERE session_id = %s", [transaction_id])
             in ([("completed",)], [("abnormal",)]), 30, "the order was not settled")
    (state, energy, valley, flat, electricity, service, total, version) = bus.sql(
        "SELECT o.state, o.energy_kwh, o.energy_valley, o.energy_flat, o.amount_electricity, o.amount_service, "
        "o.amount_total, v.number FROM charge_order o JOIN charge_tariff_version v ON v.id = o.tariff_version_id "
        "WHERE o.session_id = %s", [transaction_id])[0]
    assert state == "completed"
    assert version == 1
    session_energy = bus.sql("SELECT (meter_stop - meter_start) / 1000.0 FROM charge_session WHERE id = %s",
                             [transaction_id])[0][0]
    assert energy == pytest.approx(float(session_energy), abs=1e-6)
    assert valley > 0 and flat > 0
    assert valley + flat == pytest.approx(energy, abs=1e-6)
    assert total == pytest.approx(electricity + service, abs=0.001)
    lines = bus.sql("SELECT band, start_date, stop_date, energy_kwh, electricity_price, service_price, amount "
                    "FROM charge_order_line WHERE order_id = (SELECT id FROM charge_order WHERE session_id = %s) "
                    "AND kind = 'energy' ORDER BY start_date", [transaction_id])
    assert [line[0] for line in lines] == ["valley", "flat"]
    for band, start, stop, line_energy, elec_price, service_price, amount in lines:
        assert band_at(start) == band
        assert band_at(stop - timedelta(seconds=1)) == band
        assert amount == pytest.approx(round(line_energy * (elec_price + service_price), 2), abs=0.011)
    assert lines[0][2] == lines[1][1]  # the lines tile the session
    # the demo prices: valley 0.28760 + 0.40000, flat 0.62350 + 0.60000 per kWh
    assert electricity == pytest.approx(round(valley * 0.2876 + flat * 0.6235, 2), abs=0.011)
    assert service == pytest.approx(round(valley * 0.4 + flat * 0.6, 2), abs=0.011)


# the demo tariff's occupancy fee: 15 free minutes, then 1.00 per started block of 30 minutes
OCCUPANCY_SPEED = 600  # simulated seconds per real second
UNPLUG_AFTER = 50 * 60  # simulated seconds in Finishing: 35 billable minutes, 2 blocks


def order_row(bus, transaction_id):
    rows = bus.sql("SELECT state, occupancy_open, occupancy_minutes, amount_occupancy, amount_electricity, "
                   "amount_service, amount_total, occupancy_start, stop_date FROM charge_order "
                   "WHERE session_id = %s", [transaction_id])
    return rows[0] if rows else None


@pytest.mark.parametrize("end_frames, fee", [
    ("stop_finishing", 2.0),   # what most piles send
    ("finishing_stop", 2.0),
    ("stop_available", 0.0),   # the driver unplugs at once: no occupancy
])
def test_the_occupancy_fee_whatever_the_order_of_the_end_frames(bus, end_frames, fee):
    pile = bus.virtual_pile(SERIAL, speed=OCCUPANCY_SPEED, meter_interval=600, finishing_seconds=UNPLUG_AFTER,
                            end_frames=end_frames)
    try:
        # 90 minutes ago: the simulated clock runs 600 times faster, the session stays in the past
        pile._sync_clock((datetime.now(timezone.utc) - timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        transaction_id = pile.start_charging(1, "BILLCARD").result(30)
        time.sleep(1.5)  # 15 simulated minutes of charging
        pile.stop_charging(1, "Local").result(30)
        wait_for(lambda: (order_row(bus, transaction_id) or ("",))[0] == "completed", 30,
                 "the order was not priced")
        if fee:
            # the gun is in: the order is not final before it is unplugged
            assert order_row(bus, transaction_id)[1] is True
        wait_for(lambda: order_row(bus, transaction_id)[1] is False, 60, "the occupancy did not end")
    finally:
        pile.stop()
    (state, _open, minutes, occupancy, electricity, service, total, occupancy_start,
     stop_date) = order_row(bus, transaction_id)
    assert state == "completed"
    assert occupancy == pytest.approx(fee)
    assert total == pytest.approx(electricity + service + occupancy, abs=0.001)
    if fee:
        assert occupancy_start == stop_date
        assert 45 < minutes < 60
        lines = bus.sql("SELECT quantity, amount FROM charge_order_line WHERE kind = 'occupancy' AND order_id = "
                        "(SELECT id FROM charge_order WHERE session_id = %s)", [transaction_id])
        assert lines == [(2.0, 2.0)]
    else:
        assert (minutes or 0, occupancy_start) == (0, None)


def test_a_pile_amount_after_the_stop_is_checked(bus):
    pile = bus.virtual_pile(SERIAL, end_frames="stop_available")
    try:
        pile._sync_clock((datetime.now(timezone.utc) - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        transaction_id = pile.start_charging(2, "BILLCARD").result(30)
        time.sleep(3)
        pile.stop_charging(2, "Local").result(30)
        wait_for(lambda: (order_row(bus, transaction_id) or ("",))[0] == "completed", 30,
                 "the order was not completed")
        total = order_row(bus, transaction_id)[6]

        def pile_amount(amount):
            return pile.send_call("DataTransfer", {
                "vendorId": "charge_ops", "messageId": "TransactionAmount",
                "data": json.dumps({"transactionId": transaction_id, "amount": f"{amount:.2f}"})}).result(30)

        assert pile_amount(total + 50)["status"] == "Accepted"
        assert order_row(bus, transaction_id)[0] == "abnormal"
        assert bus.sql("SELECT a.code FROM charge_order_anomaly a JOIN charge_order o ON o.id = a.order_id "
                       "WHERE o.session_id = %s", [transaction_id]) == [("pile_amount_mismatch",)]
        assert pile_amount(total)["status"] == "Accepted"
        assert order_row(bus, transaction_id)[0] == "completed"
    finally:
        pile.stop()


def push_rows(bus, serial):
    return bus.sql("SELECT p.id, p.state, p.superseded FROM charge_tariff_push p JOIN charge_pile c ON c.id = p.pile_id "
                   "WHERE c.serial = %s ORDER BY p.id", [serial])


def test_a_tariff_push_times_out_is_resent_and_accepted(bus):
    bus.sql("DELETE FROM charge_tariff_push WHERE pile_id = (SELECT id FROM charge_pile WHERE serial = %s)",
            [SILENT_SERIAL])
    push = ("version = env.ref('charge_billing.tariff_bay_tou').current_version_id\n"
            f"pile = env['charge.pile'].search([('serial', '=', '{SILENT_SERIAL}')])\n"
            "pile.online = True\n"
            "env['charge.tariff.push']._push(version, pile)\n")
    bus.odoo_shell(push)
    wait_for(lambda: [row[1] for row in push_rows(bus, SILENT_SERIAL)] == ["sent"], 30, "the push was not sent")
    # nobody answers: the timeout cron closes it
    bus.sql("UPDATE charge_device_command SET sent_date = sent_date - interval '10 minutes' "
            "WHERE id IN (SELECT command_id FROM charge_tariff_push)")
    bus.odoo_shell("env['charge.device.command']._cron_timeout()")
    assert [row[1] for row in push_rows(bus, SILENT_SERIAL)] == ["timeout"]
    # the pile comes online; the failed push is resent from the log and the pile accepts it
    pile = bus.virtual_pile(SILENT_SERIAL)
    try:
        failed = push_rows(bus, SILENT_SERIAL)[0][0]
        bus.odoo_shell(f"env['charge.tariff.push'].browse({failed}).action_resend()")
        wait_for(lambda: [row[1] for row in push_rows(bus, SILENT_SERIAL)] == ["timeout", "accepted"], 30,
                 "the resent push was not accepted")
        assert [bool(row[2]) for row in push_rows(bus, SILENT_SERIAL)] == [True, False]
        tariff = pile.tariff
    finally:
        pile.stop()
    assert tariff["timezone"] == "Asia/Shanghai"
    assert {"start": "08:00", "end": "10:00", "band": "flat"} in tariff["periods"]
    assert tariff["prices"]["flat"] == {"electricity": "0.62350", "service": "0.60000"}
