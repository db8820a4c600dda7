"""marketing: the lead's campaign (extension table of sales_lead).

Constraint and index names are spelled out and follow ``core.db.NAMING_CONVENTION``.
"""
import sqlalchemy as sa
from alembic import op

revision = "marketing_0001"
down_revision = None
branch_labels = ("marketing",)
depends_on = ("sales_0001", "core_0012")


def upgrade():
    op.create_table(
        "marketing_lead",
        sa.Column("id", sa.Integer, sa.ForeignKey(
            "sales_lead.id", name="fk_marketing_lead_id_sales_lead", ondelete="CASCADE"), nullable=False),
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey(
            "core_campaign.id", name="fk_marketing_lead_campaign_id_core_campaign", ondelete="SET NULL")),
        sa.PrimaryKeyConstraint("id", name="pk_marketing_lead"),
    )
    op.create_index("ix_marketing_lead_campaign_id", "marketing_lead", ["campaign_id"])


def downgrade():
    op.drop_index("ix_marketing_lead_campaign_id", table_name="marketing_lead")
    op.drop_table("marketing_lead")
