"""End to end with the pile simulator, on the demo members: a member's card
swipe is authorised, the session runs, the order is priced and paid from the
member's wallet, and the payment is posted to accounting; a frozen member's
card is refused and the refusal logged; a white-listed card charges while the
pile is offline and is paid when the pile uploads the session."""

import time

import pytest

from device_bus_harness import e2e_bus, wait_for

from pile_simulator.pile import AuthorizationRejected

SERIAL = "44030501000001"      # demo DC pile of 深圳湾科技园超充站 (time-of-use tariff, keeps a local list)
LI_LEI_CARD = "SZ00010001"     # 李雷: authentication card, white-listed, 200 in the wallet
ZHAO_QIANG_CARD = "SZ00030001"  # 赵强: frozen member


@pytest.fixture(scope="module")
def bus(tmp_path_factory):
    with e2e_bus(tmp_path_factory.mktemp("member-bus")) as bus:
        yield bus


def order_of(bus, transaction_id):
    rows = bus.sql("SELECT o.state, o.payment_state, o.amount_total, o.wallet_id, p.name, o.start_method "
                   "FROM charge_order o LEFT JOIN res_partner p ON p.id = o.partner_id WHERE o.session_id = %s",
                   [transaction_id])
    return rows[0] if rows else None


def wallet_balance(bus, card):
    return float(bus.sql("SELECT COALESCE(SUM(t.amount), 0) FROM charge_wallet_transaction t JOIN charge_card c "
                         "ON c.partner_id = t.partner_id WHERE c.name = %s", [card])[0][0])


def payment_posting(bus, transaction_id):
    """(ledger amount, journal entry state, entry debit total) of the order's payment."""
    return bus.sql(
        "SELECT t.amount, m.state, (SELECT SUM(debit) FROM account_move_line WHERE move_id = m.id) "
        "FROM charge_wallet_transaction t JOIN charge_order o ON o.id = t.order_id "
        "LEFT JOIN charge_wallet_transaction_move_rel r ON r.transaction_id = t.id "
        "LEFT JOIN account_move m ON m.id = r.move_id "
        "WHERE o.session_id = %s AND t.type = 'payment'", [transaction_id])


def test_a_card_swipe_is_authorised_priced_paid_and_posted(bus):
    before = wallet_balance(bus, LI_LEI_CARD)
    pile = bus.virtual_pile(SERIAL)
    try:
        transaction_id = pile.start_charging(1, LI_LEI_CARD).result(30)
        time.sleep(5)  # five simulated minutes at 60x
        pile.stop_charging(1, "Local").result(30)
        # the order is final, and paid, once the driver unplugs (Available, after Finishing)
        wait_for(lambda: (order_of(bus, transaction_id) or ("", ""))[1] in ("paid", "unpaid"), 30,
                 "the order was not paid")
    finally:
        pile.stop()
    wait_for(lambda: (order_of(bus, transaction_id) or ("",))[0] in ("completed", "abnormal"), 30,
             "the order was not settled")
    state, payment_state, total, wallet_id, member, method = order_of(bus, transaction_id)
    assert (state, payment_state, member, method) == ("completed", "paid", "李雷", "card")
    assert total > 0
    assert wallet_balance(bus, LI_LEI_CARD) == pytest.approx(before - total, abs=0.001)
    # one entry per document: the posting queue posts after the device transaction (a cron worker: none here)
    bus.odoo_shell("env['charge.wallet.transaction']._cron_post_queue()")
    [(amount, move_state, debit)] = payment_posting(bus, transaction_id)
    assert amount == pytest.approx(-total, abs=0.001)
    assert move_state == "posted"
    assert debit == pytest.approx(total, abs=0.001)


def test_a_frozen_members_card_is_refused_and_logged(bus):
    pile = bus.virtual_pile(SERIAL)
    try:
        with pytest.raises(AuthorizationRejected) as refused:
            pile.start_charging(2, ZHAO_QIANG_CARD).result(30)
    finally:
        pile.stop()
    assert refused.value.status == "Blocked"
    assert bus.sql("SELECT status, reason FROM charge_authorization WHERE id_tag = %s ORDER BY id DESC LIMIT 1",
                   [ZHAO_QIANG_CARD]) == [("Blocked", "member_frozen")]


def test_a_white_listed_card_charges_offline_and_is_paid_on_reconnection(bus):
    pile = bus.virtual_pile(SERIAL)
    try:
        bus.odoo_shell(f"env['charge.pile'].search([('serial', '=', '{SERIAL}')])._push_local_list()")
        wait_for(lambda: pile.snapshot().get("local_list", {}).get(LI_LEI_CARD) == "Accepted", 30,
                 "the pile did not receive the card list")
        before = wallet_balance(bus, LI_LEI_CARD)
        pile.disconnect()
        started = pile.start_charging(2, LI_LEI_CARD)
        time.sleep(4)
        stopped = pile.stop_charging(2, "Local")
        time.sleep(1)
        pile.reconnect()
        transaction_id = started.result(60)
        stopped.result(60)
    finally:
        pile.stop()
    wait_for(lambda: (order_of(bus, transaction_id) or ("", ""))[1] in ("paid", "unpaid"), 60,
             "the uploaded session was not paid")
    state, payment_state, total, _wallet, member, _method = order_of(bus, transaction_id)
    assert (state, payment_state, member) == ("completed", "paid", "李雷")
    assert wallet_balance(bus, LI_LEI_CARD) == pytest.approx(before - total, abs=0.001)
