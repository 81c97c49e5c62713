"""Pure logic of charge_device (no ORM import): OCPP-J frames and schemas,
routing, fault codes, QR labels, bus settings. Unit-tested directly."""
