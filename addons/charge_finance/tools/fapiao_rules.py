"""Which orders a member may have a fapiao (发票) for, and of what, without the ORM.

An order is invoiceable when it ended within the company's period (so many
months back from today), is not marked not invoiceable, and no other request
holds it. A request's amount is, per fee component the company invoices,
what the orders paid of it (refunds deducted); the total must reach the
company's minimum.
"""
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")
ERROR_CODES = ("disabled", "type", "no_orders", "period", "minimum", "nothing")


class FapiaoRuleError(ValueError):
    def __init__(self, code, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


def months_back(today, months):
    """The first day still within ``months`` months before ``today``."""
    month = today.month - months
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    last_day = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
                30, 31][month - 1]
    return date(year, month, min(today.day, last_day))


def check_period(ended, today, months):
    """Raise unless an order that ended on ``ended`` (a date) is within the period."""
    if months and ended < months_back(today, months):
        raise FapiaoRuleError("period", ended=ended, since=months_back(today, months))


def amounts(orders_components, invoiced):
    """{component: Decimal} summed over ``orders_components`` (one dict per
    order) for the ``invoiced`` components only, zero amounts left out."""
    totals = {}
    for components in orders_components:
        for name, amount in components.items():
            if name in invoiced and amount:
                totals[name] = totals.get(name, ZERO) + amount
    return {name: amount for name, amount in totals.items() if amount > 0}


def check_total(totals, minimum):
    total = sum(totals.values(), ZERO)
    if total <= 0:
        raise FapiaoRuleError("nothing")
    if total < minimum:
        raise FapiaoRuleError("minimum", total=total, minimum=minimum)
    return total
