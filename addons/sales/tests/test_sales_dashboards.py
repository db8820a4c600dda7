"""The sales widgets of the sales dashboard count what hand-written SQL counts, for a salesperson who reads
only their own opportunities and a sales manager who reads all of them."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.addons.data import ref
from core.dashboards import periods
from core.dashboards.compute import compute
from core.dashboards.models import DashboardWidget

pytestmark = pytest.mark.addons("crm", "sales")


@pytest.fixture
def pipeline(app_ctx, records, users, xid):
    """Opportunities of alice and bob in open, won and lost stages; salespeople read only their own."""
    session = records.session
    with records.transaction():
        for role, scope in (("role_sales_user", "own"), ("role_sales_manager", "all")):
            records.create("section_right", {"role_id": ref(session, role, "crm"), "section": "opportunity",
                                             "read": scope, "create": "all", "update": scope, "delete": "none"})
        account = records.create("account", {"name": "ООО Лифт"})
        stages = ["opportunity_qualification", "opportunity_proposal", "opportunity_proposal", "opportunity_won",
                  "opportunity_lost", "opportunity_contracting"]
        for i, code in enumerate(stages * 2):
            owner = users["alice"] if i % 2 else users["bob"]
            lost = {"lost_reason_id": xid("reason_lost_price")} if code == "opportunity_lost" else {}
            records.create("opportunity", {"name": f"Сделка {i}", "account_id": account.id, "owner_id": owner.id,
                                           "stage_id": xid(f"stage_{code}"), "amount": Decimal(1000 + i * 10), **lost})
        records.create("opportunity", {"name": "Без владельца", "account_id": account.id,
                                       "stage_id": xid("stage_opportunity_proposal"), "amount": Decimal("5.50")})
    return users


def widget(session, key) -> DashboardWidget:
    return session.get(DashboardWidget, ref(session, key, "sales"))


ACTIVE = ("SELECT {columns} FROM sales_opportunity o JOIN sales_stage s ON s.id = o.stage_id "
          "WHERE s.is_won = :no AND s.is_lost = :no {mine} {group}")


def test_active_opportunities_per_owner_and_stage_equal_sql(app_ctx, records, pipeline):
    session = records.session
    today = datetime.now(timezone.utc).date()
    for login in ("alice", "manager"):
        viewer = pipeline[login]
        result = compute(app_ctx.extensions["flowcase"].records(viewer),
                         widget(session, "widget_active_opportunities_per_owner_stage"),
                         periods.resolve("this_year", today), today)
        mine = "AND o.owner_id = :me" if login == "alice" else ""
        rows = session.execute(sa.text(ACTIVE.format(columns="o.owner_id, o.stage_id, count(*)", mine=mine,
                                                     group="GROUP BY o.owner_id, o.stage_id")),
                               {"no": False, "me": viewer.id}).all()
        assert {(p.category, p.series): p.value for p in result.points} == {(o, s): n for o, s, n in rows}
        owners = {p.category for p in result.points}
        assert owners == ({viewer.id} if login == "alice" else {pipeline["alice"].id, pipeline["bob"].id, None})
        # Stages in their stage-set order, by name; no won or lost stage.
        assert [label for _, label in result.series] == (
            ["Proposal", "Contracting"] if login == "alice" else ["Qualification", "Proposal", "Contracting"])


def test_active_pipeline_amount_equals_sql_for_each_viewer(app_ctx, records, pipeline):
    session = records.session
    for login in ("alice", "manager"):
        viewer = pipeline[login]
        result = compute(app_ctx.extensions["flowcase"].records(viewer), widget(session, "widget_active_pipeline_amount"),
                         None)
        mine = "AND o.owner_id = :me" if login == "alice" else ""
        expected = session.scalar(sa.text(ACTIVE.format(columns="sum(o.amount)", mine=mine, group="")),
                                  {"no": False, "me": viewer.id})
        assert Decimal(str(result.value)) == Decimal(str(expected))
    assert result.value == Decimal("8405.50")


def test_the_dashboard_page_links_each_bar_to_its_opportunities(app, client, pipeline):
    assert client.post("/login", data={"login": "alice", "password": "alice"}).status_code == 302
    page = client.get("/dashboards/sales").get_data(as_text=True)
    chart = page.split('Active opportunities per owner and stage', 1)[1].split("fc-widget-table", 1)[1]
    links = re.findall(r'<a href="(/opportunity/\?filter=[^"]+)">(\d+)</a>', chart.split("</table>", 1)[0])
    assert links
    for link, value in links:
        listing = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
        assert re.search(rf"data-fc-count>\s*{value} record", listing), link
