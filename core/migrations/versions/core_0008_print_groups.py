"""Core tables for print forms and record groups.

Revision ID: core_0008
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "core_0008"
down_revision = "core_0007"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
