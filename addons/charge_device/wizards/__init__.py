from . import charge_command_wizard
