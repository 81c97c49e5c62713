from odoo import models


class ChargeOrder(models.Model):
    """What keeps the order screens fast at a million orders (readme/BENCHMARK.md,
    "A million orders"): indexes, and the group labels of the analysis made once
    per value."""
    _inherit = "charge.order"

    # the analysis (pivot, graph), the sum rows of the lists and their date filters read these measures
    # by an index-only scan instead of the wide order rows (the tariff snapshot is most of a row)
    _analysis_measures = models.Index(
        "(start_date) INCLUDE (station_id, company_id, state, duration_minutes, energy_kwh, amount_total)")
    # "Handlings to Review": a handful of orders among a million (the predicate as the ORM writes it)
    _review_pending_orders = models.Index("(id) WHERE review_pending IS TRUE")

    def _web_read_group_groupby_formatter(self, groupby_spec, values):
        """The web client's label and domain of each group, computed once per
        distinct value: a pivot of stations by day has a cell per station and
        day, and the day's label (babel) would otherwise be formatted again
        for each station."""
        formatter = super()._web_read_group_groupby_formatter(groupby_spec, values)
        done = {}

        def once_per_value(value):
            key = (type(value), value)  # 0 and False (no value) are two groups
            try:
                result = done.get(key)
            except TypeError:  # not hashable
                return formatter(value)
            if result is None:
                result = done[key] = formatter(value)
            label, domain = result
            return label, list(domain)

        return once_per_value
