"""Core tables for dashboards.

Revision ID: core_0009
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "core_0009"
down_revision = "core_0008"
branch_labels = None
depends_on = None


def _record_columns(table: str) -> list:
    """The RecordMixin columns every dashboard record has."""
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
        "core_dashboard",
        *_record_columns("core_dashboard"),
        sa.Column("code", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("roles", sa.String(500)),
        sa.Column("user_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name="fk_core_dashboard_user_id_core_user", ondelete="CASCADE")),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.UniqueConstraint("code", name="uq_core_dashboard_code"),
    )
    op.create_table(
        "core_dashboard_widget",
        *_record_columns("core_dashboard_widget"),
        sa.Column("dashboard_id", sa.Integer, sa.ForeignKey(
            "core_dashboard.id", name="fk_core_dashboard_widget_dashboard_id_core_dashboard", ondelete="CASCADE"),
            nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("filter", sa.Text),
        sa.Column("measure", sa.String(20), nullable=False),
        sa.Column("measure_field", sa.String(200)),
        sa.Column("chart_type", sa.String(20)),
        sa.Column("group_by", sa.String(200)),
        sa.Column("date_bucket", sa.String(20)),
        sa.Column("series_by", sa.String(200)),
        sa.Column("period_field", sa.String(200)),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("limit", sa.Integer, nullable=False),
    )
    op.create_index("ix_core_dashboard_widget_dashboard_id", "core_dashboard_widget", ["dashboard_id", "sequence"])


def downgrade():
    op.drop_index("ix_core_dashboard_widget_dashboard_id", "core_dashboard_widget")
    op.drop_table("core_dashboard_widget")
    op.drop_table("core_dashboard")
