"""Stage sets of the tenders sections and the stage codes code relies on (seeded in data/tenders_stage_data.yaml).

Admins rename and recolour stages; code finds the ones it moves records to by code.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError

from .models import TenderStage

TENDER_SET = "tender"
OFFER_SET = "price_offer"
IMPLEMENTATION_SET = "implementation"

TENDER_WON = "tender_won"
TENDER_LOST = "tender_lost"
OFFER_CHOSEN = "offer_chosen"
OFFER_REJECTED = "offer_rejected"
IMPLEMENTATION_CONTRACTING = "implementation_contracting"

#: The stage set each section's records walk.
SECTION_SETS = {"tender": TENDER_SET, "tender_offer": OFFER_SET, "tender_implementation": IMPLEMENTATION_SET}


def stage_by_code(session, code: str) -> TenderStage:
    """The stage with ``code``; a clear error when an admin deleted it."""
    stage = session.scalar(sa.select(TenderStage).where(TenderStage.code == code))
    if stage is None:
        raise ValidationError({"stage_id": [_l(
            "The stage with code %(code)s is missing; reinstall or upgrade the tenders add-on.", code=code)]})
    return stage


def first_stage(session, stage_set: str) -> TenderStage | None:
    """The first stage of a stage set by order, or None when the set is empty."""
    return session.scalar(sa.select(TenderStage).where(TenderStage.stage_set == stage_set)
                          .order_by(TenderStage.sequence, TenderStage.id))
