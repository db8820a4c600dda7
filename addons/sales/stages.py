"""Stage sets and the stages code relies on, found by their ``code`` (seeded in data/sales_stage_data.yaml).

Admins rename and recolour stages freely; code finds the ones it moves records
to by code, so a renamed "Awaiting sale" still works.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError

from .models import SalesStage

#: The stage set of leads.
LEAD_SET = "lead_management"
#: The stage set a new opportunity starts in unless it is given a stage.
OPPORTUNITY_SET = "corporate_sale"

LEAD_NEW = "lead_new"
LEAD_QUALIFICATION = "lead_qualification"
LEAD_AWAITING_SALE = "lead_awaiting_sale"
LEAD_NURTURING = "lead_nurturing"
LEAD_DISQUALIFIED = "lead_disqualified"
#: "Transfer to sale": entering it turns the lead into an opportunity.
LEAD_TRANSFERRED = "lead_transferred"


def stage_by_code(session, code: str) -> SalesStage:
    """The stage with ``code``; a clear error when an admin deleted it."""
    stage = session.scalar(sa.select(SalesStage).where(SalesStage.code == code))
    if stage is None:
        raise ValidationError({"stage_id": [_l("The stage with code %(code)s is missing; reinstall or upgrade the sales add-on.", code=code)]})
    return stage


def first_stage(session, stage_set: str) -> SalesStage | None:
    """The first stage of a stage set by order, or None when the set is empty."""
    return session.scalar(
        sa.select(SalesStage).where(SalesStage.stage_set == stage_set).order_by(SalesStage.sequence, SalesStage.id)
    )
