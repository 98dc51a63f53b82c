"""Alembic migrations of the event store (driven in-process by
:func:`caseops.eventstore.migrate.upgrade`; ``caseops db upgrade`` on the command line)."""
