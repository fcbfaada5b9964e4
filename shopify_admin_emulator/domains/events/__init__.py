"""Events beyond the `events` root the shop domain serves: one event by id, and who wrote it."""
