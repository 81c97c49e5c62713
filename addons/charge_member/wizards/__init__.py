from . import charge_wallet_recharge
from . import charge_wallet_adjust
from . import charge_order_reverse
from . import charge_card_issue
from . import charge_card_replace
from . import charge_member_status
from . import charge_member_import
from . import charge_order_start
