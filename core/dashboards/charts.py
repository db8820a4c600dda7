"""Server-rendered SVG charts (pygal): no JavaScript, printable, each bar or slice a link to its list.

pygal puts a value's ``xlink`` around its bar or slice as an SVG ``<a>``; the
default tooltip script (loaded from a CDN) is turned off because deployments
are often offline and the chart must work without JavaScript.
"""
from __future__ import annotations

import re

import pygal
from markupsafe import Markup
from pygal.state import State
from pygal.style import DefaultStyle

from core.dashboards.compute import WidgetResult

# pygal still embeds its configuration for the tooltip script; with no script it is dead weight.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
#: Where a chart keeps its own attributes while it draws with the state's.
_OWN = "_flowcase_own_attributes"


class _SharedState:
    """pygal's charts with the drawing state as their own attributes: the same values, read natively.

    While drawing, pygal keeps a ``State`` (config, then the chart's values,
    then the render's) whose values win over the chart's, and routes every
    attribute read through a Python ``__getattribute__`` that looks there
    first; every write goes to the state. A 204-owner stacked bar reads
    attributes ~100,000 times, so that lookup was about a third of its time.
    Here the chart takes the state's dict as its own while drawing (reads and
    writes meet the same values as pygal's rule gives them) and gets its own
    back when pygal tears the state down.
    """

    __getattribute__ = object.__getattribute__

    def __setattr__(self, name, value):
        if name == "state" and isinstance(value, State):
            values = value.__dict__
            values["state"], values[_OWN] = value, object.__getattribute__(self, "__dict__")
            object.__setattr__(self, "__dict__", values)
            return
        super().__setattr__(name, value)

    def teardown(self):
        own = object.__getattribute__(self, "__dict__").get(_OWN)
        if own is None:
            return super().teardown()
        object.__setattr__(self, "__dict__", own)
        own["state"] = None


def _shared(chart_class):
    # The class name is kept: pygal writes it into the SVG's CSS classes.
    return type(chart_class.__name__, (_SharedState, chart_class), {"__module__": __name__})


_CHARTS = {name: _shared(cls) for name, cls in
           {"bar": pygal.Bar, "line": pygal.Line, "pie": pygal.Pie, "funnel": pygal.Funnel}.items()}
_STACKED_BAR = _shared(pygal.StackedBar)


def _value(point, value_formatter):
    if point is None:
        return None
    number = float(point.value) if point.value is not None else None
    return {"value": number, "xlink": {"href": point.link, "target": "_top"},
            "label": value_formatter(point.value)}


def render_chart(result: WidgetResult, value_formatter=str, chart_type: str | None = None,
                 title: str | None = None) -> Markup:
    """The widget's chart as inline SVG markup.

    ``chart_type`` and ``title`` default to the widget's; a caller drawing in
    another thread passes them, so the drawing touches no ORM object.
    """
    widget = result.widget
    chart_type = chart_type or widget.chart_type or "bar"
    title = title if title is not None else str(widget.title)
    many_series = bool(result.series)
    if chart_type == "bar" and many_series:
        chart_class = _STACKED_BAR
    else:
        chart_class = _CHARTS.get(chart_type, _CHARTS["bar"])
    config = dict(js=[], disable_xml_declaration=True, show_legend=many_series or chart_type in ("pie", "funnel"),
                  style=DefaultStyle, height=320, width=640, explicit_size=False, print_values=False,
                  x_label_rotation=30 if len(result.categories) > 6 else 0, truncate_legend=30,
                  legend_at_bottom=True, no_data_text="—")
    chart = chart_class(**config)
    points = result.point_index()
    if chart_type in ("pie", "funnel") and not many_series:
        # One slice (series) per category.
        for key, label in result.categories:
            chart.add(label, [_value(points.get((key, None)), value_formatter)])
    else:
        chart.x_labels = [label for _, label in result.categories]
        for series_key, series_label in (result.series or [(None, title)]):
            chart.add(series_label, [_value(points.get((key, series_key)), value_formatter)
                                     for key, _ in result.categories])
    return Markup(_SCRIPT.sub("", chart.render(is_unicode=True)))
