"""A filter through a lookup (``activity_type_id.code in [...]``) keeps its index on SQLite with planner statistics.

With ``sqlite_stat1`` rows like a million generated activities' (the bench
runs ANALYZE), SQLite took ``type_id IN (SELECT ...)`` for unselective and
skip-scanned the owner index over the whole year; marked selective it reads
the two types' ranges of the covering index, as it does without statistics.
"""
import re
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from core.extensions import db
from core.sql_hints import selective

metadata = sa.MetaData()
kind = sa.Table("kind", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("code", sa.String, unique=True))
activity = sa.Table("activity", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("type_id", sa.Integer))
# What ANALYZE wrote for the bench's 1,000,000 activities (204 owners, 3 statuses, 4 types).
BENCH_STATISTICS = {
    "ix_crm_activity_type_due_owner": "1000000 250000 587 4",
    "ix_crm_activity_status_account_due": "1000000 333334 5 1",
    "ix_crm_activity_status_priority": "1000000 333334 111112",
    "ix_crm_activity_status_due_owner": "1000000 333334 866 7",
    "ix_crm_activity_section_record": "1000000 500000 3",
    "ix_crm_activity_contact_id": "1000000 4",
    "ix_crm_activity_account_status_due": "1000000 10 5 1",
    "ix_crm_activity_owner_status_due": "1000000 4902 1634 7",
}


def plan(conn, statement) -> str:
    sql = str(statement.compile(conn, compile_kwargs={"literal_binds": True}))
    return " / ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))


@pytest.mark.addons("crm")
def test_calls_and_meetings_per_owner_reads_the_type_index_on_sqlite_with_statistics(app_ctx):
    from core.addons.data import ref
    from core.dashboards import periods
    from core.dashboards.compute import prepare
    from core.dashboards.models import DashboardWidget

    if db.engine.dialect.name != "sqlite":
        pytest.skip("a hint for SQLite's planner; other databases get the bare condition (test below)")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("DELETE FROM sqlite_stat1")
        conn.execute(sa.text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('crm_activity', :index, :stat)"),
                     [{"index": index, "stat": stat} for index, stat in BENCH_STATISTICS.items()])
        conn.execute(sa.text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES "
                             "('crm_activity_type', 'sqlite_autoindex_crm_activity_type_1', '4 1')"))
    db.engine.dispose()  # new connections load the statistics
    session = db.session
    widget = session.get(DashboardWidget, ref(session, "widget_calls_meetings_per_owner", "crm"))
    today = date(2026, 11, 28)
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    statement = prepare(records, widget, periods.resolve("this_year", today), today).statement
    with db.engine.connect() as conn:
        assert "COVERING INDEX ix_crm_activity_type_due_owner" in plan(conn, statement)
        # What it guards against: the same statement without the hint skip-scans the owner index.
        bare = str(statement.compile(conn, compile_kwargs={"literal_binds": True}))
        bare = re.sub(r"likelihood\((.*?), 0\.05\)", r"\1", bare, flags=re.S)
        assert "ix_crm_activity_owner_status_due" in " / ".join(r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {bare}"))


def test_a_selective_condition_keeps_the_same_rows_and_its_negation_the_rest():
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(kind.insert(), [{"id": 1, "code": "call"}, {"id": 2, "code": "email"}])
        conn.execute(activity.insert(), [{"id": n, "type_id": n % 2 + 1} for n in range(1, 7)])
        calls = activity.c.type_id.in_(sa.select(kind.c.id).where(kind.c.code == "call"))
        ids = lambda condition: [row.id for row in conn.execute(sa.select(activity.c.id).where(condition).order_by("id"))]
        assert ids(selective(calls)) == ids(calls) == [2, 4, 6]
        assert ids(~selective(calls)) == [1, 3, 5]


def test_other_databases_get_the_bare_condition_grouped():
    calls = activity.c.type_id.in_(sa.select(kind.c.id).where(kind.c.code == "call"))
    sql = str(sa.select(activity.c.id).where(~selective(calls)).compile(dialect=postgresql.dialect()))
    assert "likelihood" not in sql and "NOT (activity.type_id IN (SELECT" in sql
