"""End to end: a real mosquitto, the listener process and MQTT piles, on a
copy of the test database (demo piles of charge_base, with their passwords)."""

import json
import signal
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from scripts.ops import config as ops_config

from device_bus_harness import Pile, e2e_bus, wait_for

SETTINGS = ops_config.load()
# this run's times and message ids, so that a second run on the same database
# is not taken for redeliveries of the first one's frames
RUN = datetime.now(timezone.utc).replace(microsecond=0)


def at(minutes):
    return (RUN + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
SERIAL = "44030501000001"      # demo DC pile, station SZ-NS-001, card CARD0001 allowed
OTHER_SERIAL = "44030501000002"


@pytest.fixture(scope="module")
def bus(tmp_path_factory):
    with e2e_bus(tmp_path_factory.mktemp("device-bus")) as bus:
        yield bus


@pytest.fixture
def pile(bus):
    pile = Pile(bus, SERIAL)
    yield pile
    pile.close()


def test_boot_authorise_start_meter_stop_gives_one_session(bus, pile):
    boot = pile.call("BootNotification", {"chargePointVendor": "E2E", "chargePointModel": "DC120"})
    assert boot[2]["status"] == "Accepted"
    assert pile.call("Authorize", {"idTag": "CARD0001"})[2]["idTagInfo"]["status"] == "Accepted"
    start = pile.call("StartTransaction", {"connectorId": 2, "idTag": "CARD0001", "meterStart": 100000,
                                           "timestamp": at(0)})
    transaction_id = start[2]["transactionId"]
    for minute, energy in ((5, 105000), (10, 110000)):
        pile.call("MeterValues", {"connectorId": 2, "transactionId": transaction_id, "meterValue": [{
            "timestamp": at(minute),
            "sampledValue": [{"value": str(energy), "measurand": "Energy.Active.Import.Register"}]}]})
    stop = pile.call("StopTransaction", {"transactionId": transaction_id, "meterStop": 112500,
                                         "timestamp": at(12), "reason": "Local"})
    assert stop[0] == 3
    [(state, energy, samples)] = bus.sql("""
        SELECT s.state, s.energy_kwh, (SELECT count(*) FROM charge_meter_value v WHERE v.session_id = s.id)
          FROM charge_session s WHERE s.id = %s""", [transaction_id])
    assert (state, energy, samples) == ("finished", 12.5, 2)


def test_a_duplicate_frame_changes_nothing(bus, pile):
    payload = {"connectorId": 1, "idTag": "CARD0001", "meterStart": 0, "timestamp": at(-60)}
    message_id = f"dup-{RUN:%H%M%S}"
    first = pile.call("StartTransaction", payload, message_id=message_id)
    again = pile.call("StartTransaction", payload, message_id=message_id)
    assert again == first
    count = bus.sql("SELECT count(*) FROM charge_session WHERE start_key LIKE %s",
                    [f"%:1:CARD0001:{at(-60)}:0"])[0][0]
    assert count == 1


def test_bad_frames_are_answered_and_logged(bus, pile):
    pile.publish("{not json")
    assert pile.reply()[2] == "ProtocolError"
    message_id = f"schema-{RUN:%H%M%S}"
    refused = pile.call("StartTransaction", {"connectorId": 1}, message_id=message_id)
    assert refused[:3] == [4, message_id, "OccurenceConstraintViolation"]
    logged = bus.sql("SELECT error_code FROM charge_device_message WHERE serial = %s AND message_id = %s",
                     [SERIAL, message_id])
    assert logged == [("OccurenceConstraintViolation",)]


def test_an_unknown_device_cannot_even_connect_and_a_pile_cannot_use_another_serial(bus, pile):
    stranger = Pile(bus, "STRANGER01", password="guess")
    assert stranger.refused
    stranger.close()
    message_id = f"spoof-{RUN:%H%M%S}"
    pile.publish(json.dumps([2, message_id, "Heartbeat", {}]), topic_serial=OTHER_SERIAL)
    pile.call("Heartbeat", {})  # a frame of its own goes through
    assert bus.sql("SELECT count(*) FROM charge_device_message WHERE message_id = %s", [message_id])[0][0] == 0


def test_the_listener_stops_cleanly_on_sigterm(bus):
    bus.start_listener(instance="2")
    second = bus.listeners.pop()
    second.send_signal(signal.SIGTERM)
    assert second.wait(30) == 0
    assert "listener stopped" in (bus.folder / "listener-2.log").read_text(errors="replace")
    # a stopped listener's persistent session keeps its share of the frames
    # (for when it comes back): retire the instance for good
    subprocess.run(bus.odoo("charge_listener", "--instance", "2", "--forget"), check=True, timeout=60,
                   cwd=SETTINGS.repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_remote_start_and_reboot_go_through_their_life_cycle(bus, pile):
    pile.call("Heartbeat", {})
    bus.odoo_shell(
        f"pile = env['charge.pile'].search([('serial', '=', '{SERIAL}')])\n"
        "pile._send_command('RemoteStartTransaction', {'connectorId': 1, 'idTag': 'CARD0001'}, "
        "connector=pile.connector_ids.filtered(lambda c: c.number == 1))\n"
        "pile._send_command('Reset', {'type': 'Soft'})\n")
    commands = [pile.reply(timeout=30), pile.reply(timeout=30)]
    assert [frame[2] for frame in commands] == ["RemoteStartTransaction", "Reset"]
    assert bus.sql("SELECT state FROM charge_device_command WHERE message_id = %s", [commands[0][1]]) == [("sent",)]
    pile.publish(json.dumps([3, commands[0][1], {"status": "Accepted"}]))
    pile.publish(json.dumps([3, commands[1][1], {"status": "Rejected"}]))
    wait_for(lambda: bus.sql(
        "SELECT array_agg(state ORDER BY id) FROM charge_device_command WHERE message_id = ANY(%s)",
        [[commands[0][1], commands[1][1]]])[0][0] == ["accepted", "rejected"], 15, "commands not closed")
