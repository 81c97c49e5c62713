"""Odoo CLI commands of charge_device. Odoo finds them by file name
(``cli/<command>.py``) and loads them as ``odoo.cli.<command>``, so they use
absolute imports and are not imported by the addon itself:

    python3 -m odoo --addons-path=addons charge_listener -c odoo.conf
    python3 -m odoo --addons-path=addons charge_simulator -c odoo.conf --station SZ-NS-001
"""
