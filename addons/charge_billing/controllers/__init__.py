from . import order_export
