"""Core tables for print forms and record groups.

Revision ID: core_0008
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "core_0008"
down_revision = "core_0007"
branch_labels = None
depends_on = None


def _record_columns(table: str) -> list:
    """The RecordMixin columns."""
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
        "core_print_form",
        *_record_columns("core_print_form"),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("template", sa.Text, nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.UniqueConstraint("section", "code", name="uq_core_print_form_section"),
    )
    op.create_index("ix_core_print_form_section", "core_print_form", ["section"])
    op.create_table(
        "core_record_group",
        *_record_columns("core_record_group"),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("filter", sa.JSON, nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name="fk_core_record_group_owner_id_core_user", ondelete="SET NULL")),
        sa.Column("shared", sa.Boolean, nullable=False),
    )
    op.create_index("ix_core_record_group_section", "core_record_group", ["section"])
    op.create_table(
        "core_record_group_member",
        sa.Column("group_id", sa.Integer, sa.ForeignKey(
            "core_record_group.id", name="fk_core_record_group_member_group_id_core_record_group",
            ondelete="CASCADE"), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("group_id", "record_id", name="pk_core_record_group_member"),
    )


def downgrade():
    op.drop_table("core_record_group_member")
    op.drop_index("ix_core_record_group_section", table_name="core_record_group")
    op.drop_table("core_record_group")
    op.drop_index("ix_core_print_form_section", table_name="core_print_form")
    op.drop_table("core_print_form")
