from . import test_identity_tools
from . import test_wallet_math
from . import test_authorization_rules
from . import test_wallet
from . import test_authorization
from . import test_order_payment
from . import test_card
from . import test_member
