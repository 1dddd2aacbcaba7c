"""Database-specific storage: the event store's recorders, extended with the transparency log.

:mod:`greenreg.storage.sqlite` and :mod:`greenreg.storage.postgres` subclass eventsourcing's
application recorders so that every write transaction also appends its events to the Merkle
log, records the act ids and stores a signed checkpoint (:mod:`greenreg.storage.log_tables`).
:mod:`greenreg.storage.log_key` finds the operator's log key; :mod:`greenreg.storage.queries`
answers proof questions for the API.
"""
