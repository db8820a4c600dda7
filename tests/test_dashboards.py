"""Dashboards: the CRM's shipped widgets count what hand-written SQL counts, for users with different rights;
periods and their change; date buckets; links that open the filtered list; a bounded number of queries."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import sqlalchemy as sa
import time_machine

from core.addons.data import ref
from core.dashboards import periods
from core.dashboards.compute import compute
from core.dashboards.models import Dashboard, DashboardWidget
from core.demo_users import ensure_demo_users
from core.errors import ValidationError
from core.extensions import db

pytestmark = pytest.mark.addons("crm")

TODAY = date(2026, 5, 15)


def login(client, name):
    response = client.post("/login", data={"login": name, "password": name})
    assert response.status_code == 302


def widget(session, key) -> DashboardWidget:
    return session.get(DashboardWidget, ref(session, key, "crm"))


def count_text(response) -> int:
    match = re.search(r"data-fc-count>\s*(\d+) record", response.get_data(as_text=True))
    return int(match.group(1)) if match else 0


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2026, 5, 15, 12, 0, tzinfo=timezone.utc), tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(app_ctx, clock):
    """Accounts and activities of alice and bob over three months; alice (sales_user) reads only her activities."""
    users = ensure_demo_users()
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    session = records.session
    alice, bob = users["alice"], users["bob"]
    call, meeting, task = (ref(session, f"activity_type_{code}", "crm") for code in ("call", "meeting", "task"))
    with records.transaction():
        records.create("record_rule", {"name": "salespeople read their own activities", "section": "activity",
                                       "role_id": ref(session, "role_sales_user", "crm"),
                                       "domain": {"field": "owner_id", "op": "eq", "value": "$me"},
                                       "apply_create": False, "apply_update": False, "apply_delete": False})
    for moment, count in ((datetime(2026, 3, 5, 9, tzinfo=timezone.utc), 2),
                          (datetime(2026, 4, 20, 9, tzinfo=timezone.utc), 3),
                          (datetime(2026, 5, 2, 9, tzinfo=timezone.utc), 4)):
        clock.move_to(moment)
        with records.transaction():
            for i in range(count):
                owner = alice if i % 2 else bob
                account = records.create("account", {"name": f"Клиент {moment.month}-{i}", "owner_id": owner.id})
                if i % 3 == 0:  # planned next week
                    records.create("activity", {"subject": "План", "account_id": account.id, "owner_id": owner.id,
                                                "activity_type_id": meeting, "due_date": TODAY + timedelta(days=7)})
                if i in (1, 2):  # an overdue call (alice, bob)
                    records.create("activity", {"subject": "Звонок", "account_id": account.id, "owner_id": owner.id,
                                                "activity_type_id": call, "due_date": moment.date()})
                records.create("activity", {"subject": "Задача", "account_id": account.id, "owner_id": owner.id,
                                            "activity_type_id": task, "status": "done", "due_date": moment.date()})
    clock.move_to(datetime(2026, 5, 15, 12, 0, tzinfo=timezone.utc))
    return {"alice": alice, "bob": bob, "manager": users["manager"], "records": records, "session": session}


def service(app, user):
    return app.extensions["flowcase"].records(user)


def sql(session, text, **params):
    return session.execute(sa.text(text), params).all()


# -- the shipped CRM widgets against hand-written SQL, for two users with different rights -------------------

@pytest.mark.parametrize("login_name", ["alice", "manager"])
def test_overdue_activities_per_owner_equal_sql_for_each_viewer(app_ctx, world, login_name):
    viewer = world[login_name]
    result = compute(service(app_ctx, viewer), widget(world["session"], "widget_activities_overdue_per_owner"),
                     periods.resolve("this_year", TODAY), TODAY)
    mine_only = "AND owner_id = :me" if login_name == "alice" else ""
    expected = dict(sql(world["session"], "SELECT owner_id, count(*) FROM crm_activity WHERE status = 'open' "
                        f"AND due_date < :today {mine_only} GROUP BY owner_id", today=TODAY, me=viewer.id))
    assert {p.category: p.value for p in result.points} == expected
    assert result.error is None and expected
    if login_name == "alice":
        assert set(expected) == {world["alice"].id}
    else:
        assert set(expected) == {world["alice"].id, world["bob"].id}
    # Owners are shown by name (one query for every lookup of the widget), not by id.
    labels = dict(result.categories)
    assert labels[world["alice"].id] == world["alice"].name


@pytest.mark.parametrize("login_name", ["alice", "manager"])
def test_calls_and_meetings_per_owner_equal_sql_over_the_period(app_ctx, world, login_name):
    viewer = world[login_name]
    result = compute(service(app_ctx, viewer), widget(world["session"], "widget_calls_meetings_per_owner"),
                     periods.resolve("this_year", TODAY), TODAY)
    mine_only = "AND a.owner_id = :me" if login_name == "alice" else ""
    rows = sql(world["session"], "SELECT a.owner_id, a.activity_type_id, count(*) FROM crm_activity a "
               "JOIN crm_activity_type t ON t.id = a.activity_type_id WHERE t.code IN ('call', 'meeting') "
               f"AND a.due_date >= '2026-01-01' AND a.due_date < '2027-01-01' {mine_only} "
               "GROUP BY a.owner_id, a.activity_type_id", me=viewer.id)
    assert {(p.category, p.series): p.value for p in result.points} == {(o, t, ): n for o, t, n in rows}
    assert {label for _, label in result.series} == {"Call", "Meeting"}


def test_accounts_without_a_planned_activity_equal_sql(app_ctx, world):
    expected = world["session"].scalar(sa.text(
        "SELECT count(*) FROM crm_account a WHERE NOT EXISTS (SELECT 1 FROM crm_activity t WHERE t.account_id = a.id "
        "AND t.status = 'open' AND (t.due_date IS NULL OR t.due_date >= :today))"), {"today": TODAY})
    for viewer in (world["alice"], world["manager"]):
        result = compute(service(app_ctx, viewer), widget(world["session"], "widget_accounts_without_planned_activity"),
                         periods.resolve("this_month", TODAY), TODAY)
        assert result.value == expected == 5  # accounts are readable by every salesperson
        assert result.previous is None  # no period field: no change shown


def test_client_base_growth_by_month_equals_sql_buckets(app_ctx, world):
    result = compute(service(app_ctx, world["manager"]), widget(world["session"], "widget_client_base_growth"),
                     periods.resolve("this_year", TODAY), TODAY)
    by_month: dict[str, int] = {}
    for (created,) in sql(world["session"], "SELECT created_at FROM crm_account"):
        created = created if isinstance(created, datetime) else datetime.fromisoformat(created)
        key = created.strftime("%Y-%m-01")
        by_month[key] = by_month.get(key, 0) + 1
    assert {p.category: p.value for p in result.points} == by_month == {
        "2026-03-01": 2, "2026-04-01": 3, "2026-05-01": 4}
    assert [label for _, label in result.categories] == ["2026-03", "2026-04", "2026-05"]
    # Last month only: one bucket.
    april = compute(service(app_ctx, world["manager"]), widget(world["session"], "widget_client_base_growth"),
                    periods.resolve("last_month", TODAY), TODAY)
    assert {p.category: p.value for p in april.points} == {"2026-04-01": 3}


@pytest.mark.parametrize("bucket, expected", [
    ("day", {"2026-03-05": 2, "2026-04-20": 3, "2026-05-02": 4}),
    ("week", {"2026-03-02": 2, "2026-04-20": 3, "2026-04-27": 4}),
    ("quarter", {"2026-01-01": 2, "2026-04-01": 7}),
    ("year", {"2026-01-01": 9}),
])
def test_date_buckets_are_computed_in_sql(app_ctx, world, bucket, expected):
    growth = widget(world["session"], "widget_client_base_growth")
    growth.date_bucket = bucket  # not saved: the computation reads the object
    result = compute(service(app_ctx, world["manager"]), growth, periods.resolve("this_year", TODAY), TODAY)
    db.session.rollback()
    assert {p.category: p.value for p in result.points} == expected


# -- periods ---------------------------------------------------------------------------------------------

def test_periods_and_their_previous_periods():
    assert periods.resolve("this_month", TODAY) == periods.Period("this_month", date(2026, 5, 1), date(2026, 6, 1),
                                                                  date(2026, 4, 1))
    assert periods.resolve("last_month", date(2026, 1, 10)).start == date(2025, 12, 1)
    quarter = periods.resolve("this_quarter", TODAY)
    assert (quarter.start, quarter.end, quarter.previous_start) == (date(2026, 4, 1), date(2026, 7, 1), date(2026, 1, 1))
    custom = periods.resolve("custom", TODAY, "2026-05-01", "2026-05-10")
    assert (custom.start, custom.end, custom.previous_start) == (date(2026, 5, 1), date(2026, 5, 11), date(2026, 4, 21))
    assert periods.resolve("custom", TODAY, "2026-05-10", "garbage").key == "this_year"


def test_number_widget_shows_the_change_against_the_previous_period(app, client, world):
    records, session = world["records"], world["session"]
    with records.transaction():
        board = records.create("dashboard", {"code": "growth", "name": "Рост", "sequence": 1})
        records.create("dashboard_widget", {"dashboard_id": board.id, "title": "New accounts", "kind": "number",
                                            "section": "account", "measure": "count", "period_field": "created_at"})
    new_accounts = session.scalars(sa.select(DashboardWidget).where(DashboardWidget.title == "New accounts")).one()
    result = compute(service(app, world["manager"]), new_accounts, periods.resolve("this_month", TODAY), TODAY)
    assert (result.value, result.previous, result.change, result.change_percent) == (4, 3, 1, 33.3)
    custom = compute(service(app, world["manager"]), new_accounts,
                     periods.resolve("custom", TODAY, "2026-04-01", "2026-04-30"), TODAY)
    assert (custom.value, custom.previous) == (3, 2)  # the 30 days before April 1st hold March's two
    login(client, "manager")
    page = client.get("/dashboards/growth?period=this_month").get_data(as_text=True)
    assert 'fc-widget-value' in page and "+1" in page and "(+33.3%)" in page
    page = client.get("/dashboards/growth?period=custom&start=2026-03-01&end=2026-03-31").get_data(as_text=True)
    assert "2026-03-01 – 2026-03-31" in page


# -- pages: links, charts, visibility, query count ---------------------------------------------------------

def test_a_bar_opens_the_list_filtered_to_what_it_counts(app, client, world):
    login(client, "manager")
    page = client.get("/dashboards/sales?period=this_year").get_data(as_text=True)
    widgets_html = page.split("fc-dashboard-widgets", 1)[1].split("</main>", 1)[0]
    assert "<script" not in widgets_html and "<svg" in widgets_html  # charts work without JavaScript
    links = re.findall(r'xlink:href="([^"]+)"', page)
    assert links, "the SVG bars link to lists"
    result = compute(service(app, world["manager"]), widget(world["session"], "widget_calls_meetings_per_owner"),
                     periods.resolve("this_year", TODAY), TODAY)
    for point in result.points:
        assert point.link.replace("&", "&amp;") in page
        response = client.get(point.link)
        assert response.status_code == 200 and count_text(response) == point.value
        tree = json.loads(parse_qs(urlsplit(point.link).query)["filter"][0])
        assert {"field": "owner_id", "op": "eq", "value": point.category} in tree["all"]
    number = re.search(r'<a class="display-6[^"]*" href="([^"]+)">(\d+)</a>', page)
    assert count_text(client.get(number.group(1).replace("&amp;", "&"))) == int(number.group(2))


def test_dashboards_are_shown_to_their_roles_and_users_only(app, client, world):
    records = world["records"]
    with records.transaction():
        records.create("dashboard", {"code": "bobs", "name": "Bob's", "user_id": world["bob"].id, "sequence": 5})
        records.create("dashboard", {"code": "managers", "name": "Managers'", "roles": "sales_manager", "sequence": 6})
    login(client, "alice")
    page = client.get("/dashboards").get_data(as_text=True)
    assert re.findall(r'data-dashboard="(\w+)"', page) == ["sales"]
    assert client.get("/dashboards/bobs").status_code == 404
    assert client.get("/dashboards/managers").status_code == 404
    # The dashboard records themselves are closed to users on the generic pages.
    hidden = client.get("/dashboard/")
    assert hidden.status_code in (200, 403, 404) and count_text(hidden) == 0 and "Bob&#39;s" not in hidden.get_data(as_text=True)
    client.post("/logout")
    login(client, "bob")
    assert client.get("/dashboards/bobs").status_code == 200
    client.post("/logout")
    login(client, "manager")
    assert client.get("/dashboards/managers").status_code == 200


def test_the_home_page_shows_the_first_dashboard(app, client, world):
    login(client, "alice")
    page = client.get("/").get_data(as_text=True)
    assert 'class="mt-4 fc-home-dashboard" data-dashboard="sales"' in page
    assert "Overdue activities per owner" in page


def test_a_dashboard_costs_at_most_two_queries_per_widget(app, client, world):
    login(client, "alice")
    client.get("/dashboards/sales")  # warm caches
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            assert client.get("/dashboards/sales").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)
        widgets = db.session.scalar(sa.select(sa.func.count()).select_from(DashboardWidget))
    # Session user, rights snapshot (rights, rules, columns, roles), dashboards, role codes, widgets: a fixed few.
    fixed = 10
    assert len(statements) <= fixed + 2 * widgets, "\n".join(statements)


def test_a_misconfigured_widget_is_refused_with_a_message(app_ctx, world):
    records = world["records"]
    board = records.session.scalars(sa.select(Dashboard).where(Dashboard.code == "sales")).one()
    cases = [
        ({"section": "nothing"}, "section"),
        ({"section": "account", "filter": "{not json"}, "filter"),
        ({"section": "account", "filter": '{"field": "nope", "op": "eq", "value": 1}'}, "filter"),
        ({"section": "account", "measure": "sum"}, "measure_field"),
        ({"section": "account", "kind": "chart"}, "group_by"),
        ({"section": "account", "kind": "chart", "group_by": "name", "date_bucket": "month"}, "group_by"),
        ({"section": "account", "period_field": "name"}, "period_field"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as caught:
            with records.transaction():
                records.create("dashboard_widget", {"dashboard_id": board.id, "title": "x", **values})
        assert field in caught.value.errors, (values, caught.value.errors)
    assert not records.session.scalar(sa.select(sa.func.count()).select_from(DashboardWidget)
                                      .where(DashboardWidget.title == "x"))


def test_widgets_of_a_section_the_viewer_cannot_read_show_a_message(app_ctx, world):
    session = world["session"]
    records = world["records"]
    with records.transaction():
        records.create("section_right", {"role_id": ref(session, "role_sales_user", "crm"), "section": "account",
                                         "read": "none", "create": "none", "update": "none", "delete": "none"})
        for right in session.scalars(sa.text("SELECT id FROM core_section_right WHERE section = 'account' "
                                             "AND read = 'all' AND role_id = :r"), {"r": ref(session, "role_sales_user", "crm")}):
            records.delete("section_right", right)
    result = compute(service(app_ctx, world["alice"]), widget(session, "widget_accounts_without_planned_activity"),
                     None, TODAY)
    assert result.error is not None and result.value is None


def test_superusers_configure_widgets_in_admin(app, client, world):
    login(client, "admin")
    assert client.get("/admin/lookups/dashboard/").status_code == 200
    listing = client.get("/admin/lookups/dashboard_widget/")
    assert listing.status_code == 200 and "Overdue activities per owner" in listing.get_data(as_text=True)
    assert client.get("/admin/lookups/dashboard_widget/new/").status_code == 200
    client.post("/logout")
    login(client, "manager")
    assert client.get("/admin/lookups/dashboard_widget/").status_code in (302, 403, 404)


def test_a_record_group_scopes_a_widget(app_ctx, world):
    records, session = world["records"], world["session"]
    with records.transaction():
        group = records.create("record_group", {"section": "account", "name": "Майские", "kind": "dynamic",
                                                "shared": True, "owner_id": world["manager"].id,
                                                "filter": {"field": "name", "op": "startswith", "value": "Клиент 5-"}})
        board = session.scalars(sa.select(Dashboard).where(Dashboard.code == "sales")).one()
        records.create("dashboard_widget", {"dashboard_id": board.id, "title": "May clients", "kind": "number",
                                            "section": "account", "filter": json.dumps({"group": group.id})})
    scoped = session.scalars(sa.select(DashboardWidget).where(DashboardWidget.title == "May clients")).one()
    for viewer in (world["alice"], world["manager"]):
        assert compute(service(app_ctx, viewer), scoped, None, TODAY).value == 4
    # A new account that starts matching is counted at once (membership is evaluated when used).
    with records.transaction():
        records.create("account", {"name": "Клиент 5-new"})
    assert compute(service(app_ctx, world["manager"]), scoped, None, TODAY).value == 5


def test_each_widget_is_one_aggregate_statement(app, client, world):
    """Six hundred bars still cost one grouped query per widget (and one for names): none per bar or period."""
    login(client, "manager")
    client.get("/dashboards/sales")  # warm caches
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            assert client.get("/dashboards/sales?period=this_year").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)
        widgets = db.session.scalars(sa.select(DashboardWidget).join(Dashboard).where(Dashboard.code == "sales")).all()
    aggregates = [s for s in statements if re.search(r"\bcount\(", s, re.I) and "FROM crm_" in s]
    assert len(aggregates) == len(widgets), "\n\n".join(aggregates)
    names = [s for s in statements if "UNION ALL" in s or re.match(r"\s*SELECT 'owner_id' AS path", s)]
    charts_with_lookups = sum(1 for w in widgets if w.kind == "chart" and not w.date_bucket)
    assert len(names) == charts_with_lookups, "\n\n".join(names)


def test_a_chart_links_each_bar_with_the_same_text_as_list_url():
    from core.dashboards.compute import _and, list_url, list_urls

    class Section:
        name = "activity"

    month = periods.range_tree("created_at", date(2026, 1, 1), date(2026, 2, 1))
    bases = [None, {"all": []}, {"named": "overdue"},
             _and({"field": "status", "op": "eq", "value": "open"}, periods.range_tree("due_date", TODAY, TODAY))]
    conditions = [[{"field": "owner_id", "op": "eq", "value": 5}], [{"field": "owner_id", "op": "is_null"}, month],
                  [{"field": "subject", "op": "eq", "value": "Звонок & co/?"}], []]
    for base in bases:
        link = list_urls(Section, base)
        for more in conditions:
            assert link(*more) == list_url(Section, _and(base, *more))


def test_charts_draw_the_same_svg_as_pygal_own_classes():
    # core.dashboards.charts gives a chart its drawing state as its own attributes while it draws (the speed-up);
    # the drawing must not change.
    from types import SimpleNamespace

    import pygal

    from core.dashboards import charts
    from core.dashboards.compute import Point, WidgetResult

    owners = [(owner, f"Owner {owner}") for owner in range(1, 13)] + [(None, "(none)")]
    kinds = [(2, "Call"), (3, "Meeting")]

    def result(series):
        keys = series or [(None, "")]
        points = [Point(owner, kind if series else None, (owner or 0) * 3 + (kind or 0),
                        f"/activity/?o={owner}&k={kind}", label, kind_label)
                  for owner, label in owners for kind, kind_label in keys]
        return WidgetResult(SimpleNamespace(chart_type="bar", title="t"), categories=owners, series=series,
                            points=points)

    def draw(chart_type, series):
        svg = charts.render_chart(result(series), str, chart_type, "Per owner")
        return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", svg)

    cases = [(kind, []) for kind in ("bar", "line", "pie", "funnel")] + [("bar", kinds)]
    fast = [draw(*case) for case in cases]
    own = {"bar": pygal.Bar, "line": pygal.Line, "pie": pygal.Pie, "funnel": pygal.Funnel}
    saved = charts._CHARTS, charts._STACKED_BAR
    charts._CHARTS, charts._STACKED_BAR = own, pygal.StackedBar
    try:
        assert [draw(*case) for case in cases] == fast
    finally:
        charts._CHARTS, charts._STACKED_BAR = saved
    assert "<id>" in fast[0] and 'xlink:href="/activity/?o=1&amp;k=None"' in fast[0]
