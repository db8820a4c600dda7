"""Showing values: lookup display names fetched in batches, extension values per page, formatting.

Pages never load a related record per row: they collect the ids a page shows
and ask once per target table (:func:`lookup_names`), and once per extension
table (:func:`extension_values`), so the number of statements does not grow
with the number of rows.
"""
from __future__ import annotations

import enum
import weakref
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable

import sqlalchemy as sa
from flask import has_request_context, request, url_for
from markupsafe import Markup, escape
from flask_babel import gettext as _

from core import custom_fields
from core.records import Records
from core.sections import FieldInfo, Section
from core.state import get_state
from core.ui.formats import date_text, date_texts, datetime_text, decimal_text

#: Columns tried, in order, as the display name of a lookup target that is not a section (users).
_NAME_COLUMNS = ("name", "title", "login", "code")


def lookup_target(info: FieldInfo) -> tuple[sa.Table, Section | None]:
    """The table a lookup field points to, and its section when there is one."""
    if info.custom:  # a custom lookup names its target section instead of a foreign key
        section = get_state().sections.get(info.target_section)
        return section.table, section
    sections = get_state().sections
    known = _TARGETS.get(sections)
    if known is None:
        known = _TARGETS[sections] = {}
    column = info.column
    hit = known.get(id(column))
    if hit is None or hit[0] is not column:
        # Every cell of a lookup column asks; the answer only changes with the app's sections.
        table = next(iter(column.foreign_keys)).column.table
        hit = known[id(column)] = (column, table, sections.for_table(table.name))
    return hit[1], hit[2]


#: Per section registry (one per app): ``{id(column): (column, target table, target section)}``.
_TARGETS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _name_column(table: sa.Table, section: Section | None):
    """The column that names a lookup target's rows (its section's title field), or None."""
    if section is not None:
        return section.table.c.get(section.title_field)
    return next((table.c[name] for name in _NAME_COLUMNS if name in table.c), None)


def _name_query(records: Records, table: sa.Table, section: Section | None):
    """``SELECT id, <display column>`` of a lookup target, rights-limited when it is a section."""
    column = _name_column(table, section)
    if column is None:
        return None
    if section is not None:
        return records.select(section).with_only_columns(section.table.c.id, column)
    return sa.select(table.c.id, column)


def lookup_names(records: Records, fields: Iterable[FieldInfo], rows: Iterable[dict]) -> dict[str, dict]:
    """Display names of every lookup value in ``rows``: ``{table name: {id: text}}``.

    One query per target table, whatever the number of rows. Records the user
    may not read are left out (pages show them as ``#id``).
    """
    return lookup_names_of(records, [(fields, rows)])


def lookup_names_of(records: Records, groups: Iterable[tuple[Iterable[FieldInfo], Iterable[dict]]]) -> dict[str, dict]:
    """:func:`lookup_names` of several ``(fields, rows)`` groups at once (a card and its detail grids).

    Grids whose lookups point to the same table (every grid's owner) share its one query.
    """
    from core.ui.statements import plain_rows

    wanted: dict[str, set] = defaultdict(set)
    targets: dict[str, tuple] = {}
    for fields, rows in groups:
        rows = list(rows)
        for info in fields:
            if info.type != "lookup" or (info.column is None and not info.custom):
                continue
            table, section = lookup_target(info)
            targets[table.name] = (table, section)
            wanted[table.name].update(row[info.path] for row in rows if row.get(info.path) is not None)
    names: dict[str, dict] = {}
    textual, other = [], []  # (table name, table, section, ids); text names are asked together in one UNION ALL
    for table_name, ids in wanted.items():
        names[table_name] = {}
        if not ids:
            continue
        table, section = targets[table_name]
        column = _name_column(table, section)
        if column is None:  # the title is a Python property: load the records themselves
            found = records.session.scalars(records.select(section).where(section.table.c.id.in_(ids)))
            names[table_name] = {r.id: section.display_name(r) for r in found}
            continue
        (textual if _is_text(column) else other).append((table_name, table, section, ids))
    for target in other:
        _add_names(names[target[0]], plain_rows(records, _names_statement(records, [target]), {"fc_ids0": list(target[3])}))
    if textual:
        # One round trip for every target table (types, accounts, users...) instead of one each.
        params = {f"fc_ids{index}": list(target[3]) for index, target in enumerate(textual)}
        rows = plain_rows(records, _names_statement(records, textual), params)
        if len(textual) == 1:
            _add_names(names[textual[0][0]], rows)
        else:
            by_index = defaultdict(list)
            for index, record_id, text in rows:
                by_index[index].append((record_id, text))
            for index, target in enumerate(textual):
                _add_names(names[target[0]], by_index[index])
    return names


def _names_statement(records: Records, targets: list[tuple]):
    """``SELECT id, name`` of each target's ids (parameters ``fc_ids0``, ``fc_ids1``...), several as one UNION ALL.

    Built once per process for a viewer whose rights do not limit the target sections
    (:func:`core.ui.statements.shared_statement`); the ids are expanding parameters.
    """
    from core.ui.statements import shared_statement

    def build():
        queries = []
        for index, (_name, table, section, _ids) in enumerate(targets):
            query = _name_query(records, table, section)
            queries.append(query.where(table.c.id.in_(sa.bindparam(f"fc_ids{index}", expanding=True))))
        if len(queries) == 1:
            return queries[0]
        tagged = [query.with_only_columns(sa.literal_column(str(index)).label("fc_target"), *query.selected_columns)
                  for index, query in enumerate(queries)]
        return sa.union_all(*tagged)

    sections = [target[2] for target in targets if target[2] is not None]
    return shared_statement(records, sections, ("names", tuple(target[0] for target in targets)), build)


def _is_text(column) -> bool:
    """A plain string column: several such name queries can share one UNION ALL and give the same texts."""
    return isinstance(column.type, sa.String) and not isinstance(column.type, sa.Enum)


def _add_names(target: dict, rows) -> None:
    for record_id, text in rows:
        target[record_id] = str(text) if text not in (None, "") else f"#{record_id}"


def lookup_options(records: Records, info: FieldInfo, limit: int) -> list[tuple[int, str]] | None:
    """Up to ``limit`` (id, name) choices for a lookup field, or None when the target has more."""
    from core.ui.statements import shared_rows

    table, section = lookup_target(info)
    if _name_column(table, section) is None:
        return None

    def build():
        query = _name_query(records, table, section)
        return query.order_by(query.selected_columns[1], table.c.id).limit(limit + 1)

    # Users (every list's bulk owner choices) are kept per process while the directory stands still.
    rows = shared_rows(records, [section] if section is not None else [], ("options", table.name, limit), build)
    if len(rows) > limit:
        return None
    return [(row[0], str(row[1]) if row[1] not in (None, "") else f"#{row[0]}") for row in rows]


def extension_values(records: Records, section: Section, ids: list, paths: Iterable[str]) -> dict[int, dict]:
    """Values of extension fields for the records ``ids``: ``{id: {path: value}}``, one query per extension."""
    by_extension = defaultdict(list)
    for path in paths:
        info = section.field(path)
        if info is not None and info.extension is not None:
            by_extension[info.extension].append(info)
    result: dict[int, dict] = defaultdict(dict)
    for extension, infos in by_extension.items():
        if not ids:
            break
        table = extension.model.__table__
        query = sa.select(table.c.id, *(table.c[i.name] for i in infos)).where(table.c.id.in_(ids))
        for row in records.session.execute(query):
            for info, value in zip(infos, row[1:]):
                result[row[0]][info.path] = value
    return result


def format_value(info: FieldInfo, value, names: dict[str, dict] | None = None, labels=None) -> str:
    """``value`` as text for a page, in the user's locale; lookups by their display name.

    :param labels: the page's :class:`core.ui.labels.Labels`, which translates a choice's label faster.
    """
    if value is None or value == "":
        return ""
    choices = getattr(info, "choices", None)
    if choices:
        key = value.value if isinstance(value, enum.Enum) else value
        if key in choices:
            return (labels or str)(choices[key])
    if info.type == "lookup" and (info.column is not None or info.custom):
        table, _section = lookup_target(info)
        return (names or {}).get(table.name, {}).get(value, f"#{value}")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return datetime_text(value, "short")
    if isinstance(value, date):
        return date_text(value, "medium")
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def lookup_link(info: FieldInfo, value) -> tuple[str, int] | None:
    """``(section name, id)`` a lookup value's text should link to, when its target is a section."""
    if info.type != "lookup" or value is None or (info.column is None and not info.custom):
        return None
    _table, section = lookup_target(info)
    return (section.name, value) if section is not None else None


class _Column:
    """What a grid needs to show one column, worked out once per page instead of once per cell."""

    __slots__ = ("info", "path", "link_prefix", "link_html", "memo", "names_of", "labels", "plain", "when", "tds")

    def __init__(self, info: FieldInfo, labels=None):
        self.info, self.path, self.memo, self.labels, self.tds = info, info.path, {}, labels, {}
        self.link_prefix = self.link_html = self.names_of = None
        # Text shown as it is stored (a name, a subject): escaped, no formatting nor memo per value.
        self.plain = info.type in ("string", "text") and not getattr(info, "choices", None) and not info.custom
        # Dates: the locale and zone looked up once per column, not once per value (format_value's texts).
        self.when = date_texts() if info.type in ("date", "datetime") and not getattr(info, "choices", None) else None
        if info.type == "lookup" and (info.column is not None or info.custom):
            table, target = lookup_target(info)
            if not getattr(info, "choices", None):
                self.names_of = table.name  # the cell's text is the target's name: no format_value per value
            if target is not None:
                self.link_prefix = card_url_prefix(target.name)
                self.link_html = escape(self.link_prefix)

    def cell(self, value, names: dict) -> tuple[str, Markup]:
        """The cell's text and HTML (escaped, a link for a lookup); the same value formats once per page."""
        if self.plain and value.__class__ is str:
            return value, escape(value)
        key = (value.__class__, value)
        try:
            return self.memo[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value (a JSON list): format it every time
            return self._render(value, names)
        result = self.memo[key] = self._render(value, names)
        return result

    def td(self, value, names: dict) -> str:
        """The cell as ``<td>html</td>`` (escaped HTML in a plain string); the same value once per page."""
        if self.plain and value.__class__ is str:
            return f"<td>{escape(value)}</td>"
        try:
            return self.tds[(value.__class__, value)]
        except KeyError:
            result = self.tds[(value.__class__, value)] = f"<td>{self.cell(value, names)[1]}</td>"
            return result
        except TypeError:
            return f"<td>{self.cell(value, names)[1]}</td>"

    def _render(self, value, names: dict) -> tuple[str, Markup]:
        if self.names_of is not None:
            text = "" if value is None or value == "" else names.get(self.names_of, {}).get(value, f"#{value}")
        elif self.when is not None and value.__class__ is datetime:
            text = self.when[1](value)
        elif self.when is not None and value.__class__ is date:
            text = self.when[0](value)
        else:
            text = format_value(self.info, value, names, self.labels)
        if self.link_prefix is not None and value is not None:
            # Plain string building: Markup's % escapes argument by argument and costs more than the query.
            target = value if value.__class__ is int else escape(value)
            return text, Markup(f'<a href="{self.link_html}{target}">{escape(text)}</a>')
        return text, escape(text)

    def link(self, value) -> str | None:
        """Where the cell links to (a lookup's card), or None."""
        return None if self.link_prefix is None or value is None else f"{self.link_prefix}{value}"


class _GridRow(dict):
    """A row of :func:`grid_rows`; its ``cells`` are worked out only when something asks for them.

    Pages print the row's ready ``html``; a theme's template that loops over ``row.cells`` (or code
    reading ``row["cells"]``) still gets them, built from the same values on first use.
    """

    __slots__ = ("_source",)

    def __missing__(self, key):
        if key != "cells":
            raise KeyError(key)
        values, plan, names = self._source
        cells = self["cells"] = [
            {"html": html, "text": text, "link": column.link(values[column.path]), "path": column.path}
            for column in plan for text, html in (column.cell(values[column.path], names),)]
        return cells

    def get(self, key, default=None):
        return self[key] if key == "cells" else super().get(key, default)

    def __contains__(self, key):
        return key == "cells" or super().__contains__(key)


def card_url_prefix(section_name: str) -> str:
    """The card URL of ``section_name`` up to the record id: one ``url_for`` per request, not one per row.

    ``f"{card_url_prefix('activity')}{record_id}"`` is ``url_for("sections.card", ...)`` of that record.
    """
    known = request.environ.setdefault("flowcase.card_prefixes", {}) if has_request_context() else {}
    prefix = known.get(section_name)
    if prefix is None:
        url = url_for("sections.card", section_name=section_name, record_id=_URL_PLACEHOLDER)
        prefix = known[section_name] = url[: url.rindex(str(_URL_PLACEHOLDER))]
    return prefix


#: An id no record has, built into a URL once and cut off to get the prefix every row's link shares.
_URL_PLACEHOLDER = 987654321


def grid_values(records, section: Section, columns, found) -> list[dict]:
    """The raw values of ``columns`` for each record of ``found``: ``[{"id", <path>: value}]``.

    Statements: one per extension shown, whatever the number of rows.
    """
    if found and isinstance(found[0], sa.Row) and all(not c.custom and c.extension is None for c in columns):
        # Light rows (list_query.light_select) already hold every shown column under its path.
        return [row._asdict() for row in found]
    ids = [record.id for record in found]
    ext = extension_values(records, section, ids, [c.path for c in columns if c.extension is not None])
    plain = [info.path for info in columns if not info.custom and info.extension is None]
    other = [info for info in columns if info.custom or info.extension is not None]
    values = []
    for record in found:
        row = {"id": record.id}
        for path in plain:
            row[path] = getattr(record, path)
        for info in other:
            row[info.path] = custom_fields.value_of(record, info) if info.custom else ext.get(record.id, {}).get(info.path)
        values.append(row)
    return values


def grid_rows(records, section: Section, columns, found, values: list[dict] | None = None,
              names: dict | None = None, labels=None) -> list[dict]:
    """Cells of each record for a grid: formatted values, lookups by name and link.

    Each row is ``{"id", "url", "first", "html", "cells": [{"html", "text", "link", "path"}]}``:
    a cell's ``html`` is escaped and linked, ready to print; ``first`` is the first cell as a
    link to the card; the row's ``html`` is all its ``<td>`` cells, so a grid template needs
    no loop, macro call nor ``url_for`` per cell.
    Statements: one per extension shown and one per lookup target table, whatever the number of rows;
    none when the caller passes ``values`` (:func:`grid_values`) and ``names`` (:func:`lookup_names_of`).
    ``cells`` are built when first asked for (pages print ``html``); ``labels``
    (:class:`core.ui.labels.Labels`) translates choice labels faster.
    """
    if values is None:
        values = grid_values(records, section, columns, found)
    if names is None:
        names = lookup_names(records, columns, values)
    plan = [_Column(info, labels) for info in columns]
    card_prefix = card_url_prefix(section.name)
    card_html = escape(card_prefix)
    head, rest = (plan[0], plan[1:]) if plan else (None, [])
    rows = []
    for row in values:
        record_id = row["id"]
        url = f"{card_prefix}{record_id}"
        first, html = "", Markup("")
        if head is not None:
            url_html = f"{card_html}{record_id}" if record_id.__class__ is int else escape(url)
            # The first cell opens the card (its own lookup link, if any, gives way to it).
            text = head.cell(row[head.path], names)[0]
            first = Markup(f'<a href="{url_html}">{escape(text or f"#{record_id}")}</a>')
            # The whole row's cells as one string: a template loop per cell costs more than the page's queries.
            tds = "".join([column.td(row[column.path], names) for column in rest])
            html = Markup(f"<td>{first}</td>{tds}")
        result = _GridRow(id=record_id, url=url, first=first, html=html)
        result._source = (row, plan, names)
        rows.append(result)
    return rows


def grid_body(rows: list[dict], checkboxes: bool = False, select_label: str = "") -> Markup:
    """The ``<tr>`` of every row of :func:`grid_rows`, with the bulk-selection checkbox when asked.

    A template global (``fc_grid_body``): a Jinja loop over 50 rows costs more than building the
    same text here, and the rows' cells are already escaped HTML.
    """
    label = escape(select_label)
    parts = []
    for row in rows:
        record_id = escape(row["id"])
        check = (f'<td class="fc-check"><input type="checkbox" class="form-check-input" name="ids" value="{record_id}"'
                 f' form="fc-bulk" aria-label="{label}"></td>') if checkboxes else ""
        parts.append(f'\n    <tr data-id="{record_id}">{check}\n{row["html"]}\n    </tr>')
    return Markup("".join(parts))


def detail_body(detail: dict, edit_label: str = "") -> Markup:
    """The ``<tr>`` of every row of a card's detail grid (``fc_detail_body``), each with its Edit button.

    One ``url_for`` per grid, not one per row: the edit URL is built for a placeholder id and the
    placeholder replaced by each row's id.
    """
    section, fk = detail["section"], detail["fk"]
    pattern = None
    if detail.get("can_update"):
        pattern = str(escape(url_for("sections.detail_row_edit", section_name=section.name,
                                     record_id=_URL_PLACEHOLDER, fk=fk)))
    label = escape(edit_label)
    parts = []
    for row in detail["rows"]:
        record_id = escape(row["id"])
        button = ""
        if pattern is not None:
            edit_url = pattern.replace(str(_URL_PLACEHOLDER), str(record_id), 1)
            button = f'<button type="button" class="btn btn-link btn-sm p-0" data-fc-row-edit="{edit_url}">{label}</button>'
        parts.append(f'\n    <tr data-id="{record_id}">\n{row["html"]}\n'
                     f'      <td class="text-end text-nowrap fc-row-actions">{button}</td>\n    </tr>')
    return Markup("".join(parts))
