"""Core tables for saved list filters per user and the section-UI additions.

Revision ID: core_0011
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "core_0011"
down_revision = "core_0010"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
