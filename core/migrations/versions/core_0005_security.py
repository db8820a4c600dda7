"""Security: roles, user-role links, section rights, record rules, column rights, failed logins.

Revision ID: core_0005
"""
import sqlalchemy as sa
from alembic import op

revision = "core_0005"
down_revision = "core_0004"
branch_labels = None
depends_on = None


def _record_columns(table: str) -> list:
    """The RecordMixin columns every security record has."""
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


def _role_fk(table: str, nullable: bool = False) -> sa.Column:
    return sa.Column("role_id", sa.Integer, sa.ForeignKey(
        "core_role.id", name=f"fk_{table}_role_id_core_role", ondelete="CASCADE"), nullable=nullable)


def upgrade():
    op.create_table(
        "core_role",
        *_record_columns("core_role"),
        sa.Column("code", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.UniqueConstraint("code", name="uq_core_role_code"),
    )
    op.create_table(
        "core_user_role",
        sa.Column("user_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name="fk_core_user_role_user_id_core_user", ondelete="CASCADE"), nullable=False),
        sa.Column("role_id", sa.Integer, sa.ForeignKey(
            "core_role.id", name="fk_core_user_role_role_id_core_role", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "role_id", name="pk_core_user_role"),
    )
    op.create_table(
        "core_section_right",
        *_record_columns("core_section_right"),
        _role_fk("core_section_right"),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("read", sa.String(10), nullable=False),
        sa.Column("create", sa.String(10), nullable=False),
        sa.Column("update", sa.String(10), nullable=False),
        sa.Column("delete", sa.String(10), nullable=False),
    )
    op.create_index("ix_core_section_right_section", "core_section_right", ["section"])
    op.create_table(
        "core_record_rule",
        *_record_columns("core_record_rule"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        _role_fk("core_record_rule", nullable=True),
        sa.Column("domain", sa.JSON, nullable=False),
        sa.Column("apply_read", sa.Boolean, nullable=False),
        sa.Column("apply_create", sa.Boolean, nullable=False),
        sa.Column("apply_update", sa.Boolean, nullable=False),
        sa.Column("apply_delete", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "core_column_right",
        *_record_columns("core_column_right"),
        _role_fk("core_column_right"),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("field", sa.String(200), nullable=False),
        sa.Column("access", sa.String(10), nullable=False),
    )
    op.create_table(
        "core_login_attempt",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("login", sa.String(80), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_core_login_attempt"),
    )
    op.create_index("ix_core_login_attempt_login", "core_login_attempt", ["login", "at"])
    op.create_index("ix_core_login_attempt_ip", "core_login_attempt", ["ip", "at"])


def downgrade():
    op.drop_table("core_login_attempt")
    op.drop_table("core_column_right")
    op.drop_table("core_record_rule")
    op.drop_index("ix_core_section_right_section", "core_section_right")
    op.drop_table("core_section_right")
    op.drop_table("core_user_role")
    op.drop_table("core_role")
