"""Checks on a widget before it is saved, on every door (admin, data files, API): a readable error, not a broken page."""
from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l

from core.errors import ValidationError
from core.filters import compile_filter, filterable_fields

_NUMERIC = ("integer", "decimal")
_DATES = ("date", "datetime")


def widget_errors(sections, widget) -> dict:
    """``{field: [message]}`` of what is wrong with ``widget`` (empty when it can be computed)."""
    errors: dict[str, list] = {}

    def add(path, message):
        errors.setdefault(path, []).append(message)

    if widget.section not in sections:
        add("section", _l("No section is named “%(name)s”", name=widget.section))
        return errors
    section = sections.get(widget.section)
    fields = filterable_fields(section)

    def column_field(path, attribute, types=None):
        info = fields.get(path)
        if info is None or info.column is None or info.extension is not None or info.custom:
            add(attribute, _l("“%(field)s” is not a field of %(section)s", field=path, section=section.title))
        elif types and info.type not in types:
            add(attribute, _l("“%(field)s” has the wrong type for this", field=path))
        return info

    if widget.filter:
        try:
            compile_filter(section, json.loads(widget.filter), None)
        except ValueError as exc:
            add("filter", _l("The filter is not valid JSON: %(error)s", error=str(exc)))
        except ValidationError as exc:
            for path, messages in exc.errors.items():
                for message in messages:
                    add("filter", f"{path}: {message}" if path else message)
    if widget.measure in ("sum", "avg"):
        if not widget.measure_field:
            add("measure_field", _l("A sum or an average needs a numeric field"))
        else:
            column_field(widget.measure_field, "measure_field", _NUMERIC)
    if widget.kind == "chart":
        if not widget.group_by:
            add("group_by", _l("A chart needs a field to group by"))
        else:
            column_field(widget.group_by, "group_by", _DATES if widget.date_bucket else None)
        if widget.series_by:
            column_field(widget.series_by, "series_by")
    if widget.period_field:
        column_field(widget.period_field, "period_field", _DATES)
    return errors
