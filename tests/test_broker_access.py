"""The broker's accounts, end to end with a real mosquitto 2 and the listener
on a copy of the test database: a pile account reads nothing but its own
``down`` topic, whatever it subscribes to (``$share`` included); a serial
named like the platform's account is refused and the platform keeps working;
a pile gets access when it is created and loses it, connection included, when
it is archived or retired, as soon as the change is committed.

mosquitto 2's ACL file does not check subscriptions (SUBACK grants them all);
it refuses, message by message, what an account may not read. A pile that
joined the listeners' shared group would be handed its turn of the frames
and the broker would drop them: hence a group name that piles cannot know.
"""

import signal

import pytest

from device_bus_harness import PREFIX, Eavesdropper, Pile, e2e_bus, wait_for

SPY = "44030501000005"        # demo piles of charge_base, in operation
VICTIM = "44030501000004"
DRAFT = "44030502000004"      # demo draft pile
LIFE = "BRKLIFE0001"          # made and deleted by the life-cycle test


@pytest.fixture(scope="module")
def bus(tmp_path_factory):
    with e2e_bus(tmp_path_factory.mktemp("broker-access")) as bus:
        yield bus


def heartbeats_answered(victim, count):
    return sum(victim.call("Heartbeat", {})[0] == 3 for _ in range(count))


def test_the_listeners_group_is_generated_and_kept_out_of_the_access_files(bus):
    group = bus.listener_group()
    assert group and group.startswith("listeners-") and len(group) > 20
    assert group not in "".join(bus.access_files().values())
    log = (bus.folder / "listener-1.log").read_text(errors="replace")
    assert f"$share/{group}/{PREFIX}/+/up" in log


def test_a_pile_reads_nothing_of_other_piles_whatever_it_subscribes_to(bus):
    guessed = [f"$share/{name}/{PREFIX}/+/up" for name in ("charge_listener", "listeners", "charge")]
    topics = guessed + ["$share/charge_listener/#", f"{PREFIX}/+/up", "#", "+/+/+", f"{PREFIX}/{VICTIM}/down",
                        f"{PREFIX}/{VICTIM}/up", "$SYS/#"]
    spy = Eavesdropper(bus, SPY, topics)
    victim = Pile(bus, VICTIM)
    try:
        # the listener answers every frame: the spy's groups are not its group
        assert heartbeats_answered(victim, 20) == 20
        # nor did any of them, nor of the answers on the victim's down topic, reach the spy
        assert spy.received() == []
    finally:
        spy.close()
        victim.close()


def test_a_pile_in_the_listeners_own_group_still_reads_nothing(bus):
    group = bus.listener_group()
    spy = Eavesdropper(bus, SPY, [f"$share/{group}/{PREFIX}/+/up", f"$share/{group}/#"])
    victim = Pile(bus, VICTIM)
    try:
        for n in range(10):
            victim.publish(f'[2, "spy-{n}", "Heartbeat", {{}}]')
        victim.reply()  # one of them answered: the frames went through the broker
        assert spy.received() == []
    finally:
        spy.close()
    try:  # once the spy has left, the listener gets every frame again
        assert heartbeats_answered(victim, 5) == 5
    finally:
        victim.close()


def test_a_serial_named_like_the_platform_is_refused_and_the_platform_keeps_working(bus):
    before = bus.access_files()
    refused = bus.odoo_shell(
        "from odoo.exceptions import ValidationError\n"
        f"src = env['charge.pile'].search([('serial', '=', '{VICTIM}')])\n"
        "for serial in ('charge_platform', 'Charge_Platform', 'CHARGE_LISTENER', 'admin', 'charge_x001'):\n"
        "    try:\n"
        "        with env.cr.savepoint():\n"
        "            env['charge.pile'].create({'serial': serial, 'name': 'Hijack', "
        "'station_id': src.station_id.id, 'model_id': src.model_id.id})\n"
        "        print('ACCEPTED', serial)\n"
        "    except ValidationError as error:\n"
        "        print('REFUSED', serial)\n"
        # a pile that got the platform's name before serials were checked: no files are written
        f"env.cr.execute(\"UPDATE charge_pile SET serial = 'charge_platform' WHERE serial = '{DRAFT}'\")\n"
        "env.invalidate_all()\n"
        "print('WRITTEN', env['charge.device.broker']._update_broker_access())\n"
        "env.cr.rollback()\n")
    assert refused.count("REFUSED") == 5 and "ACCEPTED" not in refused, refused
    assert "WRITTEN False" in refused, refused
    assert bus.access_files() == before
    assert bus.sql("SELECT serial FROM charge_pile WHERE lower(serial) IN %s",
                   [("charge_platform", "charge_listener", "admin", "charge_x001")]) == []
    # the pile cannot log in under the platform's name, the platform can
    impostor = Pile(bus, DRAFT, username="charge_platform")
    impostor.close()
    assert impostor.refused
    platform = Pile(bus, VICTIM, username="charge_platform", password=bus.platform_password())
    assert not platform.refused
    platform.close()
    # the broker reads its files again: the listener (the platform's account) still answers
    bus.broker.send_signal(signal.SIGHUP)
    victim = Pile(bus, VICTIM)
    try:
        assert heartbeats_answered(victim, 3) == 3
    finally:
        victim.close()


def logs_in(bus, serial):
    pile = Pile(bus, serial)
    pile.close()
    return not pile.refused


def test_a_pile_has_access_from_its_creation_until_it_is_archived_or_retired(bus):
    find = f"pile = env['charge.pile'].with_context(active_test=False).search([('serial', '=', '{LIFE}')])\n"
    try:
        bus.odoo_shell(
            f"src = env['charge.pile'].search([('serial', '=', '{VICTIM}')])\n"
            f"env['charge.pile'].create({{'serial': '{LIFE}', 'name': 'Broker life', "
            "'station_id': src.station_id.id, 'model_id': src.model_id.id})\n")
        # a draft pile logs in (to boot and be commissioned) once its creation is committed
        wait_for(lambda: logs_in(bus, LIFE), 10, "the new draft pile could not log in")
        connected = Pile(bus, LIFE)
        bus.odoo_shell(find + "pile.action_archive()\n")
        wait_for(lambda: not connected.client.is_connected(), 10, "the archived pile kept its connection")
        connected.close()
        assert not logs_in(bus, LIFE)
        bus.odoo_shell(find + "pile.action_unarchive()\n")
        wait_for(lambda: logs_in(bus, LIFE), 10, "the unarchived pile could not log in")
        connected = Pile(bus, LIFE)
        bus.odoo_shell(find + "pile.with_user(env.ref('base.user_admin')).action_retire()\n")
        wait_for(lambda: not connected.client.is_connected(), 10, "the retired pile kept its connection")
        connected.close()
        assert not logs_in(bus, LIFE)
        assert LIFE not in "".join(bus.access_files().values())
    finally:
        bus.odoo_shell(find + "pile.unlink()\n")
