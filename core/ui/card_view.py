"""The card of one record (``/<section>/<id>``): field tabs, stage, detail grids, change history."""
from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context, request, url_for
from flask_login import login_required
from markupsafe import Markup, escape

from core.models import ChangeLog, User
from core.records import Records
from core.sections import Section
from core.state import get_state
from core.ui.common import bp, current_records, render_section, section_or_404
from core.ui.display import card_url_prefix, format_value, grid_rows, grid_values, lookup_link, lookup_names_of
from core.ui.layout import card_tabs, layout_fields, without_fields
from core.ui.labels import Labels
from core.ui.detail_query import detail_rows
from core.ui.grid_view import detail_columns

#: Rows a detail grid shows on the card; the rest is one click away in the child's list.
DETAIL_LIMIT = 20
#: Changes the history tab shows, newest first.
HISTORY_LIMIT = 200


@bp.route("/<section_name>/<int:record_id>")
@login_required
def card(section_name: str, record_id: int):
    """One record as its section lays it out; hidden or missing records are a 404 (RecordNotFound)."""
    section = section_or_404(section_name)
    records = current_records()
    loaded = _preload(records, section, record_id)  # held: the session only keeps weak references
    record = records.get(section, record_id)
    extension_rows = None
    if loaded is not None and loaded[0] is record:
        extension_rows = {extension.model: row for extension, row in zip(section.extensions, loaded[1:])}
    values = records.read(section, record, extension_rows)
    del loaded
    labels = Labels()
    tabs = without_fields(card_tabs(section), records.field_access(section).hidden)
    for tab in tabs:  # built for this request: their titles become text once, not at every print
        tab["title"] = labels(tab["title"])
        for group in tab["groups"]:
            group["title"] = labels(group["title"])
    fields = layout_fields(tabs)
    stage_info = section.field(section.stage_field) if section.stage_field else None
    details = _details(records, record, labels)
    # One name query per target table for the card and all its grids (each grid shows owners, say).
    own_fields = fields + ([stage_info] if stage_info else [])
    names = lookup_names_of(records, [(own_fields, [values])] + [(d["columns"], d["values"]) for d in details])
    cells = {}
    for info in fields:
        target = lookup_link(info, values.get(info.path))
        text = format_value(info, values.get(info.path), names, labels)
        link = f"{card_url_prefix(target[0])}{target[1]}" if target else None
        # ``html`` ready to print (the text, linked when a lookup): no macro call per field.
        html = Markup(f'<a href="{escape(link)}">{escape(text)}</a>') if link else escape(text)
        cells[info.path] = {"text": text, "link": link, "html": html, "label": labels(info.label)}
    stage = format_value(stage_info, values.get(stage_info.path), names, labels) if stage_info else None
    for detail in details:
        detail["rows"] = grid_rows(records, detail["section"], detail["columns"], detail["found"],
                                   values=detail.pop("values"), names=names, labels=labels)
    return render_section(
        "card", section, record=record, values=values, tabs=tabs, cells=cells, stage=stage,
        title=section.display_name(record), details=details, section_title=labels(section.title),
        section_title_plural=labels(section.title_plural),
        history=_history(records, section, record, labels), can_update=records.can(section, "update", record),
        can_delete=records.can(section, "delete", record),
    )


def _preload(records: Records, section: Section, record_id: int):
    """The record and its extension rows (None where it has none) in one statement, when the viewer's rights add no condition.

    ``records.get`` then finds the record in the session (no statement) and still decides whether the
    user may read it; ``records.read`` takes the extension rows (it read each with a statement of its
    own). With a rights condition the card reads as before. The caller keeps the row until it has read
    the record: the session only holds weak references.
    """
    if not section.extensions or records.filters(section, "read"):
        return None
    from core.ui.statements import shared_statement

    def build():
        model = section.model
        query = sa.select(model, *(extension.model for extension in section.extensions))
        for extension in section.extensions:
            query = query.outerjoin(extension.model, extension.model.id == model.id)
        return query.where(model.id == sa.bindparam("fc_record_id"))

    query = shared_statement(records, [section], ("card preload",), build)
    return records.session.execute(query, {"fc_record_id": record_id}).first()


def _details(records: Records, record, labels: Labels) -> list[dict]:
    """Grids of child records (``section.details``), each read through the child's rights-limited select.

    Each grid comes with its rows' raw ``values`` and ``found`` light rows (only the columns the grid
    shows, not whole records; every grid in one statement: :func:`core.ui.detail_query.detail_rows`); the caller looks up
    the names of every grid at once and turns them into ``rows`` (:func:`grid_rows`).
    """
    sections = get_state().sections
    parent = sections.for_model(type(record))
    shown = [(detail, sections.get(detail["section"])) for detail in parent.details
             if detail["section"] in sections]  # a child whose add-on is not installed here has no grid
    shapes = [(child, detail["field"], detail_columns(records, child, detail["field"])) for detail, child in shown]
    # Every grid's rows in one statement (a UNION ALL of the grids' rights-limited reads).
    every_found = detail_rows(records, record.id, shapes, DETAIL_LIMIT + 1)
    grids = []
    for (detail, child), (_child, fk, columns), found in zip(shown, shapes, every_found):
        grids.append({
            "section": child,
            # ``labels`` before ``or``: a lazy title's truth would translate it once more.
            "title": labels(detail.get("title")) or labels(child.title_plural),
            "headers": [labels(info.label) for info in columns],
            "columns": columns,
            "found": found[:DETAIL_LIMIT],
            "values": grid_values(records, child, columns, found[:DETAIL_LIMIT]),
            "more": len(found) > DETAIL_LIMIT,
            "list_url": url_for("sections.list_view", section_name=child.name, **{f"f.{fk}": record.id}),
            "new_url": url_for("sections.new", section_name=child.name, **{fk: record.id}),
            "fk": fk,
            # Section-wide rights: a row the user may not change answers its Edit with the reason (no query per row).
            "can_update": records.can(child, "update"),
            "can_create": records.can(child, "create"),
            "row_new_url": url_for("sections.detail_row_new", section_name=child.name, fk=fk, parent=record.id),
        })
    return grids


#: The change log of one record (section and id parameters) with its authors, as plain rows: built once.
_HISTORY_QUERY = (
    sa.select(ChangeLog.at, ChangeLog.operation, ChangeLog.field, ChangeLog.old_value, ChangeLog.new_value,
              User.name.label("user_name"), User.login.label("user_login"))
    .outerjoin(User, User.id == ChangeLog.user_id)
    .where(ChangeLog.section == sa.bindparam("fc_section"), ChangeLog.record_id == sa.bindparam("fc_record_id"))
    .order_by(ChangeLog.id.desc())
    .limit(HISTORY_LIMIT)
)


def _history(records: Records, section: Section, record, labels: Labels | None = None) -> list[dict]:
    """The record's change log, newest first, with who made each change (one query)."""
    from core.ui.statements import plain_rows

    rows, raw = [], []
    fields = {info.path: info for info in section.fields()}  # one pass over the fields, not one per change
    for entry in plain_rows(records, _HISTORY_QUERY, {"fc_section": section.name, "fc_record_id": record.id}):
        name, login = entry.user_name, entry.user_login
        raw.append((entry.field, entry.operation, entry.old_value))
        info = fields.get(entry.field) if entry.field else None
        rows.append({
            "at": entry.at,
            "user": name or login or "",
            "operation": entry.operation,
            "field": (labels or str)(info.label) if info is not None else (entry.field or ""),
            "old": _short(entry.old_value),
            "new": _short(entry.new_value),
        })
    if has_request_context():
        request.environ[_LOG_KEY] = (section.name, record.id, raw, len(raw) < HISTORY_LIMIT)
    return rows


_LOG_KEY = "flowcase.card_change_log"


def latest_change(section_name: str, record_id, field: str, operation: str = "update"):
    """``(True, old value)`` of the newest ``operation`` of ``field`` in the change log the card being
    rendered has already read, ``(True, None)`` when that log is whole and has none; ``(False, None)``
    when this request read no such log (or only its newest part and the change is not in it).

    Card slots ask this instead of querying the change log again.
    """
    seen = request.environ.get(_LOG_KEY) if has_request_context() else None
    if seen is None or seen[0] != section_name or seen[1] != record_id:
        return False, None
    for entry_field, entry_operation, old_value in seen[2]:
        if entry_field == field and entry_operation == operation:
            return True, old_value
    return (True, None) if seen[3] else (False, None)


def _short(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        value = ", ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, "", {}))
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."
