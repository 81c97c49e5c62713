from . import charge_card_load_wizard
