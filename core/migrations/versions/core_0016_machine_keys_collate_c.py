"""Machine keys compare byte by byte on PostgreSQL (``COLLATE "C"``, see ``core.db.machine_text``).

The duplicate keys' lookup index, the change log's record index and the
import rows' retry guard compared section names, keys and file hashes with
the database locale's rules at every step down their indexes: half the cost
of writing a duplicate key. SQLite compares bytes already.

Revision ID: core_0016
"""
from alembic import op

revision = "core_0016"
down_revision = "core_0015"
branch_labels = None
depends_on = None

#: (table, column, length)
_COLUMNS = [("core_dedup_key", "section", 100), ("core_dedup_key", "key", 500),
            ("core_change_log", "section", 100),
            ("core_import_row", "file_hash", 64), ("core_import_row", "section", 100)]


def _collate(collation: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in dict.fromkeys(t for t, _c, _n in _COLUMNS):
        changes = ", ".join(f'ALTER COLUMN {column} TYPE varchar({length}) COLLATE {collation}'
                            for t, column, length in _COLUMNS if t == table)
        op.execute(f"ALTER TABLE {table} {changes}")


def upgrade():
    _collate('"C"')


def downgrade():
    _collate('"default"')
