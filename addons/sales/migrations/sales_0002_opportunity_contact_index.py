"""sales: an index of opportunities by contact.

``contact_id`` had none, unlike the lead's. Deleting a contact (``ON DELETE SET
NULL``) then read every opportunity to find its own: the bench deleting
100,000 imported contacts on PostgreSQL (50,000 opportunities) had not finished
after four minutes. Filtering opportunities by contact reads the same column.

Revision ID: sales_0002
"""
from alembic import op

revision = "sales_0002"
down_revision = "sales_0001"
branch_labels = None
depends_on = None

NAME = "ix_sales_opportunity_contact_id"


def upgrade():
    op.create_index(NAME, "sales_opportunity", ["contact_id"])


def downgrade():
    op.drop_index(NAME, table_name="sales_opportunity")
