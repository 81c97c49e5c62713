from . import charge_pile_batch
from . import charge_parking_space_batch
