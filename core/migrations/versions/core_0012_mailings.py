"""Core tables for mailings, campaigns, recipients and unsubscribes; threading columns on the email queue.

Revision ID: core_0012
"""
import sqlalchemy as sa
from alembic import op

revision = "core_0012"
down_revision = "core_0011"
branch_labels = None
depends_on = None


def _record_columns(table: str) -> list:
    """The RecordMixin columns."""
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


def _user(table: str, column: str = "owner_id") -> sa.Column:
    return sa.Column(column, sa.Integer, sa.ForeignKey(
        "core_user.id", name=f"fk_{table}_{column}_core_user", ondelete="SET NULL"))


def upgrade():
    with op.batch_alter_table("core_email") as batch:
        batch.add_column(sa.Column("message_id", sa.String(250)))
        batch.add_column(sa.Column("contact_id", sa.Integer))
        batch.add_column(sa.Column("activity_id", sa.Integer))
    op.create_index("ix_core_email_message_id", "core_email", ["message_id"])

    op.create_table(
        "core_campaign",
        *_record_columns("core_campaign"),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("start_date", sa.Date),
        sa.Column("end_date", sa.Date),
        _user("core_campaign"),
        sa.Column("description", sa.Text),
    )
    op.create_table(
        "core_mailing",
        *_record_columns("core_mailing"),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("template_id", sa.Integer, sa.ForeignKey(
            "core_email_template.id", name="fk_core_mailing_template_id_core_email_template", ondelete="SET NULL")),
        sa.Column("group_id", sa.Integer, sa.ForeignKey(
            "core_record_group.id", name="fk_core_mailing_group_id_core_record_group", ondelete="SET NULL")),
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey(
            "core_campaign.id", name="fk_core_mailing_campaign_id_core_campaign", ondelete="SET NULL")),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True)),
        sa.Column("language", sa.String(5)),
        _user("core_mailing"),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("next_batch_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_core_mailing_campaign_id", "core_mailing", ["campaign_id"])
    op.create_table(
        "core_mailing_recipient",
        *_record_columns("core_mailing_recipient"),
        sa.Column("mailing_id", sa.Integer, sa.ForeignKey(
            "core_mailing.id", name="fk_core_mailing_recipient_mailing_id_core_mailing", ondelete="CASCADE"),
            nullable=False),
        sa.Column("section", sa.String(100), nullable=False),
        sa.Column("record_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(310)),
        sa.Column("email", sa.String(254)),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("skip_reason", sa.String(20)),
        sa.Column("error", sa.Text),
        sa.Column("message_id", sa.String(250)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("mailing_id", "section", "record_id", name="uq_core_mailing_recipient_mailing_id"),
    )
    op.create_index("ix_core_mailing_recipient_status", "core_mailing_recipient", ["mailing_id", "status"])
    op.create_index("ix_core_mailing_recipient_record", "core_mailing_recipient", ["section", "record_id"])
    op.create_index("ix_core_mailing_recipient_message_id", "core_mailing_recipient", ["message_id"])
    op.create_table(
        "core_email_unsubscribe",
        *_record_columns("core_email_unsubscribe"),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("mailing_id", sa.Integer, sa.ForeignKey(
            "core_mailing.id", name="fk_core_email_unsubscribe_mailing_id_core_mailing", ondelete="SET NULL")),
        sa.UniqueConstraint("email", name="uq_core_email_unsubscribe_email"),
    )
    op.create_index("ix_core_email_unsubscribe_mailing_id", "core_email_unsubscribe", ["mailing_id"])


def downgrade():
    op.drop_table("core_email_unsubscribe")
    op.drop_table("core_mailing_recipient")
    op.drop_table("core_mailing")
    op.drop_table("core_campaign")
    op.drop_index("ix_core_email_message_id", table_name="core_email")
    with op.batch_alter_table("core_email") as batch:
        batch.drop_column("activity_id")
        batch.drop_column("contact_id")
        batch.drop_column("message_id")
