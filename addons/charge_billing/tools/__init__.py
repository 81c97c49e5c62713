"""Pure business logic of charge_billing (pricing engines): no ORM import here, unit-tested directly."""
