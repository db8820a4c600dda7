"""Alembic environment shared by the core's and every add-on's version branch.

``core.addons.migrations`` hands in an open connection; migrations run in its
transaction. ``render_as_batch`` lets ALTERs work on SQLite.
"""
from alembic import context

from core.db import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
