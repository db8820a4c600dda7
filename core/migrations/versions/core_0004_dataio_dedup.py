"""Import runs, saved mappings, imported rows; duplicate rules and their keys.

Revision ID: core_0004
"""
import sqlalchemy as sa
from alembic import op

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None


def _user_fk(table: str):
    return sa.ForeignKey("core_user.id", name=f"fk_{table}_user_id_core_user", ondelete="SET NULL")


def upgrade():
    op.create_table(
        "core_import_mapping",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("mapping", sa.JSON, nullable=False),
        sa.Column("user_id", sa.Integer, _user_fk("core_import_mapping")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_core_import_mapping"),
        sa.UniqueConstraint("section", "name", name="uq_core_import_mapping_section"),
    )
    op.create_table(
        "core_import_run",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("file_hash", sa.String(64), nullable=False),
        sa.Column("sheet", sa.String(100)),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("key_field", sa.String(200)),
        sa.Column("on_duplicate", sa.String(10), nullable=False),
        sa.Column("mapping", sa.JSON, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        *(sa.Column(name, sa.Integer, nullable=False)
          for name in ("total", "processed", "created", "updated", "skipped", "flagged", "failed")),
        sa.Column("errors", sa.JSON, nullable=False),
        sa.Column("message", sa.String(1000)),
        sa.Column("user_id", sa.Integer, _user_fk("core_import_run")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_core_import_run"),
    )
    op.create_index("ix_core_import_run_section", "core_import_run", ["section", "id"])
    op.create_table(
        "core_import_row",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("file_hash", sa.String(64), nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_core_import_row"),
        sa.UniqueConstraint("file_hash", "section", "row_number", name="uq_core_import_row_file_hash"),
    )
    op.create_table(
        "core_dedup_rule",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_core_dedup_rule"),
    )
    op.create_index("ix_core_dedup_rule_section", "core_dedup_rule", ["section"])
    op.create_table(
        "core_dedup_key",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("rule_id", sa.Integer, sa.ForeignKey(
            "core_dedup_rule.id", name="fk_core_dedup_key_rule_id_core_dedup_rule", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(500), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_core_dedup_key"),
    )
    op.create_index("ix_core_dedup_key_lookup", "core_dedup_key", ["section", "rule_id", "key"])
    op.create_index("ix_core_dedup_key_record", "core_dedup_key", ["section", "record_id"])


def downgrade():
    op.drop_table("core_dedup_key")
    op.drop_table("core_dedup_rule")
    op.drop_table("core_import_row")
    op.drop_table("core_import_run")
    op.drop_table("core_import_mapping")
