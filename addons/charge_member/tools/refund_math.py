"""How a partial refund of an order splits over its fee components, without the ORM.

A refund gives back part of what an order's wallet lines paid; the revenue
and tax it reverses must follow the fee components (electricity, service,
reservation, occupancy), in proportion to what each still holds. Each
component's share is rounded to the currency, and the cents the rounding
leaves go, one at a time, to the components with the largest remainders
(largest remainder method), so that the shares add up to the refund exactly
and none exceeds what its component holds.
"""
from decimal import ROUND_DOWN, Decimal

ZERO = Decimal("0")


class RefundError(ValueError):
    def __init__(self, code, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


def split(amount, held, digits=2):
    """{component: share of ``amount``} for ``held`` ({component: Decimal,
    what each still holds, paid net of earlier refunds}); refuses an amount
    above their total or not positive."""
    quantum = Decimal(1).scaleb(-digits)
    amount = Decimal(amount)
    held = {name: Decimal(value) for name, value in held.items() if Decimal(value) > 0}
    total = sum(held.values(), ZERO)
    if amount <= 0:
        raise RefundError("not_positive", amount=amount)
    if amount > total:
        raise RefundError("above_paid", amount=amount, paid=total)
    if amount == total:
        return dict(held)
    exact = {name: amount * value / total for name, value in held.items()}
    shares = {name: value.quantize(quantum, rounding=ROUND_DOWN) for name, value in exact.items()}
    left = int((amount - sum(shares.values(), ZERO)) / quantum)
    by_remainder = sorted(held, key=lambda name: (exact[name] - shares[name], held[name]), reverse=True)
    for name in by_remainder[:left]:
        shares[name] += quantum
    return {name: share for name, share in shares.items() if share}
