"""Custom-field definitions (the section wizard).

Revision ID: core_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "core_custom_field",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.Column("custom", sa.JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name="fk_core_custom_field_created_by_id_core_user", ondelete="SET NULL")),
        sa.Column("updated_by_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name="fk_core_custom_field_updated_by_id_core_user", ondelete="SET NULL")),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("label_ru", sa.String(200)),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("target_section", sa.String(100)),
        sa.Column("options", sa.Text),
        sa.Column("required", sa.Boolean, nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_core_custom_field"),
        sa.UniqueConstraint("section", "name", name="uq_core_custom_field_section"),
    )
    op.create_index("ix_core_custom_field_section", "core_custom_field", ["section"])


def downgrade():
    op.drop_index("ix_core_custom_field_section", table_name="core_custom_field")
    op.drop_table("core_custom_field")
