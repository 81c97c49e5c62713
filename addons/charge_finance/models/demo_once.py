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
