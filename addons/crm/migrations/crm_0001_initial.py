"""crm: lookups, accounts, contacts, activities and activity participants.

Constraint and index names are spelled out and follow ``core.db.NAMING_CONVENTION``
so later migrations can alter them by name on SQLite and PostgreSQL alike.
"""
import sqlalchemy as sa
from alembic import op

revision = "crm_0001"
down_revision = None
branch_labels = ("crm",)
depends_on = "core_0001"

LOOKUPS = ("crm_industry", "crm_account_type", "crm_activity_type", "crm_activity_result")


def _record_columns(table: str) -> list:
    """The columns of ``core.db.RecordMixin``, with their constraint names for ``table``."""
    return [
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        # NOT NULL as RecordMixin declares them (``Mapped[datetime]``); the mixin always fills them.
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("custom", sa.JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name=f"fk_{table}_created_by_id_core_user", ondelete="SET NULL")),
        sa.Column("updated_by_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name=f"fk_{table}_updated_by_id_core_user", ondelete="SET NULL")),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.Column:
    return sa.Column(column, sa.Integer, sa.ForeignKey(
        f"{target}.id", name=f"fk_{table}_{column}_{target}", ondelete=ondelete))


def _address() -> list:
    return [
        sa.Column("country", sa.String(100)),
        sa.Column("region", sa.String(100)),
        sa.Column("city", sa.String(100)),
        sa.Column("street", sa.String(250)),
        sa.Column("zip", sa.String(20)),
    ]


def upgrade():
    for table in LOOKUPS:
        op.create_table(
            table,
            *_record_columns(table),
            sa.Column("name", sa.String(100), nullable=False),
            sa.Column("code", sa.String(50)),
            sa.UniqueConstraint("code", name=f"uq_{table}_code"),
        )

    t = "crm_account"
    op.create_table(
        t,
        *_record_columns(t),
        sa.Column("name", sa.String(250), nullable=False),
        _fk(t, "account_type_id", "crm_account_type"),
        _fk(t, "industry_id", "crm_industry"),
        _fk(t, "owner_id", "core_user", "SET NULL"),
        sa.Column("phone", sa.String(50)),
        sa.Column("email", sa.String(254)),
        sa.Column("web", sa.String(250)),
        *_address(),
        _fk(t, "parent_id", "crm_account", "SET NULL"),
        sa.Column("notes", sa.Text),
    )
    op.create_index("ix_crm_account_name", t, ["name"])
    op.create_index("ix_crm_account_owner_id", t, ["owner_id"])
    op.create_index("ix_crm_account_parent_id", t, ["parent_id"])

    t = "crm_contact"
    op.create_table(
        t,
        *_record_columns(t),
        sa.Column("first_name", sa.String(100)),
        sa.Column("last_name", sa.String(100)),
        sa.Column("middle_name", sa.String(100)),
        sa.Column("name", sa.String(310), nullable=False),
        _fk(t, "account_id", "crm_account", "SET NULL"),
        sa.Column("job_title", sa.String(150)),
        sa.Column("phone", sa.String(50)),
        sa.Column("mobile", sa.String(50)),
        sa.Column("email", sa.String(254)),
        sa.Column("phone_normalized", sa.String(20)),
        sa.Column("mobile_normalized", sa.String(20)),
        sa.Column("email_normalized", sa.String(254)),
        *_address(),
        _fk(t, "owner_id", "core_user", "SET NULL"),
    )
    for column in ("name", "account_id", "owner_id", "phone_normalized", "mobile_normalized", "email_normalized"):
        op.create_index(f"ix_crm_contact_{column}", t, [column])

    t = "crm_activity"
    op.create_table(
        t,
        *_record_columns(t),
        _fk(t, "activity_type_id", "crm_activity_type"),
        sa.Column("subject", sa.String(250), nullable=False),
        sa.Column("description", sa.Text),
        _fk(t, "owner_id", "core_user", "SET NULL"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("priority", sa.String(20), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True)),
        sa.Column("end_at", sa.DateTime(timezone=True)),
        sa.Column("due_date", sa.Date),
        _fk(t, "result_id", "crm_activity_result"),
        sa.Column("actual_start_at", sa.DateTime(timezone=True)),
        sa.Column("actual_end_at", sa.DateTime(timezone=True)),
        sa.Column("section", sa.String(100)),
        sa.Column("record_id", sa.Integer),
        _fk(t, "account_id", "crm_account", "SET NULL"),
        _fk(t, "contact_id", "crm_contact", "SET NULL"),
    )
    op.create_index("ix_crm_activity_owner_status_due", t, ["owner_id", "status", "due_date"])
    op.create_index("ix_crm_activity_account_status_due", t, ["account_id", "status", "due_date"])
    op.create_index("ix_crm_activity_contact_id", t, ["contact_id"])
    op.create_index("ix_crm_activity_section_record", t, ["section", "record_id"])

    t = "crm_activity_participant"
    op.create_table(
        t,
        sa.Column("activity_id", sa.Integer, sa.ForeignKey(
            "crm_activity.id", name=f"fk_{t}_activity_id_crm_activity", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey(
            "core_user.id", name=f"fk_{t}_user_id_core_user", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("activity_id", "user_id", name=f"pk_{t}"),
    )
    op.create_index("ix_crm_activity_participant_user_id", t, ["user_id"])


def downgrade():
    # Reverse order of creation: referencing tables first. Dropping a table drops its indexes.
    op.drop_table("crm_activity_participant")
    op.drop_table("crm_activity")
    op.drop_table("crm_contact")
    op.drop_table("crm_account")
    for table in reversed(LOOKUPS):
        op.drop_table(table)
