"""Core tables for mailboxes and incoming messages.

Revision ID: core_0013
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "core_0013"
down_revision = "core_0012"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
