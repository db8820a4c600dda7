"""The duplicate keys' per-record index leads with the record id: ``(record_id, section)``.

Both indexes of ``core_dedup_key`` began with ``section``. When PostgreSQL's
statistics were stale (a bulk import into an almost empty table, autovacuum
behind or off) it estimated one row for the section and probed each key
through the per-record index, filtering every key of the section: one chunk's
lookup of 1,000 keys took 2-10 seconds instead of milliseconds. Led by the record
id, that index no longer answers a lookup by key at all, so the lookup index is
the only plan, whatever the statistics say; dropping a record's keys still
finds them by ``(record_id, section)``.

Revision ID: core_0019
"""
from alembic import op

revision = "core_0019"
down_revision = "core_0018"
branch_labels = None
depends_on = None

NAME = "ix_core_dedup_key_record"


def upgrade():
    op.drop_index(NAME, table_name="core_dedup_key")
    op.create_index(NAME, "core_dedup_key", ["record_id", "section"])


def downgrade():
    op.drop_index(NAME, table_name="core_dedup_key")
    op.create_index(NAME, "core_dedup_key", ["section", "record_id"])
