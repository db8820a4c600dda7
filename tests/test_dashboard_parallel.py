"""Dashboards on PostgreSQL run their aggregates side by side on other connections: the same numbers as one after
another for users with different rights; a session with uncommitted writes runs them itself and sees them; a
failed statement is raised where its rows are asked for, and every worker connection goes back to the pool."""
from __future__ import annotations

import os
import threading
from contextlib import ExitStack
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_login import login_user

from core.addons.data import ref
from core.dashboards import parallel
from core.dashboards.models import Dashboard
from core.dashboards.views import current_period, dashboard_widgets
from core.extensions import db
from core.testing import pooled_statement_plans
from tests.test_dashboards import TODAY, clock, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.addons("crm")
on_postgres = pytest.mark.skipif(not os.environ.get("FLOWCASE_TEST_DATABASE_URL", "").startswith("postgresql"),
                                 reason="other connections and a parallel path exist on PostgreSQL only")


class _Undo(Exception):
    pass


def numbers(items) -> list:
    """What a dashboard shows, minus the SVG (pygal numbers its elements at random)."""
    shown = []
    for item in items:
        result = item["result"]
        shown.append((result.widget.id, result.value, result.previous, result.link, result.categories, result.series,
                      [(p.category, p.series, p.value, p.link, p.category_label, p.series_label) for p in result.points],
                      result.rows, None if result.error is None else str(result.error)))
    return shown


def worker_statements(app):
    """A list that collects the statements run in the dashboard's worker threads while the block runs."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if threading.current_thread().name.startswith("dashboard-sql"):
            seen.append(statement)

    return seen, before


def show(app, user, limit):
    """The sales dashboard (this year) as ``user`` sees it with ``limit`` statements at once, and the worker count."""
    app.config["FLOWCASE_DASHBOARD_PARALLEL_QUERIES"] = limit
    seen, before = worker_statements(app)
    with app.test_request_context("/dashboards/sales?period=this_year"):
        login_user(user)
        board = db.session.scalars(sa.select(Dashboard).where(Dashboard.code == "sales")).one()
        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            shown = numbers(dashboard_widgets(board, current_period({"period": "this_year"})))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)
    return shown, len(seen)


@on_postgres
def test_parallel_numbers_equal_sequential_ones_for_viewers_with_different_rights(app, world):
    # The world's data is committed for real (other connections see it); its schema is dropped after the test.
    checked_in = db.engine.pool.checkedin()
    by_viewer = {}
    for name in ("alice", "manager"):
        sequential, none = show(app, world[name], 1)
        side_by_side, ran = show(app, world[name], 3)
        assert none == 0 and ran >= 4, "the parallel path did not run the widgets' statements in its workers"
        assert side_by_side == sequential
        by_viewer[name] = sequential
    # alice reads only her own activities: the rights reached the workers' statements.
    assert by_viewer["alice"] != by_viewer["manager"]
    assert db.engine.pool.checkedout() <= 1 and db.engine.pool.checkedin() >= checked_in


def test_uncommitted_writes_are_counted_on_the_requests_own_session(app, world):
    manager = world["manager"]
    app.config["FLOWCASE_DASHBOARD_PARALLEL_QUERIES"] = 3
    seen, before = worker_statements(app)
    with app.test_request_context("/dashboards/sales?period=this_year"):
        login_user(manager)
        records = app.extensions["flowcase"].records(sudo=True)
        session = records.session
        board = session.scalars(sa.select(Dashboard).where(Dashboard.code == "sales")).one()
        period = current_period({"period": "this_year"})

        def overdue_total():
            items = dashboard_widgets(board, period)
            wanted = ref(session, "widget_activities_overdue_per_owner", "crm")
            chart = next(item["result"] for item in items if item["result"].widget.id == wanted)
            return sum(point.value for point in chart.points)

        committed = overdue_total()
        account = session.scalars(sa.text("SELECT id FROM crm_account ORDER BY id LIMIT 1")).first()
        sa.event.listen(db.engine, "before_cursor_execute", before)
        with pytest.raises(_Undo):
            with records.transaction():
                records.create("activity", {"subject": "Not yet committed", "account_id": account,
                                            "owner_id": manager.id, "due_date": TODAY - timedelta(days=3)})
                assert overdue_total() == committed + 1
                assert parallel.limit(session) == 1
                raise _Undo
        sa.event.remove(db.engine, "before_cursor_execute", before)
        assert seen == []
        assert overdue_total() == committed


@on_postgres
def test_a_failed_statement_is_raised_where_its_rows_are_asked_for(app_ctx):
    engine = db.engine
    statements = [sa.text("SELECT 1"), sa.text("SELECT 1 / 0"), sa.text("SELECT 2")]
    with pytest.raises(sa.exc.DBAPIError) as sequential:
        parallel.Statements(db.session, statements, 1).rows(1)
    db.session.rollback()
    side_by_side = parallel.Statements(db.session, statements, 3)
    assert side_by_side.rows(0) == [(1,)] and side_by_side.rows(2) == [(2,)]
    with pytest.raises(sa.exc.DBAPIError) as caught:
        side_by_side.rows(1)
    assert type(caught.value) is type(sequential.value) and "division by zero" in str(caught.value)
    # The request's session holds one connection at most; every worker's went back to the pool.
    assert engine.pool.checkedout() <= 1


@on_postgres
def test_a_lanes_settings_hold_for_its_statement_only(app_ctx):
    # No PostgreSQL workers inside a lane, and room for an aggregate's hash; the pooled connections' next
    # users (every idle one checked out at once, so the lanes' are among them) have the server's defaults back.
    names = list(parallel.LANE_SETTINGS)
    show = sa.text("SELECT " + ", ".join(f"current_setting('{name}')" for name in names))
    with db.engine.connect() as connection:
        defaults = tuple(connection.execute(show).one())
    if defaults == tuple(parallel.LANE_SETTINGS.values()):
        pytest.skip("this server's defaults are the lane's settings: nothing to tell apart")
    lanes = parallel.Statements(db.session, [show, show], 2)
    for index in range(2):
        assert lanes.rows(index) == [tuple(parallel.LANE_SETTINGS.values())]
    with ExitStack() as stack:
        idle = [stack.enter_context(db.engine.connect()) for _ in range(max(1, db.engine.pool.checkedin()))]
        assert [tuple(connection.execute(show).one()) for connection in idle] == [defaults] * len(idle)


@on_postgres
def test_a_lane_leaves_its_connection_with_the_statements_it_prepared(app_ctx):
    # A lane's connection is the next request's (the pool is last in, first out). Ended with a ROLLBACK,
    # psycopg deallocated every statement prepared on it, so none ever reached its fifth run and got prepared.
    statement = sa.text("SELECT count(*) FROM core_change_log WHERE record_id = :id").bindparams(id=1)
    for _ in range(30):  # each connection a lane takes runs the statement more than psycopg's threshold of five
        lanes = parallel.Statements(db.session, [statement, statement], 2)
        lanes.rows(0), lanes.rows(1)  # both done: their connections are back in the pool
    db.session.rollback()
    prepared, _generic = pooled_statement_plans(db.engine)
    assert prepared > 0
