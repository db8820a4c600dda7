"""A widget's numbers: one aggregate query from ``Records.select`` (the viewer's rights), plus one for names.

- **number**: the measure over the period and over the previous period of the
  same length, in the same statement (two scalar subqueries, each a range on the period field);
- **chart**: the measure grouped by a field (or a date bucket of one) and
  optionally by a second field (one series per value); lookup values are shown
  by their records' display names, read for every grouped field of the widget
  in a single ``UNION ALL`` query, so a chart costs two queries at most;
- **list**: the newest matching records.

Every value carries a link to the section's list filtered to the records it
counts (``/<section>/?filter=<json>``), built from the same filter trees the
query used, so the list shows exactly what was counted.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Callable
from urllib.parse import quote

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.dashboards.buckets import bucket_end, bucket_key, bucket_label, date_bucket
from core.dashboards.models import DashboardWidget
from core.dashboards.periods import Period, range_tree
from core.errors import FlowcaseError, ValidationError
from core.filters import compile_filter, filterable_fields
from core.sections import FieldInfo, Section

NONE_LABEL = _l("(none)")


@dataclass
class Point:
    """One value of a chart: its category (and series), the number, and the list it opens."""

    category: Any
    series: Any
    value: Any
    link: str
    #: The category's and series' display labels, so the page needs no lookup per point.
    category_label: str = ""
    series_label: str = ""


@dataclass
class WidgetResult:
    """What a widget shows; ``error`` (a message) replaces the numbers when the widget cannot be computed."""

    widget: DashboardWidget
    section: Section | None = None
    value: Any = None
    previous: Any = None
    link: str = ""
    #: Categories in display order: ``[(key, label)]``; series likewise.
    categories: list = field(default_factory=list)
    series: list = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    #: List widgets: ``[(display name, card url)]``.
    rows: list = field(default_factory=list)
    error: Any = None

    @property
    def change(self):
        """The value minus the previous period's, or None without a period."""
        if self.previous is None or self.value is None:
            return None
        return self.value - self.previous

    @property
    def change_percent(self):
        """The change in percent of the previous period's value (None when that was zero)."""
        if self.change is None or not self.previous:
            return None
        return round(float(self.change) * 100 / float(self.previous), 1)

    def point(self, category, series=None) -> Point | None:
        for point in self.points:
            if point.category == category and point.series == series:
                return point
        return None

    def point_index(self) -> dict:
        """``{(category, series): point}``: a chart asks for every cell, and a scan each would be quadratic."""
        return {(point.category, point.series): point for point in self.points}


def list_url(section: Section, tree: dict | None) -> str:
    """The section's list page filtered by ``tree``."""
    if not tree or tree == {"all": []}:
        return f"/{section.name}/"
    return f"/{section.name}/?filter={quote(json.dumps(tree, separators=(',', ':'), default=str))}"


def _dump(tree) -> str:
    return json.dumps(tree, separators=(",", ":"), default=str)


def list_urls(section: Section, base: dict | None):
    """``url(*conditions)``: :func:`list_url` of ``base`` and ``conditions`` together, the same text.

    A chart links every bar to its list: the shared part (the widget's filter
    and period) is encoded once, since percent-encoding works per character.
    """
    parts = _and(base)["all"]
    prefix = f"/{section.name}/?filter=" + quote('{"all":[' + "".join(_dump(part) + "," for part in parts))

    def url(*conditions) -> str:
        more = _and(*conditions)["all"]
        if not more:
            return list_url(section, _and(base))
        return prefix + quote(",".join(_dump(part) for part in more) + "]}")

    return url


def _and(*trees) -> dict:
    parts = []
    for tree in trees:
        if not tree:
            continue
        if set(tree) == {"all"}:
            parts.extend(tree["all"])
        else:
            parts.append(tree)
    return {"all": parts}


class _Widget:
    """Computes one widget for one viewer; see the module docstring."""

    def __init__(self, records, widget: DashboardWidget, period: Period | None, today: date):
        self.records = records
        self.widget = widget
        self.today = today
        self.section = records.section(widget.section)
        self.fields = filterable_fields(self.section)
        self.tree = json.loads(widget.filter) if widget.filter else None
        self.period = period if widget.period_field else None

    # -- pieces -------------------------------------------------------------------
    def compile(self, tree) -> sa.ColumnElement[bool]:
        return compile_filter(self.section, tree, self.records.user, records=self.records, today=self.today)

    def column(self, path: str) -> tuple[FieldInfo, sa.ColumnElement]:
        info = self.fields.get(path)
        if info is None or info.column is None or info.extension is not None or info.custom:
            raise ValidationError({path: [_l("“%(field)s” is not a field of this section", field=path)]})
        return info, self.section.table.c[info.column.key]

    def measure(self) -> sa.ColumnElement:
        if self.widget.measure == "count":
            # count(*), not count(id): the same number (ids are never null), and PostgreSQL may
            # then answer from an index alone.
            return sa.func.count()
        _, column = self.column(self.widget.measure_field or "")
        if self.widget.measure == "avg":
            return sa.func.avg(column)
        return sa.func.sum(column)

    def base(self, *trees) -> sa.Select:
        # An explicit FROM: with_only_columns(count(*)) alone would leave the query without a table.
        select = self.records.select(self.section).select_from(self.section.table)
        for tree in (self.tree, *trees):
            if tree:
                select = select.where(self.compile(tree))
        return select

    def period_tree(self, start: date, end: date) -> dict | None:
        return range_tree(self.widget.period_field, start, end) if self.period else None

    # -- kinds: each builds its aggregate statement and what turns the statement's rows into the result --
    def number(self, result: WidgetResult):
        measure = self.widget.measure
        if self.period is None:
            def finish(rows) -> None:
                result.value = _number(rows[0][0] if rows else None, measure)
                result.link = list_url(self.section, self.tree)

            return self.base().with_only_columns(self.measure()), finish
        period = self.period
        current = self.period_tree(period.start, period.end)
        previous = self.period_tree(period.previous_start, period.start)
        # Two scalar subqueries in one statement, not one scan with CASE per period: each is then a
        # plain range over the period field's index (counted from the index alone on PostgreSQL).
        statement = sa.select(self.base(current).with_only_columns(self.measure()).scalar_subquery(),
                              self.base(previous).with_only_columns(self.measure()).scalar_subquery())

        def finish(rows) -> None:
            value, before = rows[0]
            result.value = _number(value, measure)
            result.previous = _number(before, measure)
            result.link = list_url(self.section, _and(self.tree, current))

        return statement, finish

    def chart(self, result: WidgetResult):
        widget = self.widget
        if not widget.group_by:
            raise ValidationError({"group_by": [_l("A chart needs a field to group by")]})
        group_info, group_column = self.column(widget.group_by)
        keys = [group_column]
        if widget.date_bucket:
            is_datetime = group_info.type == "datetime"
            dialect = self.records.session.get_bind().dialect.name
            keys = [bucket_key(group_column, widget.date_bucket, is_datetime, dialect)]
            group_column = date_bucket(group_column, widget.date_bucket, is_datetime, dialect)
        columns = [group_column.label("g")]
        series_info = None
        if widget.series_by:
            series_info, series_column = self.column(widget.series_by)
            columns.append(series_column.label("s"))
            keys.append(series_column)
        period_tree = self.period_tree(self.period.start, self.period.end) if self.period else None
        select = self.base(period_tree).with_only_columns(*columns, self.measure().label("m"))
        select = select.group_by(*keys).order_by(*keys)
        return select, lambda rows: self.chart_points(result, rows, group_info, series_info, period_tree)

    def chart_points(self, result: WidgetResult, rows, group_info, series_info, period_tree) -> None:
        """The chart's categories, series and points from its aggregate's rows (names read here: one query)."""
        widget = self.widget
        names = self.names([(group_info, {row[0] for row in rows})] if not widget.date_bucket else [],
                           series_info, {row[1] for row in rows} if series_info else set())
        if widget.date_bucket:
            labels = {row[0]: bucket_label(date.fromisoformat(row[0]), widget.date_bucket)
                      for row in rows if row[0] is not None}
            names[widget.group_by] = {key: (label, key) for key, label in labels.items()}
        result.categories = _ordered(names.get(widget.group_by, {}), {row[0] for row in rows}, group_info)
        if series_info is not None:
            result.series = _ordered(names.get(widget.series_by, {}), {row[1] for row in rows}, series_info)
        link = list_urls(self.section, _and(self.tree, period_tree))
        category_labels, series_labels = dict(result.categories), dict(result.series)
        for row in rows:
            key, series_key = row[0], (row[1] if series_info else None)
            conditions = [self.group_tree(widget.group_by, key)]
            if series_info is not None:
                conditions.append(self.group_tree(widget.series_by, series_key))
            result.points.append(Point(key, series_key, _number(row[-1], widget.measure),
                                       link(*conditions),
                                       category_labels.get(key, str(key)),
                                       series_labels.get(series_key, "") if series_info is not None else ""))

    def group_tree(self, path: str, key) -> dict:
        """The condition "the grouped field has this value" (a whole bucket for a date bucket)."""
        if key is None:
            return {"field": path, "op": "is_null"}
        if path == self.widget.group_by and self.widget.date_bucket:
            start = date.fromisoformat(key)
            return range_tree(path, start, bucket_end(start, self.widget.date_bucket))
        if isinstance(key, (datetime, date)):
            key = key.isoformat()
        return {"field": path, "op": "eq", "value": key}

    def names(self, groups, series_info, series_keys) -> dict:
        """``{path: {key: (label, order)}}`` for lookups (one UNION ALL query) and choices (no query)."""
        wanted = list(groups)
        if series_info is not None:
            wanted.append((series_info, series_keys))
        result: dict = {}
        parts = []
        for info, keys in wanted:
            keys = {k for k in keys if k is not None}
            if info.choices:
                result[info.path] = {k: (str(info.choices.get(k, k)), str(info.choices.get(k, k))) for k in keys}
            elif info.type == "boolean":
                result[info.path] = {k: (str(_l("Yes") if k else _l("No")), int(not k)) for k in keys}
            elif info.lookup and keys:
                parts.append(self.names_query(info, keys))
            else:
                result[info.path] = {k: (str(k), k) for k in keys}
        if parts:
            query = parts[0] if len(parts) == 1 else sa.union_all(*parts)
            for path, key, label, order in self.records.session.execute(query):
                result.setdefault(path, {})[key] = (label if label not in (None, "") else f"#{key}", order)
        return result

    def names_query(self, info: FieldInfo, keys) -> sa.Select:
        registry = self.records.state.sections
        target_section = registry.for_table(info.lookup)
        if target_section is not None:
            table = target_section.table
            title = table.c.get(target_section.title_field, table.c.id)
        else:  # users and other tables without a section: their name column
            table = self.section.table.metadata.tables[info.lookup]
            title = table.c.get("name", table.c.id)
        order = table.c.get("sequence")
        order = sa.cast(order, sa.Integer) if order is not None else sa.literal_column("0", sa.Integer)
        return sa.select(sa.literal_column(f"'{info.path}'", sa.String).label("path"), table.c.id,
                         sa.cast(title, sa.String).label("label"), order.label("o")).where(table.c.id.in_(keys))

    def listing(self, result: WidgetResult):
        # Records, not numbers: read through the session (display names may need the objects), in finish.
        return None, lambda rows: self.rows(result)

    def rows(self, result: WidgetResult) -> None:
        period_tree = self.period_tree(self.period.start, self.period.end) if self.period else None
        model = self.section.model
        select = self.base(period_tree).order_by(model.id.desc()).limit(max(1, min(self.widget.limit or 10, 100)))
        records = self.records.session.scalars(select).all()
        result.rows = [(self.section.display_name(r), f"/{self.section.name}/{r.id}") for r in records]
        result.link = list_url(self.section, _and(self.tree, period_tree))


def _ordered(names: dict, keys: set, info: FieldInfo) -> list:
    """``[(key, label)]`` sorted by the lookup's sequence (stages), else by label; the empty value last."""
    present = [k for k in keys if k is not None]
    ordered = sorted(present, key=lambda k: (_sortable(names.get(k, (str(k), k))[1]), names.get(k, (str(k),))[0]))
    result = [(k, names.get(k, (str(k),))[0]) for k in ordered]
    if None in keys:
        result.append((None, str(NONE_LABEL)))
    return result


def _sortable(value):
    return (0, value, "") if isinstance(value, (int, float, Decimal)) else (1, 0, str(value))


def _number(value, measure: str):
    if value is None:
        return 0 if measure != "avg" else None
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal) and measure == "avg":
        value = value.quantize(Decimal("0.01"))
    return value


@dataclass
class Pending:
    """A widget whose aggregate is built but not run: run ``statement`` anywhere, then :func:`finish` with its rows."""

    result: WidgetResult
    #: The aggregate (rights, filter, period and grouping applied), or None when there is nothing to run.
    statement: Any = None
    done: Callable[[Any], None] | None = None


def _misconfigured(exc: ValidationError):
    messages = "; ".join(f"{k}: {', '.join(map(str, v))}" if k else ", ".join(map(str, v))
                         for k, v in exc.errors.items())
    return _l("This widget is misconfigured: %(error)s", error=messages)


def prepare(records, widget: DashboardWidget, period: Period | None, today: date | None = None) -> Pending:
    """``widget``'s aggregate statement as ``records.user`` may see it, built but not run.

    Building may read (rights), running is left to the caller: the dashboard
    page runs several widgets' statements side by side on other connections.
    A widget that cannot be computed comes back finished, with ``error`` set.
    """
    today = today or datetime.now(timezone.utc).date()
    result = WidgetResult(widget)
    try:
        computer = _Widget(records, widget, period, today)
    except (FlowcaseError, ValueError) as exc:
        result.error = _l("This widget is misconfigured: %(error)s", error=str(exc))
        return Pending(result)
    result.section = computer.section
    if not records.can(computer.section, "read"):
        result.error = _l("You may not see %(section)s", section=computer.section.title_plural)
        return Pending(result)
    try:
        statement, done = getattr(computer, {"chart": "chart", "list": "listing"}.get(widget.kind, "number"))(result)
    except ValidationError as exc:
        result.error = _misconfigured(exc)
        return Pending(result)
    return Pending(result, statement, done)


def finish(pending: Pending, rows) -> WidgetResult:
    """The widget's result from the rows of ``pending.statement`` (plain tuples or rows; None if no statement)."""
    if pending.done is not None:
        try:
            pending.done(rows)
        except ValidationError as exc:
            pending.result.error = _misconfigured(exc)
    return pending.result


def compute(records, widget: DashboardWidget, period: Period | None, today: date | None = None) -> WidgetResult:
    """The numbers of ``widget`` as ``records.user`` may see them, over ``period`` when the widget has a period field.

    A misconfigured widget (unknown section or field, a bad filter) or a section
    the viewer may not read gives a result with ``error`` set, never an exception.
    """
    pending = prepare(records, widget, period, today)
    rows = records.session.execute(pending.statement).all() if pending.statement is not None else None
    return finish(pending, rows)
