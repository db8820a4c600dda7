"""Core tables for mailboxes and incoming messages.

Revision ID: core_0013
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "core_0013"
down_revision = "core_0012"
branch_labels = None
depends_on = None


def _record_columns(table):
    """The columns of ``core.db.RecordMixin`` with their conventional foreign-key names."""
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
    ]


def upgrade():
    op.create_table(
        "core_mailbox",
        *_record_columns("core_mailbox"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("host", sa.String(250), nullable=False),
        sa.Column("port", sa.Integer, nullable=False),
        sa.Column("security", sa.Enum("tls", "starttls", "plain", native_enum=False, length=10,
                                      create_constraint=False), nullable=False),
        sa.Column("login", sa.String(250), nullable=False),
        sa.Column("password", sa.String(500), nullable=False),
        sa.Column("folder", sa.String(250), nullable=False),
        sa.Column("section", sa.String(100)),
        sa.Column("defaults", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("last_fetch_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_core_mailbox"),
    )
    op.create_table(
        "core_incoming_email",
        *_record_columns("core_incoming_email"),
        sa.Column("mailbox_id", sa.Integer, sa.ForeignKey(
            "core_mailbox.id", name="fk_core_incoming_email_mailbox_id_core_mailbox", ondelete="SET NULL")),
        sa.Column("message_id", sa.String(500), nullable=False),
        sa.Column("from_address", sa.String(254)),
        sa.Column("from_name", sa.String(250)),
        sa.Column("to", sa.Text),
        sa.Column("cc", sa.Text),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("received_at", sa.DateTime(timezone=True)),
        sa.Column("body", sa.Text),
        sa.Column("in_reply_to", sa.String(500)),
        sa.Column("references", sa.Text),
        sa.Column("section", sa.String(100)),
        sa.Column("record_id", sa.Integer),
        sa.Column("contact_id", sa.Integer),
        sa.Column("activity_id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_core_incoming_email"),
        sa.UniqueConstraint("message_id", name="uq_core_incoming_email_message_id"),
    )
    op.create_index("ix_core_incoming_email_section_record", "core_incoming_email", ["section", "record_id"])
    op.create_table(
        "core_incoming_attachment",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("email_id", sa.Integer, sa.ForeignKey(
            "core_incoming_email.id", name="fk_core_incoming_attachment_email_id_core_incoming_email",
            ondelete="CASCADE"), nullable=False),
        sa.Column("filename", sa.String(250), nullable=False),
        sa.Column("content_type", sa.String(150), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary),
        sa.PrimaryKeyConstraint("id", name="pk_core_incoming_attachment"),
    )
    op.create_index("ix_core_incoming_attachment_email_id", "core_incoming_attachment", ["email_id"])


def downgrade():
    op.drop_index("ix_core_incoming_attachment_email_id", "core_incoming_attachment")
    op.drop_table("core_incoming_attachment")
    op.drop_index("ix_core_incoming_email_section_record", "core_incoming_email")
    op.drop_table("core_incoming_email")
    op.drop_table("core_mailbox")
