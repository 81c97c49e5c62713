from . import qr_export
from . import broker_auth
