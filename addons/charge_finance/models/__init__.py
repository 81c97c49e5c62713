from . import res_company
from . import res_config_settings
from . import account_tax
from . import account_move
from . import account_chart_template
from . import charge_wallet_transaction
from . import charge_wallet_reconciliation
from . import ir_module_module
