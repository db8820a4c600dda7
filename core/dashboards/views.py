"""The dashboard pages (``/dashboards``, ``/dashboards/<code>``) and the home page's dashboard.

The period comes from the query string (``?period=this_month``, or
``?period=custom&start=2026-01-01&end=2026-03-31``), so a plain GET form
selects it without JavaScript and every state has a URL.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone
from functools import lru_cache

from babel import numbers
from flask import Blueprint, abort, render_template, request
from flask_babel import format_decimal, get_locale
from flask_login import current_user, login_required
from markupsafe import Markup

from core.dashboards import cache, parallel, periods
from core.dashboards.cache import data_version, widget_key
from core.dashboards.cache import enabled as cache_enabled
from core.dashboards.charts import render_chart
from core.dashboards.compute import finish, prepare
from core.dashboards.visibility import visible_dashboards, widgets_of
from core.extensions import db
from core.state import get_state

bp = Blueprint("dashboards", __name__)


def format_value(value) -> str:
    """A widget's number in the user's locale ("—" for none)."""
    if value is None:
        return "—"
    locale = get_locale()
    if locale is None:
        return format_decimal(value)
    return _formatted(type(value), value, str(locale))


@lru_cache(maxsize=4096)
def _formatted(kind, value, locale: str) -> str:
    # A chart of 200 owners formats the same few counts hundreds of times (bars and table), and
    # Babel's formatting costs tens of microseconds each; the type is in the key so 1 and 1.0 stay apart.
    return numbers.format_decimal(value, locale=locale)


def _today():
    return datetime.now(timezone.utc).date()


def current_period(args) -> periods.Period:
    """The period the query string asks for (default: this year)."""
    return periods.resolve(args.get("period") or periods.DEFAULT, _today(), args.get("start"), args.get("end"))


def dashboard_widgets(dashboard, period) -> list[dict]:
    """Each widget of ``dashboard`` computed for the signed-in user, with its chart rendered.

    Every widget's aggregate is built here first, then run, a few side by side
    on their own connections on PostgreSQL (:mod:`core.dashboards.parallel`),
    while this thread turns each finished one into numbers. Drawing a chart
    (pygal) is pure Python, so charts are drawn in a helper thread meanwhile;
    the helper gets plain values only (numbers formatted here, where the
    request's locale is): no session, no request.
    """
    records = get_state().records(current_user._get_current_object())
    today, version = _today(), (data_version(db.session) if cache_enabled() else None)
    plan = []
    for widget in widgets_of(db.session, dashboard):
        key = widget_key(records, widget, period, today, version)
        kept = cache.get(key)
        plan.append((widget, key, kept, prepare(records, widget, period, today) if kept is None else None))
    fresh = [(widget, key, pending) for widget, key, kept, pending in plan if kept is None]
    runnable = [item for item in fresh if item[2].statement is not None]
    statements = parallel.Statements(db.session, [pending.statement for _, _, pending in runnable],
                                     parallel.limit(db.session))
    computed = {}
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dashboard-charts") as pool:
            def done(widget, key, pending, rows) -> None:
                result = finish(pending, rows)
                chart = None
                if widget.kind == "chart" and result.error is None:
                    labels = {point.value: format_value(point.value) for point in result.points}
                    chart = pool.submit(render_chart, result, labels.__getitem__, widget.chart_type or "bar",
                                        str(widget.title))
                computed[key] = (result, chart)

            # Widgets without an aggregate (lists, errors) first, while the workers run the others; then each
            # aggregate as it finishes, so a quick one's chart is drawn while a slow one still runs.
            for widget, key, pending in fresh:
                if pending.statement is None:
                    done(widget, key, pending, None)
            for index in statements.finished():
                done(*runnable[index], statements.rows(index))
    finally:
        statements.close()
    shown = []
    for widget, key, kept, _ in plan:
        result, chart = kept if kept is not None else computed[key]
        if kept is None:
            cache.put(key, (result, chart.result() if chart is not None else None))
        # The kept result may hold the widget of an earlier request's session: show this one.
        shown.append({"result": replace(result, widget=widget), "chart": chart.result() if isinstance(chart, Future)
                      else chart})
    return shown


def _page(dashboard_code: str | None):
    dashboards = visible_dashboards(db.session, current_user._get_current_object())
    if dashboard_code is None:
        dashboard = dashboards[0] if dashboards else None
    else:
        dashboard = next((d for d in dashboards if d.code == dashboard_code), None)
        if dashboard is None:
            abort(404)
    period = current_period(request.args)
    widgets = dashboard_widgets(dashboard, period) if dashboard is not None else []
    return render_template("dashboards/dashboard.html", dashboards=dashboards, dashboard=dashboard, period=period,
                           presets=periods.PRESETS, widgets=widgets, format_value=format_value)


@bp.route("/dashboards")
@login_required
def index():
    return _page(None)


@bp.route("/dashboards/<code>")
@login_required
def show(code):
    return _page(code)


def home_dashboard() -> Markup | None:
    """The first visible dashboard's widgets for the home page (default period), or None."""
    if not getattr(current_user, "is_authenticated", False):
        return None
    dashboards = visible_dashboards(db.session, current_user._get_current_object())
    if not dashboards:
        return None
    period = current_period({})
    widgets = dashboard_widgets(dashboards[0], period)
    return Markup(render_template("dashboards/home.html", dashboard=dashboards[0], period=period, widgets=widgets,
                                  format_value=format_value))
