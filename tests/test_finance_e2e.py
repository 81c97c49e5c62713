"""End to end with Odoo's demo payment provider and the pile simulator: a
member recharges online, charges, asks for a partial refund that finance
processes, withdraws the rest, and asks for a fapiao on the order. After
each step the member's wallet agrees with its ledger, and the wallet
reconciliation (general ledger plus what is not posted yet against what the
wallets hold) shows no difference; so does the order reconciliation: the
fapiao counts no revenue twice."""

import random
import time

import pytest

from device_bus_harness import e2e_bus, wait_for

SERIAL = "44030501000001"  # demo DC pile of 深圳湾科技园超充站
# a new member each run (the e2e database outlives a run): its card and mobile
RUN = random.randrange(10**6)
CARD = f"E2EFIN{RUN:06d}"
MOBILE = f"13912{RUN:06d}"
POST_QUEUE = "env['charge.wallet.transaction']._cron_post_queue()"
# the member's wallet against its ledger, and the company's wallets against the general ledger
FIGURES = """
import json
member = env['res.partner'].search([('charge_mobile', '=', 'MOBILE')])
wallet = member._charge_wallet()
lines = wallet.transaction_ids.sorted(lambda line: (line.date, line.id))
env['charge.wallet.reconciliation'].invalidate_model()
recon = env['charge.wallet.reconciliation'].search([('company_id', '=', wallet.company_id.id)])
orders = env['charge.order.reconciliation'].search([('company_id', '=', wallet.company_id.id)])
print('RESULT ' + json.dumps({
    'balance': wallet.balance, 'withdrawable': wallet.withdrawable_balance,
    'ledger': round(sum(lines.mapped('amount')), 2), 'last_after': lines[-1:].balance_after,
    'unposted': len(lines.filtered(lambda line: not line.posted)),
    'differences': {row.bucket: row.difference for row in recon},
    'order_differences': [row.revenue_difference for row in orders if row.revenue_difference],
}))
"""


@pytest.fixture(scope="module")
def bus(tmp_path_factory):
    with e2e_bus(tmp_path_factory.mktemp("finance-e2e")) as bus:
        yield bus


def figures(bus):
    bus.odoo_shell(POST_QUEUE)
    result = bus.odoo_shell_result(FIGURES.replace("MOBILE", MOBILE))
    assert result["ledger"] == pytest.approx(result["balance"], abs=0.001), "the wallet is the sum of its ledger"
    assert result["last_after"] == pytest.approx(result["balance"], abs=0.001)
    assert result["unposted"] == 0, "the posting queue posted every line"
    assert all(abs(value) < 0.005 for value in result["differences"].values()), result["differences"]
    assert result["order_differences"] == [], "orders, refunds and revenue agree"
    return result


def test_recharge_online_charge_refund_and_withdraw(bus):
    # a new member with a card, recharging 200 online through the demo provider
    recharged = bus.odoo_shell_result(f"""
import json
from decimal import Decimal
pile = env['charge.pile'].search([('serial', '=', '{SERIAL}')])
company = pile.company_id
member = env['res.partner'].create({{'name': '端到端会员', 'charge_member': True, 'charge_mobile': '{MOBILE}',
                                    'company_id': company.id}})
env['charge.card'].create({{'name': '{CARD}', 'partner_id': member.id, 'company_id': company.id}})
provider = env.ref('payment.payment_provider_demo')
order, transaction = env['charge.payment.order']._charge_start_recharge(member._charge_wallet(), Decimal('200'),
                                                                        provider)
for _attempt in range(3):  # the provider notifies three times
    transaction._process('demo', {{'reference': transaction.reference, 'simulated_state': 'done'}})
print('RESULT ' + json.dumps({{'state': order.state, 'lines': len(order.wallet_transaction_id)}}))
""")
    assert recharged == {"state": "done", "lines": 1}
    step = figures(bus)
    assert (step["balance"], step["withdrawable"]) == (200.0, 200.0)

    # a charging session with the card: the order is paid from the wallet
    pile = bus.virtual_pile(SERIAL, finishing_seconds=0)
    try:
        transaction_id = pile.start_charging(2, CARD).result(30)
        time.sleep(4)
        pile.stop_charging(2, "Local").result(30)
        wait_for(lambda: bus.sql("SELECT payment_state FROM charge_order WHERE session_id = %s",
                                 [transaction_id]) == [("paid",)], 90, "the order was not paid")
    finally:
        pile.stop()
    [(order_id, total)] = bus.sql("SELECT id, amount_total FROM charge_order WHERE session_id = %s",
                                  [transaction_id])
    total = float(total)
    assert total > 0
    step = figures(bus)
    assert step["balance"] == pytest.approx(200.0 - total, abs=0.001)

    # a partial refund: customer service approves half, finance processes it
    half = round(total / 2, 2)
    refunded = bus.odoo_shell_result(f"""
import json
request = env['charge.refund.request'].create({{'order_id': {order_id}, 'amount_requested': {half},
                                               'reason': '中途断电'}})
request.action_negotiate()
request.approved_amount = {half}
request.action_approve_partial()
accountant = env.ref('charge_finance.user_charge_accountant')
request.refund_ids.with_user(accountant)._charge_process()
print('RESULT ' + json.dumps({{'request': request.state, 'refund': request.refund_ids.state,
                              'amount': request.refund_ids.amount}}))
""")
    assert refunded == {"request": "done", "refund": "done", "amount": half}
    step = figures(bus)
    assert step["balance"] == pytest.approx(200.0 - total + half, abs=0.001)

    # the member withdraws the rest of the withdrawable cash; finance pays it offline
    withdrawn = bus.odoo_shell_result(f"""
import json
from decimal import Decimal
wallet = env['res.partner'].search([('charge_mobile', '=', '{MOBILE}')])._charge_wallet()
amount = Decimal(str(wallet.withdrawable_balance))
withdrawal = env['charge.withdrawal']._charge_request(wallet, amount, payee_name='端到端会员')
withdrawal.with_user(env.ref('charge_finance.user_charge_accountant'))._charge_pay('offline')
env['charge.wallet.transaction']._cron_post_queue()  # the withdrawal's ledger line: the payable it credits
payable = withdrawal.company_id.charge_withdrawal_payable_account_id
items = env['account.move.line'].search([('account_id', '=', payable.id), ('partner_id', '=', wallet.partner_id.id),
                                         ('parent_state', '=', 'posted')])
print('RESULT ' + json.dumps({{'state': withdrawal.state, 'owed': round(sum(items.mapped('balance')), 2),
                              'moved': withdrawal.move_id.state}}))
""")
    assert withdrawn == {"state": "done", "owed": 0.0, "moved": "posted"}
    step = figures(bus)
    assert step["withdrawable"] == 0.0

    # a fapiao on the order, for what it still paid: issued by the demo e-invoicing provider
    invoiced = bus.odoo_shell_result(f"""
import json
order = env['charge.order'].browse({order_id})
request = env['charge.fapiao.request']._charge_request(order.partner_id, order, '端到端会员')
request.with_user(env.ref('charge_finance.user_charge_accountant')).with_context(lang='en_US').action_approve()
print('RESULT ' + json.dumps({{'state': request.state, 'amount': request.amount_total,
                              'invoice': request.invoice_id.state, 'paid': request.invoice_id.payment_state}}))
""")
    assert invoiced["state"] == "issued" and invoiced["invoice"] == "posted"
    assert invoiced["amount"] == pytest.approx(total - half, abs=0.001)
    assert invoiced["paid"] in ("paid", "reversed")
    figures(bus)
