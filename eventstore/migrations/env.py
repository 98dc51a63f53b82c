"""Alembic environment: runs migrations on the connection handed in by
:func:`caseops.eventstore.migrate.upgrade` (online mode only)."""

from alembic import context

from caseops.eventstore.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
