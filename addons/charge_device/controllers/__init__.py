from . import qr_export
