from . import test_ocpp_frames
from . import test_faults
from . import test_bus_transactions
from . import test_bus_errors
from . import test_bus_status
from . import test_online
from . import test_commands
