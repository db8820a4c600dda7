"""Core tables for web forms and telephony.

Revision ID: core_0010
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "core_0010"
down_revision = "core_0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "core_web_form",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.Column("custom", sa.JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name="fk_core_web_form_created_by_id_core_user", ondelete="SET NULL")),
        sa.Column("updated_by_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name="fk_core_web_form_updated_by_id_core_user", ondelete="SET NULL")),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("defaults", sa.Text),
        sa.Column("allowed_origins", sa.Text),
        sa.Column("success_url", sa.String(500)),
        sa.Column("success_message", sa.Text),
        sa.Column("user_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name="fk_core_web_form_user_id_core_user", ondelete="SET NULL")),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_core_web_form"),
        sa.UniqueConstraint("slug", name="uq_core_web_form_slug"),
    )
    op.create_table(
        "core_web_form_hit",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("form_id", sa.Integer),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_core_web_form_hit"),
    )
    op.create_index("ix_core_web_form_hit_ip", "core_web_form_hit", ["ip", "at"])
    op.create_table(
        "core_telephony_call",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("connector", sa.String(50), nullable=False),
        sa.Column("call_id", sa.String(200), nullable=False),
        sa.Column("direction", sa.String(3)),
        sa.Column("from_number", sa.String(50)),
        sa.Column("to_number", sa.String(50)),
        sa.Column("extension", sa.String(50)),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("result", sa.String(20)),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("duration", sa.Integer),
        sa.Column("recording_url", sa.Text),
        sa.Column("contact_id", sa.Integer),
        sa.Column("activity_id", sa.Integer),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_core_telephony_call"),
        sa.UniqueConstraint("connector", "call_id", name="uq_core_telephony_call_connector"),
    )


def downgrade():
    op.drop_table("core_telephony_call")
    op.drop_index("ix_core_web_form_hit_ip", "core_web_form_hit")
    op.drop_table("core_web_form_hit")
    op.drop_table("core_web_form")
