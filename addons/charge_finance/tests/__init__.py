from . import test_posting_tools
from . import test_setup
from . import test_posting
from . import test_daily_summary
from . import test_reconciliation
from . import test_properties
