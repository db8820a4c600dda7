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

from core.migrations.counter_triggers import create_function, create_triggers, drop_function, drop_triggers

revision = "core_0018"
down_revision = "core_0017"
branch_labels = None
depends_on = None

#: The directory tables as of this revision (``core.config_cache.directory_tables``).
DIRECTORY = ("core_user", "core_record_group")
_BUMP = "UPDATE core_config_generation SET directory = directory + 1 WHERE id = 1"


#: The triggers' names (``core.config_cache._DIRECTORY``).
_NAMES = {"pg_trigger": "core_directory_generation_bump", "sqlite_prefix": "core_directory_generation_"}
_FUNCTION = "core_directory_generation_bump"


def upgrade():
    op.add_column("core_config_generation", sa.Column("directory", sa.BigInteger, nullable=False, server_default="0"))
    create_function(_FUNCTION, _BUMP)
    for table in DIRECTORY:
        create_triggers(table, function=_FUNCTION, bump=_BUMP, **_NAMES)


def downgrade():
    for table in DIRECTORY:
        drop_triggers(table, **_NAMES)
    drop_function(_FUNCTION)
    # Plain ALTER TABLE on SQLite too (3.35+): a batch rebuild would drop and rename the table that the
    # configuration triggers on other tables write to, which SQLite refuses.
    op.execute("ALTER TABLE core_config_generation DROP COLUMN directory")
