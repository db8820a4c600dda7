"""Core tables for process engine (cases, stages, steps, approvals).

Revision ID: core_0006
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "core_0006"
down_revision = "core_0005"
branch_labels = None
depends_on = None


def _record_columns(table: str) -> list:
    """The RecordMixin columns every process row has."""
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


def _user(table: str, column: str) -> sa.Column:
    return sa.Column(column, sa.Integer, sa.ForeignKey(
        "core_user.id", name=f"fk_{table}_{column}_core_user", ondelete="SET NULL"))


def upgrade():
    op.create_table(
        "core_process_case",
        *_record_columns("core_process_case"),
        sa.Column("code", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("condition", sa.JSON, nullable=False),
        sa.Column("stage_set", sa.String(50)),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.UniqueConstraint("code", name="uq_core_process_case_code"),
    )
    op.create_index("ix_core_process_case_section", "core_process_case", ["section", "priority"])
    op.create_table(
        "core_process_stage",
        *_record_columns("core_process_stage"),
        sa.Column("case_id", sa.Integer, sa.ForeignKey(
            "core_process_case.id", name="fk_core_process_stage_case_id_core_process_case", ondelete="CASCADE"),
            nullable=False),
        sa.Column("stage_id", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("colour", sa.String(20)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("allowed_next", sa.JSON, nullable=False),
        sa.Column("allowed_previous", sa.JSON, nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("required_fields", sa.JSON, nullable=False),
        sa.Column("auto_advance", sa.String(20), nullable=False),
    )
    op.create_index("ix_core_process_stage_case_id", "core_process_stage", ["case_id", "sequence"])
    op.create_table(
        "core_process_step",
        *_record_columns("core_process_step"),
        sa.Column("stage_config_id", sa.Integer, sa.ForeignKey(
            "core_process_stage.id", name="fk_core_process_step_stage_config_id_core_process_stage",
            ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("required", sa.Boolean, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("after_step_id", sa.Integer, sa.ForeignKey(
            "core_process_step.id", name="fk_core_process_step_after_step_id_core_process_step", ondelete="SET NULL")),
        sa.Column("params", sa.JSON, nullable=False),
    )
    op.create_index("ix_core_process_step_stage_config_id", "core_process_step", ["stage_config_id", "sequence"])
    op.create_table(
        "core_process_record",
        *_record_columns("core_process_record"),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey(
            "core_process_case.id", name="fk_core_process_record_case_id_core_process_case", ondelete="CASCADE"),
            nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
    )
    op.create_index("ix_core_process_record_section", "core_process_record", ["section", "record_id"], unique=True)
    op.create_table(
        "core_process_step_run",
        *_record_columns("core_process_step_run"),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("step_id", sa.Integer, sa.ForeignKey(
            "core_process_step.id", name="fk_core_process_step_run_step_id_core_process_step", ondelete="CASCADE"),
            nullable=False),
        sa.Column("stage_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.Column("activity_id", sa.Integer),
        _user("core_process_step_run", "approver_id"),
        _user("core_process_step_run", "delegate_id"),
        _user("core_process_step_run", "decided_by_id"),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("comment", sa.Text),
    )
    op.create_index("ix_core_process_step_run_record", "core_process_step_run", ["section", "record_id"])
    op.create_index("ix_core_process_step_run_activity_id", "core_process_step_run", ["activity_id"])
    op.create_index("ix_core_process_step_run_approver", "core_process_step_run", ["approver_id", "state"])


def downgrade():
    for table in ("core_process_step_run", "core_process_record", "core_process_step", "core_process_stage",
                  "core_process_case"):
        op.drop_table(table)
