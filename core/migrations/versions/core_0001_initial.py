"""Core tables: users, add-on state, external ids, change log.

Revision ID: core_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "core_0001"
down_revision = None
branch_labels = ("core",)
depends_on = None


def upgrade():
    op.create_table(
        "core_user",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("login", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_superuser", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("language", sa.String(10)),
        sa.Column("manager_id", sa.Integer, sa.ForeignKey("core_user.id", name="fk_core_user_manager_id_core_user", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_core_user"),
        sa.UniqueConstraint("login", name="uq_core_user_login"),
    )
    op.create_table(
        "core_addon",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("installed_version", sa.String(40)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("name", name="pk_core_addon"),
    )
    op.create_table(
        "core_external_id",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("addon", sa.String(100), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("noupdate", sa.Boolean, nullable=False),
        sa.Column("loaded_values", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_core_external_id"),
        sa.UniqueConstraint("addon", "key", name="uq_core_external_id_addon_key"),
    )
    op.create_index("ix_core_external_id_addon", "core_external_id", ["addon"])
    op.create_table(
        "core_change_log",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("operation", sa.String(10), nullable=False),
        sa.Column("field", sa.String(200)),
        sa.Column("old_value", sa.JSON),
        sa.Column("new_value", sa.JSON),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("core_user.id", name="fk_core_change_log_user_id_core_user", ondelete="SET NULL")),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_core_change_log"),
    )
    op.create_index("ix_core_change_log_record", "core_change_log", ["section", "record_id", "id"])


def downgrade():
    op.drop_table("core_change_log")
    op.drop_table("core_external_id")
    op.drop_table("core_addon")
    op.drop_table("core_user")
