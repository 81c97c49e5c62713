"""Two database connections refund the same charging order at once.

An order paid 100 from a wallet; the first connection creates a refund of 60
and keeps its transaction open a moment; the second asks for 60 too. The
order's row is locked and touched while a refund is created (charge_finance
models/charge_refund.py): the second waits for the first's commit, meets its
update (REPEATABLE READ), is tried again as Odoo's RPC layer does, then sees
the 60 held and is refused, so that the refunds of an order never add up to
more than it can give back."""
import pytest

from device_bus_harness import e2e_bus

SCRIPT = r'''
import json, threading, time
import psycopg2.errors
from decimal import Decimal
from datetime import timedelta
from odoo import SUPERUSER_ID, api, fields

company = env.company
if not company._charge_finance_ready():
    company._charge_finance_setup()
stamp = time.time_ns()
member = env["res.partner"].create({"name": "Refund race %s" % stamp, "charge_member": True,
                                    "charge_mobile": "1370%07d" % (stamp % 10**7), "company_id": company.id})
wallet = member._charge_wallet()
wallet._recharge(150)
pile = env["charge.pile"].search([("company_id", "=", company.id), ("connector_ids", "!=", False)], limit=1)
order = env["charge.order"].create({"pile_id": pile.id, "connector_id": pile.connector_ids[0].id,
                                    "partner_id": member.id})
now = fields.Datetime.now()  # an order that ended now: the order reconciliation counts it
order.sudo().write({"amount_electricity": 60.0, "amount_service": 40.0, "amount_total": 100.0,
                    "start_date": now - timedelta(hours=1), "stop_date": now,
                    "state": "completed", "wallet_id": wallet.id, "payment_state": "to_pay"})
assert order._pay_from_wallet() == order
env.cr.commit()
registry = env.registry
created = threading.Event()
report = {}

def refund(index, hold):
    with registry.cursor() as cr:
        env_ = api.Environment(cr, SUPERUSER_ID, {})
        started = time.monotonic()
        report[index] = {"retries": 0}
        for _attempt in range(3):  # as Odoo's RPC layer retries a transaction that met a concurrent update
            try:
                made = env_["charge.refund"]._charge_refund_order(env_["charge.order"].browse(order.id),
                                                                  Decimal("60"), "race %s" % index)
                report[index]["refund"] = made.name
            except psycopg2.errors.SerializationFailure:
                cr.rollback()
                env_.invalidate_all()
                report[index]["retries"] += 1
                continue
            except Exception as error:
                cr.rollback()
                report[index].update(error=type(error).__name__, message=str(error))
            break
        report[index]["waited"] = time.monotonic() - started
        created.set()
        time.sleep(hold)  # the first refund stays uncommitted meanwhile

first = threading.Thread(target=refund, args=(0, 1.0))
first.start()
created.wait(30)
second = threading.Thread(target=refund, args=(1, 0.0))
second.start()
first.join(60)
second.join(60)
env.invalidate_all()
refunds = env["charge.refund"].search([("order_id", "=", order.id)])
report["refunds"] = refunds.mapped("amount")
report["refundable"] = float(env["charge.refund"]._charge_order_refundable(order))
print("RESULT " + json.dumps(report))
'''


@pytest.fixture(scope="module")
def bus(tmp_path_factory):
    with e2e_bus(tmp_path_factory.mktemp("refund-concurrency"), start=False) as bus:
        yield bus


def test_two_refunds_at_once_never_give_back_more_than_was_paid(bus):
    result = bus.odoo_shell_result(SCRIPT)
    assert "refund" in result["0"], result
    assert result["1"]["error"] == "ValidationError", result
    assert "at most 40.00" in result["1"]["message"]
    assert result["1"]["waited"] >= 0.5, "the second waited for the first's commit"
    assert result["1"]["retries"] == 1, "then met its update, and was tried again with a fresh snapshot"
    assert result["refunds"] == [60.0]
    assert result["refundable"] == 40.0
