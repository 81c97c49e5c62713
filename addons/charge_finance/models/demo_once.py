"""The demo's money steps run once per database."""


def first_time(env, step):
    """True the first time the demo step ``step`` runs in the database. The
    mark is a system parameter, which outlives the module: installed again
    after an uninstall, charge_finance finds its documents gone but the
    wallet lines they wrote still there, and must not write them again."""
    parameters = env["ir.config_parameter"].sudo()
    key = f"charge_finance.demo.{step}"
    if parameters.get_param(key):
        return False
    parameters.set_param(key, "1")
    return True


def as_user(records, user):
    """``records`` as ``user`` (the demo's accountant), in the operator's
    language when it is installed: the chatter messages they write would
    otherwise take the user's language, which a database without it refuses."""
    lang = records.env.company._charge_operator_lang() or "en_US"
    return records.with_user(user).with_context(lang=lang)
