"""The tenders dashboard on the demo: each number equals a hand-written SQL sum; the page opens for a salesperson."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.addons.data import ref
from core.addons.manager import AddonManager
from core.dashboards.compute import compute
from core.dashboards.models import DashboardWidget

pytestmark = pytest.mark.addons("tenders")


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _widget(session, key) -> DashboardWidget:
    return session.get(DashboardWidget, ref(session, key, "tenders"))


def test_the_dashboard_counts_what_sql_counts(app_ctx, records, users, login):
    assert AddonManager(app_ctx.extensions["flowcase"]).load_demo() == []
    session = records.session
    won = session.execute(sa.text("SELECT SUM(our_bid) FROM tenders_tender WHERE result = 'won'")).scalar()
    margin = session.execute(sa.text("SELECT SUM(margin) FROM tenders_implementation")).scalar()
    assert _money(won) == Decimal("4190000.00") and _money(margin) == Decimal("540000.00")
    assert _money(compute(records, _widget(session, "widget_tenders_won_amount"), None).value) == _money(won)
    assert _money(compute(records, _widget(session, "widget_implementations_margin"), None).value) == _money(margin)
    by_stage = compute(records, _widget(session, "widget_tenders_by_stage"), None)
    assert sum(p.value for p in by_stage.points) == session.execute(
        sa.text("SELECT COUNT(*) FROM tenders_tender")).scalar() == 3
    results = compute(records, _widget(session, "widget_tender_results_per_month"), None)
    assert sum(p.value for p in results.points) == 2
    session.commit()
    page = login("alice").get("/dashboards/tenders")
    assert page.status_code == 200
    assert "Сумма выигранных заявок" in page.get_data(as_text=True)
