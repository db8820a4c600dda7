"""The ``dashboard`` bench scenario: six CRM widgets over the generated activities, beside six bare aggregates.

The bench seeds its own dashboard (code ``bench_six``, visible to everyone)
through the records service, so the scenario needs only the crm add-on the
bench installs; each widget's floor is the same aggregate written by hand.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import sqlalchemy as sa

from core.extensions import db
from core.request_session import read_connection

CODE = "bench_six"
_NOT_PLANNED = {"named": "without_planned_activity"}
_CALLS = {"field": "activity_type_id.code", "op": "in", "value": ["call", "meeting"]}
WIDGETS = [
    dict(title="Accounts without a planned activity", kind="number", section="account", filter=_NOT_PLANNED),
    dict(title="Overdue activities per owner", kind="chart", chart_type="bar", section="activity",
         filter={"named": "overdue"}, group_by="owner_id"),
    dict(title="Calls and meetings per owner", kind="chart", chart_type="bar", section="activity", filter=_CALLS,
         group_by="owner_id", series_by="activity_type_id", period_field="due_date"),
    dict(title="Client base growth", kind="chart", chart_type="line", section="account", group_by="created_at",
         date_bucket="month", period_field="created_at"),
    dict(title="Activities done", kind="number", section="activity",
         filter={"field": "status", "op": "eq", "value": "done"}, period_field="due_date"),
    dict(title="Open activities by priority", kind="chart", chart_type="pie", section="activity",
         filter={"field": "status", "op": "eq", "value": "open"}, group_by="priority"),
]


def _ensure_dashboard(state) -> None:
    from core.dashboards.models import Dashboard

    if db.session.scalar(sa.select(Dashboard.id).where(Dashboard.code == CODE)) is not None:
        return
    records = state.records(sudo=True)
    with records.transaction():
        board = records.create("dashboard", {"code": CODE, "name": "Bench", "sequence": 1000})
        for sequence, values in enumerate(WIDGETS):
            values = dict(values, dashboard_id=board.id, sequence=sequence)
            if "filter" in values:
                values["filter"] = json.dumps(values["filter"])
            records.create("dashboard_widget", values)


def dashboard_scenario(ctx, scenario_class, table):
    """``/dashboards/bench_six`` this year as the bench user; the floor runs the six aggregates on bare tables."""
    from core.dashboards.buckets import bucket_key, date_bucket

    name, title = "dashboard", "Six-widget dashboard (this year)"
    tables = {n: table(n) for n in ("core_dashboard", "crm_account", "crm_activity", "crm_activity_type")}
    if any(t is None for t in tables.values()) or "activity" not in ctx.state.sections or not ctx.has_route("/dashboards"):
        return scenario_class(name, title, unavailable="needs the crm add-on and the dashboards")
    _ensure_dashboard(ctx.state)
    url = f"/dashboards/{CODE}?period=this_year"
    account, activity, kind = tables["crm_account"], tables["crm_activity"], tables["crm_activity_type"]
    today = datetime.now(timezone.utc).date()
    start, end, before = date(today.year, 1, 1), date(today.year + 1, 1, 1), date(today.year - 1, 1, 1)
    moment = datetime(today.year, 1, 1, tzinfo=timezone.utc), datetime(today.year + 1, 1, 1, tzinfo=timezone.utc)
    planned = sa.exists().where(activity.c.account_id == account.c.id, activity.c.status == "open",
                                sa.or_(activity.c.due_date.is_(None), activity.c.due_date >= today))
    done_now = sa.and_(activity.c.due_date >= start, activity.c.due_date < end)
    done_before = sa.and_(activity.c.due_date >= before, activity.c.due_date < start)

    def floor():
        dialect = db.engine.dialect.name
        month, month_key = (f(account.c.created_at, "month", True, dialect) for f in (date_bucket, bucket_key))
        queries = [
            sa.select(sa.func.count()).select_from(account).where(~planned),
            sa.select(activity.c.owner_id, sa.func.count()).where(activity.c.status == "open",
                                                                  activity.c.due_date < today)
            .group_by(activity.c.owner_id),
            sa.select(activity.c.owner_id, activity.c.activity_type_id, sa.func.count())
            .select_from(activity.join(kind, kind.c.id == activity.c.activity_type_id))
            .where(kind.c.code.in_(["call", "meeting"]), done_now)
            .group_by(activity.c.owner_id, activity.c.activity_type_id),
            sa.select(month, sa.func.count()).where(account.c.created_at >= moment[0], account.c.created_at < moment[1])
            .group_by(month_key),
            # Two range counts, as the widget asks (one CASE scan over both periods reads more of the index).
            sa.select(sa.select(sa.func.count()).where(activity.c.status == "done", done_now).scalar_subquery(),
                      sa.select(sa.func.count()).where(activity.c.status == "done", done_before).scalar_subquery()),
            sa.select(activity.c.priority, sa.func.count()).where(activity.c.status == "open").group_by(activity.c.priority),
        ]
        with read_connection(db.engine) as conn:
            return [conn.execute(query).all() for query in queries]

    return scenario_class(name, title, run=lambda: ctx.get(url), floor=floor, extra={"url": url, "widgets": len(WIDGETS)})


def dashboard_uncached_scenario(ctx, scenario_class, table):
    """The same dashboard computed afresh every time (the widget cache emptied first): the cost after a write."""
    from core.dashboards import cache

    scenario = dashboard_scenario(ctx, scenario_class, table)
    scenario.name, scenario.title = "dashboard_uncached", "Six-widget dashboard, widget cache emptied before each view"
    if scenario.run is not None:
        url = scenario.extra["url"]

        def run():
            cache.clear()
            return ctx.get(url)

        scenario.run = run
    return scenario
