from . import charge_card_load_wizard
from . import charge_fapiao_request_wizard
