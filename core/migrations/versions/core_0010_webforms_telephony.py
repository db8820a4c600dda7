"""Core tables for web forms and telephony.

Revision ID: core_0010
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "core_0010"
down_revision = "core_0009"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
