"""API keys and external ids of records synced through the REST API.

Revision ID: core_0003
"""
import sqlalchemy as sa
from alembic import op

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "core_api_key",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name="fk_core_api_key_user_id_core_user", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(20), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_core_api_key"),
        sa.UniqueConstraint("key_hash", name="uq_core_api_key_key_hash"),
    )
    op.create_index("ix_core_api_key_user_id", "core_api_key", ["user_id"])
    op.create_table(
        "core_external_ref",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("record_id", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_core_external_ref"),
        sa.UniqueConstraint("section", "source", "external_id", name="uq_core_external_ref_section"),
    )
    op.create_index("ix_core_external_ref_record_id", "core_external_ref", ["record_id"])


def downgrade():
    op.drop_index("ix_core_external_ref_record_id", "core_external_ref")
    op.drop_table("core_external_ref")
    op.drop_index("ix_core_api_key_user_id", "core_api_key")
    op.drop_table("core_api_key")
