"""Core tables for process engine (cases, stages, steps, approvals).

Revision ID: core_0006
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "core_0006"
down_revision = "core_0005"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
