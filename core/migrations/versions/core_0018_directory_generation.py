"""A second counter on the generation row for the directory: users and saved groups (``core.config_cache``).

Every list page read the users the bulk "change owner" offers (and names owner
cells from) and the saved filters of its sidebar: two statements per page for
rows that change a few times a day. Triggers on ``core_user`` and
``core_record_group`` now move ``directory`` in the same transaction as any
change, and pages keep those rows per process while it stands still. It is a
counter of its own so that saving a filter does not make every worker reload
rights, automations and print forms.

Revision ID: core_0018
"""
import sqlalchemy as sa
from alembic import op

revision = "core_0018"
down_revision = "core_0017"
branch_labels = None
depends_on = None

#: The directory tables as of this revision (``core.config_cache.directory_tables``).
DIRECTORY = ("core_user", "core_record_group")
_BUMP = "UPDATE core_config_generation SET directory = directory + 1 WHERE id = 1"


def _create_triggers(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER core_directory_generation_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION core_directory_generation_bump()")
    else:
        for operation in ("insert", "update", "delete"):
            op.execute(f"CREATE TRIGGER core_directory_generation_{table}_{operation} AFTER {operation.upper()} "
                       f"ON {table} BEGIN {_BUMP}; END")


def _drop_triggers(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS core_directory_generation_bump ON {table}")
    else:
        for operation in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS core_directory_generation_{table}_{operation}")


def upgrade():
    op.add_column("core_config_generation", sa.Column("directory", sa.BigInteger, nullable=False, server_default="0"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION core_directory_generation_bump() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN {_BUMP}; RETURN NULL; END $$")
    for table in DIRECTORY:
        _create_triggers(table)


def downgrade():
    for table in DIRECTORY:
        _drop_triggers(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS core_directory_generation_bump()")
    # Plain ALTER TABLE on SQLite too (3.35+): a batch rebuild would drop and rename the table that the
    # configuration triggers on other tables write to, which SQLite refuses.
    op.execute("ALTER TABLE core_config_generation DROP COLUMN directory")
