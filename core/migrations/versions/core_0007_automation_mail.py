"""Core tables for automations and outgoing email.

Revision ID: core_0007
"""
import sqlalchemy as sa
from alembic import op

revision = "core_0007"
down_revision = "core_0006"
branch_labels = None
depends_on = None


def _record_columns(table: str) -> list:
    """The columns of ``core.db.RecordMixin``, named by the convention."""
    return [
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.Column("custom", sa.JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name=f"fk_{table}_created_by_id_core_user", ondelete="SET NULL")),
        sa.Column("updated_by_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name=f"fk_{table}_updated_by_id_core_user", ondelete="SET NULL")),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def upgrade():
    op.create_table(
        "core_email_template",
        *_record_columns("core_email_template"),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("section", sa.String(100)),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("subject_ru", sa.String(500)),
        sa.Column("body_ru", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.UniqueConstraint("code", name="uq_core_email_template_code"),
    )
    op.create_table(
        "core_email",
        *_record_columns("core_email"),
        sa.Column("to", sa.String(1000), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("template_code", sa.String(100)),
        sa.Column("section", sa.String(100)),
        sa.Column("record_id", sa.Integer),
    )
    op.create_index("ix_core_email_status", "core_email", ["status"])
    op.create_index("ix_core_email_section_record", "core_email", ["section", "record_id"])
    op.create_table(
        "core_automation",
        *_record_columns("core_automation"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("watched_fields", sa.Text),
        sa.Column("stage", sa.String(100)),
        sa.Column("condition", sa.Text),
        sa.Column("timed_kind", sa.String(20)),
        sa.Column("timed_field", sa.String(200)),
        sa.Column("timed_value", sa.String(200)),
        sa.Column("days", sa.Integer),
        sa.Column("actions", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
    )
    op.create_index("ix_core_automation_section_trigger", "core_automation", ["section", "trigger"])
    op.create_table(
        "core_automation_run",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("automation_id", sa.Integer, sa.ForeignKey(
            "core_automation.id", name="fk_core_automation_run_automation_id_core_automation", ondelete="CASCADE"),
            nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("period_key", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_core_automation_run"),
        sa.UniqueConstraint("automation_id", "record_id", "period_key", name="uq_core_automation_run_automation_id"),
    )


def downgrade():
    op.drop_table("core_automation_run")
    op.drop_index("ix_core_automation_section_trigger", table_name="core_automation")
    op.drop_table("core_automation")
    op.drop_index("ix_core_email_section_record", table_name="core_email")
    op.drop_index("ix_core_email_status", table_name="core_email")
    op.drop_table("core_email")
    op.drop_table("core_email_template")
