"""Core tables for automations and outgoing email.

Revision ID: core_0007
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "core_0007"
down_revision = "core_0006"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
