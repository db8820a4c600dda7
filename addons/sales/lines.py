"""Product lines: their computed total and the amount of the opportunity they belong to."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from .models import OpportunityProduct

CENT = Decimal("0.01")


def line_total(quantity, unit_price, discount) -> Decimal | None:
    """``quantity × unit price × (1 − discount %)``, rounded half-up to cents; None without a price."""
    if unit_price is None or quantity is None:
        return None
    rate = Decimal(1) - Decimal(discount or 0) / Decimal(100)
    return (Decimal(quantity) * Decimal(unit_price) * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def opportunity_amount(session, opportunity_id: int) -> Decimal | None:
    """Sum of the opportunity's line totals, or None when it has no lines (the amount is then typed in)."""
    count, total = session.execute(
        sa.select(sa.func.count(), sa.func.sum(OpportunityProduct.line_total))
        .where(OpportunityProduct.opportunity_id == opportunity_id)
    ).one()
    if not count:
        return None
    return Decimal(total or 0).quantize(CENT)

#: Fields copied when a lead's product lines become an opportunity's.
LINE_FIELDS = ("product_id", "quantity", "unit_price", "discount")
