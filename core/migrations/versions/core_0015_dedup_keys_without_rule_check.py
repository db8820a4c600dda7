"""Duplicate keys no longer carry a foreign key to their rule.

PostgreSQL checks a foreign key with a query per inserted row: about 10 us
for each of the keys an import writes (two per contact with two rules), a
tenth of a PostgreSQL import's time. Keys are derived data, looked up only
by the ids of active rules; deleting a rule deletes its keys through the
model's ``after_delete`` listener (``core.dedup.keys``) instead of the
constraint's cascade.

Revision ID: core_0015
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op

revision = "core_0015"
down_revision = "core_0014"
branch_labels = None
depends_on = None

_NAME = "fk_core_dedup_key_rule_id_core_dedup_rule"


def upgrade():
    with op.batch_alter_table("core_dedup_key") as batch:
        batch.drop_constraint(_NAME, type_="foreignkey")


def downgrade():
    op.execute("DELETE FROM core_dedup_key WHERE rule_id NOT IN (SELECT id FROM core_dedup_rule)")
    with op.batch_alter_table("core_dedup_key") as batch:
        batch.create_foreign_key(_NAME, "core_dedup_rule", ["rule_id"], ["id"], ondelete="CASCADE")
