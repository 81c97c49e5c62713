from . import models
from . import wizards


def uninstall_hook(env):
    """The wallets and their ledger go with the module. Their rows would keep
    the module's members from being deleted (a wallet's member is restricted),
    and the ORM refuses to delete ledger lines: they are removed by SQL, the
    tables being dropped right after."""
    env.cr.execute("DELETE FROM charge_wallet_transaction")
    env.cr.execute("DELETE FROM charge_wallet")
