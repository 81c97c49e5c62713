"""Pure business logic of charge_base: no ORM import here, unit-tested directly."""
