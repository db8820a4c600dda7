"""projects: templates and their tasks, projects, plan-vs-fact rows.

Constraint and index names are spelled out and follow ``core.db.NAMING_CONVENTION``.
"""
import sqlalchemy as sa
from alembic import op

revision = "projects_0001"
down_revision = None
branch_labels = ("projects",)
depends_on = "crm_0001"


def _record_columns(table: str) -> list:
    """The columns of ``core.db.RecordMixin``, with their constraint names for ``table``."""
    return [
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("custom", sa.JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name=f"fk_{table}_created_by_id_core_user", ondelete="SET NULL")),
        sa.Column("updated_by_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name=f"fk_{table}_updated_by_id_core_user", ondelete="SET NULL")),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _fk(table: str, column: str, target: str, ondelete: str | None = None, nullable: bool = True) -> sa.Column:
    return sa.Column(column, sa.Integer, sa.ForeignKey(
        f"{target}.id", name=f"fk_{table}_{column}_{target}", ondelete=ondelete), nullable=nullable)


def upgrade():
    t = "projects_template"
    op.create_table(
        t,
        *_record_columns(t),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.UniqueConstraint("code", name=f"uq_{t}_code"),
    )

    t = "projects_template_task"
    op.create_table(
        t,
        *_record_columns(t),
        _fk(t, "template_id", "projects_template", "CASCADE", nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("duration_days", sa.Integer, nullable=False),
        sa.Column("assignee", sa.String(100), nullable=False),
        sa.Column("description", sa.Text),
    )
    op.create_index("ix_projects_template_task_template_id", t, ["template_id", "sequence"])

    t = "projects_project"
    op.create_table(
        t,
        *_record_columns(t),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("code", sa.String(50)),
        _fk(t, "template_id", "projects_template", "SET NULL"),
        _fk(t, "account_id", "crm_account", "SET NULL"),
        _fk(t, "owner_id", "core_user", "SET NULL"),
        sa.Column("section", sa.String(100)),
        sa.Column("record_id", sa.Integer),
        sa.Column("state", sa.Enum("planned", "in_progress", "done", native_enum=False, length=20), nullable=False),
        sa.Column("planned_start", sa.Date),
        sa.Column("planned_end", sa.Date),
        sa.Column("planned_duration_days", sa.Integer),
        sa.Column("actual_start", sa.Date),
        sa.Column("actual_end", sa.Date),
        sa.Column("actual_duration_days", sa.Integer),
        sa.Column("description", sa.Text),
        sa.UniqueConstraint("code", name=f"uq_{t}_code"),
    )
    op.create_index("ix_projects_project_owner_id", t, ["owner_id"])
    op.create_index("ix_projects_project_account_id", t, ["account_id"])
    op.create_index("ix_projects_project_section_record", t, ["section", "record_id"])

    t = "projects_task"
    op.create_table(
        t,
        *_record_columns(t),
        _fk(t, "project_id", "projects_project", "CASCADE", nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("name", sa.String(250), nullable=False),
        _fk(t, "activity_id", "crm_activity", "SET NULL"),
        _fk(t, "owner_id", "core_user", "SET NULL"),
        sa.Column("status", sa.String(20)),
        sa.Column("planned_duration_days", sa.Integer),
        sa.Column("planned_start", sa.Date),
        sa.Column("planned_end", sa.Date),
        sa.Column("actual_start", sa.Date),
        sa.Column("actual_end", sa.Date),
        sa.Column("actual_duration_days", sa.Integer),
        sa.Column("slip_days", sa.Integer),
    )
    op.create_index("ix_projects_task_project_id", t, ["project_id", "sequence"])
    op.create_index("ix_projects_task_activity_id", t, ["activity_id"])


def downgrade():
    op.drop_table("projects_task")
    op.drop_table("projects_project")
    op.drop_table("projects_template_task")
    op.drop_table("projects_template")
