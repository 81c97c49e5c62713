from . import charge_tariff_assign
from . import charge_order_handle
from . import charge_order_settle
from . import charge_order_start
