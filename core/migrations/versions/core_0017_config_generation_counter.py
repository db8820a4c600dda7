"""The configuration generation is one row that triggers move (``core.config_cache``).

Every request read the generation as aggregates over the eleven watched
tables. Inside a transaction that statement is as cheap as any; as a
transaction's first statement, which it always is, PostgreSQL had to lock and
open eleven tables and their indexes first, some 0.7 ms per request. Now a
trigger on each watched table bumps ``counter`` in the same transaction as the
change (statement-level on PostgreSQL, row-level on SQLite, which has no
other kind), and the generation is that one row. ``token`` is drawn when the
row is made, so a database made again at the same address never repeats an
old generation.

A watched table added later needs the same triggers (``core.migrations.counter_triggers``);
``core.config_cache`` checks they are all there and, where one is missing,
shares nothing between transactions rather than risk a stale configuration.

Revision ID: core_0017
"""
import secrets

import sqlalchemy as sa
from alembic import op

from core.migrations.counter_triggers import create_function, create_triggers, drop_function, drop_triggers

revision = "core_0017"
down_revision = "core_0016"
branch_labels = None
depends_on = None

#: The watched tables as of this revision (``core.config_cache.watched_tables``).
WATCHED = ("core_section_right", "core_record_rule", "core_column_right", "core_custom_field", "core_automation",
           "core_process_case", "core_process_stage", "core_process_step", "core_print_form", "core_dedup_rule",
           "core_user_role")
_BUMP = "UPDATE core_config_generation SET counter = counter + 1 WHERE id = 1"


#: The triggers' names (``core.config_cache._CONFIG``).
_NAMES = {"pg_trigger": "core_config_generation_bump", "sqlite_prefix": "core_config_generation_"}
_FUNCTION = "core_config_generation_bump"


def upgrade():
    generation = op.create_table(
        "core_config_generation",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("token", sa.String(32), nullable=False),
        sa.Column("counter", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(generation, [{"id": 1, "token": secrets.token_hex(8), "counter": 0}])
    create_function(_FUNCTION, _BUMP)
    for table in WATCHED:
        create_triggers(table, function=_FUNCTION, bump=_BUMP, **_NAMES)


def downgrade():
    for table in WATCHED:
        drop_triggers(table, **_NAMES)
    drop_function(_FUNCTION)
    op.drop_table("core_config_generation")
