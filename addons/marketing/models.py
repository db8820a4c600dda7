"""The marketing add-on's fields of a lead (``marketing.campaign_id``): a 1:1 extension of ``sales_lead``."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class MarketingLead(Base):
    """The campaign (a core ``campaign`` record) a lead came from; its card counts these leads."""

    __tablename__ = "marketing_lead"
    __table_args__ = (Index("ix_marketing_lead_campaign_id", "campaign_id"),)

    id: Mapped[int] = mapped_column(ForeignKey("sales_lead.id", ondelete="CASCADE"), primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("core_campaign.id", ondelete="SET NULL"))
