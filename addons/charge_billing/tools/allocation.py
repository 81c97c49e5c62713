"""Split a quantity in proportion to weights, on a step, so that the parts add
up exactly (largest-remainder method). Pure Python."""
from decimal import ROUND_DOWN, Decimal


def split_quantity(total, weights, step):
    """Parts of ``total`` proportional to ``weights``, each a multiple of
    ``step``, adding up to ``total`` (itself a multiple of ``step``).
    Ties go to the earliest weight; zero weights get zero unless all are zero,
    then the first part takes everything."""
    total, step = Decimal(total), Decimal(step)
    weights = [Decimal(weight) for weight in weights]
    if not weights:
        return []
    weight_sum = sum(weights)
    if weight_sum <= 0:
        return [total] + [Decimal(0)] * (len(weights) - 1)
    units = (total / step).to_integral_value()
    exact = [units * weight / weight_sum for weight in weights]
    floors = [value.to_integral_value(rounding=ROUND_DOWN) for value in exact]
    left = int(units - sum(floors))
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in by_remainder[:left]:
        floors[index] += 1
    return [value * step for value in floors]
