"""Alembic environment: the connection comes from `engine.storage.migrate`, never from an ini file."""

from alembic import context

from engine.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
