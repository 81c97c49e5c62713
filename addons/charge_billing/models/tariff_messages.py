"""The user's-language wording of the pure modules' codes: tariff errors
(:class:`..tools.tou_grid.TariffError`) and order anomalies
(:mod:`..tools.order_checks`)."""
from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)

TARIFF_ERRORS = {
    "no_periods": _lt("a time-of-use tariff needs periods covering 00:00 to 24:00"),
    "grid": _lt("period %(start)s-%(end)s is not on the 30-minute grid"),
    "empty_period": _lt("period %(start)s-%(end)s ends before it starts"),
    "band": _lt("period %(start)s-%(end)s has no valid band"),
    "overlap": _lt("periods %(first)s and %(second)s overlap"),
    "gap": _lt("no period covers %(start)s-%(end)s: the periods must cover 00:00 to 24:00"),
    "auto_stop_limit": _lt("the auto-stop threshold is at most 48 hours"),
    "tiers_order": _lt("tiers must be listed in increasing order"),
    "no_tiers": _lt("the duration mode needs duration tiers"),
    "no_bands": _lt("this mode needs power bands"),
    "negative_price": _lt("prices cannot be negative"),
}

ANOMALIES = {
    "band_sum": _lt("the band energies add up to %(bands)s kWh, not the total %(total)s kWh"),
    "negative_duration": _lt("the session ends before it starts (%(minutes)s min)"),
    "start_too_old": _lt("the start %(start)s is more than 90 days ago"),
    "end_in_future": _lt("the end %(stop)s is more than 15 minutes ahead of the platform clock"),
    "over_24_hours": _lt("the session lasted %(hours)s hours, more than 24"),
    "over_500_kwh": _lt("%(energy)s kWh charged, more than 500 kWh"),
    "negative_energy": _lt("negative energy: %(energy)s kWh"),
    "over_10_kwh_per_minute": _lt("%(rate)s kWh per minute, more than 10"),
    "energy_without_duration": _lt("%(energy)s kWh charged in zero time"),
    "pile_amount_mismatch": _lt("the pile computed %(pile)s, the platform %(ours)s (tolerance %(tolerance)s)"),
    "negative_amount": _lt("a negative amount: %(amount)s"),
    "amount_without_energy": _lt("an amount of %(amount)s without energy"),
    "meter_stop_below_start": _lt("the final register %(stop)s Wh is below the start register %(start)s Wh"),
    "meter_backwards": _lt("the meter went backwards during the session"),
    "soc_without_energy": _lt("the state of charge moved from %(soc_start)s%% to %(soc_stop)s%% with zero energy"),
    "start_failed": _lt("the start failed: %(reason)s"),
    "start_rejected": _lt("the id tag %(tag)s was refused at start"),
    "no_tariff": _lt("no tariff was in force on the pile when the session started"),
    "pricing_error": _lt("the order could not be priced: %(error)s"),
    "manual": _lt("marked abnormal by %(user)s"),
}


def tariff_error_message(env, error):
    message = TARIFF_ERRORS.get(error.code)
    try:
        return env._(message) % error.params if message else str(error)
    except (KeyError, TypeError, ValueError):
        return str(error)


def anomaly_message(env, code, params):
    message = ANOMALIES.get(code)
    if not message:
        return code
    try:
        return env._(message) % params
    except (KeyError, TypeError, ValueError):
        return env._(message)
