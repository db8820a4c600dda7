"""crm: indexes for the sales dashboard's widgets over all activities and accounts.

Each matches one widget's filter and grouping so PostgreSQL answers it with an
index-only range scan rather than reading the whole table: status first
(overdue, done, open), then the period's date or the grouped column. The
planned-activity index leads with status so "accounts without a planned
activity" reads only the open activities, in account order.

Revision ID: crm_0002
"""
from alembic import op

revision = "crm_0002"
down_revision = "crm_0001"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_crm_activity_status_due_owner", "crm_activity", ["status", "due_date", "owner_id"]),
    ("ix_crm_activity_status_priority", "crm_activity", ["status", "priority"]),
    ("ix_crm_activity_status_account_due", "crm_activity", ["status", "account_id", "due_date"]),
    ("ix_crm_activity_type_due_owner", "crm_activity", ["activity_type_id", "due_date", "owner_id"]),
    ("ix_crm_account_created_at", "crm_account", ["created_at"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
