"""End to end with the pile simulator, on the demo data: every completed order
is in the general ledger. A pile's own id tag (no member), an unpaid member
order (its wallet emptied while the gun is still in) and an order on a
stored-value card each get a journal entry of their own; the unpaid order's
receivable is cleared when it is paid; the order reconciliation report shows
no difference."""

import time

import pytest

from device_bus_harness import e2e_bus, wait_for

SERIAL = "44030501000001"      # demo DC pile of 深圳湾科技园超充站, lists the fleet's id tag CARD0001
PILE_TAG = "CARD0001"          # 顺丰车队: on the pile's own list, no member
LI_LEI_CARD = "SZ00010001"     # 李雷: authentication card, paid from his wallet
STORED_CARD = "SZ00020001"     # 韩梅梅: stored-value card
# one entry per document: the posting queue posts after the device transaction, run by a cron worker (none here)
POST_QUEUE = "env['charge.wallet.transaction']._cron_post_queue()"


@pytest.fixture(scope="module")
def bus(tmp_path_factory):
    with e2e_bus(tmp_path_factory.mktemp("order-ledger-bus")) as bus:
        yield bus


def order_of(bus, transaction_id):
    rows = bus.sql("SELECT id, state, payment_state, amount_total, occupancy_open FROM charge_order "
                   "WHERE session_id = %s", [transaction_id])
    return rows[0] if rows else None


def final(bus, transaction_id):
    order = order_of(bus, transaction_id)
    return bool(order) and order[1] in ("completed", "abnormal") and not order[4] and order[2] != "to_pay"


def order_entries(bus, order_id):
    """[(kind, state, debit total, partner of the debit)] of the order's own entries."""
    return bus.sql(
        "SELECT m.charge_order_kind, m.state, SUM(l.debit), "
        "       (SELECT p.name FROM account_move_line d LEFT JOIN res_partner p ON p.id = d.partner_id "
        "         WHERE d.move_id = m.id AND d.debit > 0 LIMIT 1) "
        "  FROM account_move m JOIN account_move_line l ON l.move_id = m.id "
        " WHERE m.charge_order_id = %s GROUP BY m.id ORDER BY m.id", [order_id])


def charge(bus, id_tag, connector, during_finishing=None):
    """A session of ``id_tag``; ``during_finishing`` runs after the stop, the gun still in. Returns the order."""
    pile = bus.virtual_pile(SERIAL, finishing_seconds=1800)  # 30 s with the gun in after the stop, at 60x
    try:
        transaction_id = pile.start_charging(connector, id_tag).result(30)
        time.sleep(4)
        pile.stop_charging(connector, "Local").result(30)
        if during_finishing:
            during_finishing()
        wait_for(lambda: final(bus, transaction_id), 90, f"the order of {id_tag} was not final")
    finally:
        pile.stop()
    bus.odoo_shell(POST_QUEUE)
    return order_of(bus, transaction_id)


def test_every_kind_of_order_is_in_the_general_ledger(bus):
    # a pile's own id tag: a receivable of the walk-in customer
    order_id, state, payment_state, total, _open = charge(bus, PILE_TAG, 1)
    assert (state, payment_state) == ("completed", "none")
    assert total > 0
    [(kind, move_state, debit, partner)] = order_entries(bus, order_id)
    walkin = bus.sql("SELECT p.name FROM charge_order o JOIN res_company c ON c.id = o.company_id "
                     "JOIN res_partner p ON p.id = c.charge_walkin_partner_id WHERE o.id = %s", [order_id])[0][0]
    assert (kind, move_state, partner) == ("revenue", "posted", walkin)
    assert float(debit) == pytest.approx(total, abs=0.001)

    # a stored-value card: sold at the counter, then charged on
    bus.odoo_shell(f"""
card = env['charge.card'].search([('name', '=', '{STORED_CARD}')])
env['charge.card.load']._charge_load(card, 100, kind='sale')
""")
    order_id, state, payment_state, total, _open = charge(bus, STORED_CARD, 2)
    assert (state, payment_state) == ("completed", "on_card")
    [(kind, move_state, debit, partner)] = order_entries(bus, order_id)
    assert (kind, move_state, partner) == ("revenue", "posted", "韩梅梅")
    assert float(debit) == pytest.approx(total, abs=0.001)
    loaded = bus.sql("SELECT l.state, m.state FROM charge_card_load l JOIN charge_card c ON c.id = l.card_id "
                     "JOIN account_move m ON m.id = l.move_id WHERE c.name = %s", [STORED_CARD])
    assert loaded and all(row == ("posted", "posted") for row in loaded)

    # a member whose wallet was emptied before the order was final: unpaid, a receivable of the member
    drain = f"""
wallet = env['charge.card'].search([('name', '=', '{LI_LEI_CARD}')]).partner_id._charge_wallet()
if wallet.cash_balance:
    wallet._adjust(-wallet.cash_balance, note='e2e: spent elsewhere')
if wallet.gift_balance:
    wallet._adjust(-wallet.gift_balance, bucket='gift', note='e2e: spent elsewhere')
"""
    order_id, state, payment_state, total, _open = charge(bus, LI_LEI_CARD, 1,
                                                          during_finishing=lambda: bus.odoo_shell(drain))
    assert (state, payment_state) == ("completed", "unpaid")
    [(kind, move_state, debit, partner)] = order_entries(bus, order_id)
    assert (kind, move_state, partner) == ("revenue", "posted", "李雷")
    assert float(debit) == pytest.approx(total, abs=0.001)
    # paid once the wallet is recharged: the payment clears the receivable
    bus.odoo_shell(f"""
order = env['charge.order'].browse({order_id})
order.partner_id._charge_wallet()._recharge(500, reference='e2e')
order.action_pay()
{POST_QUEUE}
""")
    assert bus.sql("SELECT payment_state FROM charge_order WHERE id = %s", [order_id]) == [("paid",)]
    items = bus.sql("SELECT reconciled, parent_state FROM account_move_line WHERE charge_order_id = %s", [order_id])
    assert len(items) == 2 and all(row == (True, "posted") for row in items)
    assert len(order_entries(bus, order_id)) == 1, "the payment books no second revenue"

    # the order reconciliation: no difference in any month
    differences = bus.sql("SELECT month, revenue_difference, receivable_difference FROM charge_order_reconciliation "
                          "WHERE revenue_difference != 0 OR receivable_difference != 0")
    assert differences == []
    assert bus.sql("SELECT COUNT(*) FROM charge_order_reconciliation WHERE order_revenue > 0")[0][0] >= 1
