"""End to end with the pile simulator: a real mosquitto, the listener process
and simulated piles charging with a realistic power curve."""

import time

import pytest

from device_bus_harness import e2e_bus

SERIAL = "44030501000003"      # demo DC pile of SZ-NS-001 with two connectors


@pytest.fixture(scope="module")
def bus(tmp_path_factory):
    with e2e_bus(tmp_path_factory.mktemp("simulator-bus")) as bus:
        bus.grant_id_tag(SERIAL, "SIMCARD1", "simulator")
        yield bus


@pytest.fixture
def pile(bus):
    pile = bus.virtual_pile(SERIAL)
    yield pile
    pile.stop()


def session_row(bus, transaction_id):
    return bus.sql("SELECT state, meter_start, meter_stop, energy_kwh, stop_reason FROM charge_session "
                   "WHERE id = %s", [transaction_id])[0]


def test_a_simulated_charge_gives_one_complete_session(bus, pile):
    transaction_id = pile.start_charging(1, "SIMCARD1").result(30)
    time.sleep(3)  # three simulated minutes of charging
    pile.stop_charging(1, "Local").result(30)
    state, meter_start, meter_stop, energy, reason = session_row(bus, transaction_id)
    assert (state, reason) == ("finished", "Local")
    assert meter_stop > meter_start
    assert energy == pytest.approx((meter_stop - meter_start) / 1000)
    samples = bus.sql("SELECT count(*) FROM charge_meter_value WHERE session_id = %s", [transaction_id])[0][0]
    assert samples >= 1


def test_a_pile_offline_mid_session_ends_with_the_figures_it_reports_back(bus, pile):
    transaction_id = pile.start_charging(2, "SIMCARD1").result(30)
    time.sleep(2)
    pile.disconnect()
    # the platform notices the silence: two heartbeat intervals without a frame
    bus.sql("UPDATE charge_pile SET last_seen = now() at time zone 'UTC' - interval '1 hour' WHERE serial = %s",
            [SERIAL])
    bus.odoo_shell("env['charge.pile']._cron_mark_offline()")
    assert bus.sql("SELECT online FROM charge_pile WHERE serial = %s", [SERIAL]) == [(False,)]
    assert session_row(bus, transaction_id)[0] == "suspended"
    stopped = pile.stop_charging(2, "Local")    # stopped while offline: kept by the pile
    pile.reconnect()
    stopped.result(60)
    state, meter_start, meter_stop, energy, _reason = session_row(bus, transaction_id)
    assert state == "finished"
    assert energy == pytest.approx((meter_stop - meter_start) / 1000) and energy > 0
    assert bus.sql("SELECT online FROM charge_pile WHERE serial = %s", [SERIAL]) == [(True,)]
    assert bus.sql("SELECT count(*) FROM charge_alarm a JOIN charge_pile p ON p.id = a.pile_id "
                   "WHERE p.serial = %s AND a.code = '5001' AND a.state = 'done'", [SERIAL])[0][0] >= 1
