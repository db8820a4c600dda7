"""Saved list views: a record group (the filter) keeps the list's sort and columns too.

A saved filter of the list page is a dynamic record group (core_0008) with
these two settings, so groups and saved filters share one table, one rights
model (own or shared) and one ``?group=`` door.

Revision ID: core_0011
"""
import sqlalchemy as sa
from alembic import op

revision = "core_0011"
down_revision = "core_0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("core_record_group") as batch:
        batch.add_column(sa.Column("list_sort", sa.String(100), nullable=True))
        batch.add_column(sa.Column("list_columns", sa.JSON, nullable=True))


def downgrade():
    with op.batch_alter_table("core_record_group") as batch:
        batch.drop_column("list_columns")
        batch.drop_column("list_sort")
