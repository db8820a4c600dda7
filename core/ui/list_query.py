"""Turning a list page's query string into a rights-limited, filtered, sorted, paged SELECT.

``?q=`` searches ``section.search_fields``; ``?filter=`` takes a filter tree as
JSON; ``?f.<field>=value`` adds simple equality conditions (repeat the key for
"any of"); ``?named=<name>`` applies one of the section's named filters
(repeat for several, all must hold); ``?group=<id>`` keeps the records of a record
group (:mod:`core.groups`); ``?sort=field`` or ``-field`` orders by a real column with ``id`` as
the tiebreaker; ``?page=`` pages by :data:`PAGE_SIZE`. Everything ends in the
one filter language (:mod:`core.filters`), so the list filters like every
other door.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import iter_multi_items

from core.errors import ValidationError
from core.filters import compile_filter, filterable_fields, parse_filter
from core.records import Records
from core.sections import Section

PAGE_SIZE = 50
#: Counting stops here: an exact COUNT over millions of rows is a full scan per page view.
COUNT_CAP = 10_000
_SEARCH_TYPES = ("string", "text")


@dataclass
class ListArgs:
    """What a list page was asked for, parsed from the query string."""

    q: str = ""
    tree: Any = None
    filter_text: str = ""
    simple: dict[str, list[str]] = field(default_factory=dict)
    #: Names of the section's named filters asked for (``?named=``).
    named: list[str] = field(default_factory=list)
    #: The record group asked for (``?group=<id>``), or None.
    group: int | None = None
    sort: str = ""
    page: int = 1

    def query_args(self, **changes) -> dict:
        """The query-string arguments that reproduce this request, with ``changes`` applied."""
        args = {"q": self.q or None, "filter": self.filter_text or None, "sort": self.sort or None, "page": None,
                "named": list(self.named) or None, "group": self.group}
        for path, values in self.simple.items():
            args[f"f.{path}"] = values
        args.update(changes)
        return {k: v for k, v in args.items() if v not in (None, "", [])}

    def href(self, base: str, **changes) -> str:
        """``base`` (the list's URL) with :meth:`query_args` as its query string.

        What ``url_for(<list endpoint>, **query_args(...))`` gives, without routing each link of
        the page again (sort headers, pages, quick filters): the same encoding werkzeug uses.
        """
        items = [(k, v) for k, v in iter_multi_items(self.query_args(**changes)) if v is not None]
        return f"{base}?{urlencode(items, safe=_QUERY_SAFE)}" if items else base


#: Characters werkzeug leaves unquoted in a built URL's query string (url.spec.whatwg.org percent-encoded bytes).
_QUERY_SAFE = "!$'()*,/:;?@"


def parse_args(args) -> ListArgs:
    """Read a list request from ``request.args``; a bad filter JSON is a :class:`ValidationError`."""
    result = ListArgs(q=(args.get("q") or "").strip(), filter_text=(args.get("filter") or "").strip(),
                      sort=(args.get("sort") or "").strip())
    result.tree = parse_filter(result.filter_text)
    result.named = [v.strip() for v in args.getlist("named") if v.strip()]
    group = (args.get("group") or "").strip()
    if group:
        if not group.isdigit():
            raise ValidationError({"group": [_l("a group is named by its id (a number)")]})
        result.group = int(group)
    for key in args:
        if key.startswith("f.") and len(key) > 2:
            values = [v for v in args.getlist(key) if v.strip()]
            if values:
                result.simple[key[2:]] = values
    try:
        result.page = max(1, min(int(args.get("page", 1)), 1_000_000))
    except ValueError:
        result.page = 1
    return result


def args_from_query(query: str) -> ListArgs:
    """:func:`parse_args` of a list's query string as a form carries it (``q=acme&sort=name``)."""
    from urllib.parse import parse_qsl

    from werkzeug.datastructures import MultiDict

    return parse_args(MultiDict(parse_qsl((query or "").lstrip("?"), keep_blank_values=False)))


def condition_tree(section: Section, list_args: ListArgs, hidden=frozenset()) -> dict:
    """The list request as one filter tree: search, simple params and the JSON filter, ANDed.

    :param hidden: field paths hidden from the user (column rights): never searched.
    """
    parts = []
    if list_args.q:
        fields = {path: info for path, info in filterable_fields(section).items() if path not in hidden}
        paths = [p for p in (section.search_fields or [section.title_field]) if _searchable(section, fields, p)]
        terms = [{"field": path, "op": "icontains", "value": list_args.q} for path in paths]
        if list_args.q.isdigit():
            terms.append({"field": "id", "op": "eq", "value": int(list_args.q)})
        parts.append({"any": terms})
    for path, values in list_args.simple.items():
        if len(values) == 1:
            parts.append({"field": path, "op": "eq", "value": values[0]})
        else:
            parts.append({"field": path, "op": "in", "value": values})
    parts.extend({"named": name} for name in list_args.named)
    if list_args.group is not None:
        parts.append({"group": list_args.group})
    if list_args.tree not in (None, {}):
        parts.append(list_args.tree)
    return {"all": parts}


def _searchable(section, fields, path) -> bool:
    info = fields.get(path)
    # Paths through a lookup (account_id.name) are searchable too; the compiler checks them.
    return (info is not None and info.type in _SEARCH_TYPES) or (info is None and "." in path)


def filtered_select(records: Records, section: Section, list_args: ListArgs) -> sa.Select:
    """``records.select(section)`` narrowed by the request (no order, no paging)."""
    hidden = records.field_access(section).hidden
    if list_args.sort.lstrip("-") in hidden:
        raise ValidationError({"sort": [_l("cannot sort by “%(field)s”", field=list_args.sort.lstrip("-"))]})
    clause = compile_filter(section, condition_tree(section, list_args, hidden), records.user, records=records)
    return records.select(section).where(clause)


def sortable_columns(section: Section) -> dict[str, sa.Column]:
    """Columns a list may sort on: the model's own real columns (JSON ones excluded)."""
    return {c.key: c for c in section.table.columns if not isinstance(c.type, sa.JSON)}


def order_by(section: Section, sort: str) -> list:
    """ORDER BY for ``sort`` (``name`` or ``-name``), with ``id`` as the tiebreaker; newest first by default."""
    columns = sortable_columns(section)
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    id_column = section.table.c.id
    if not sort:
        return [id_column.desc()]
    if key not in columns:
        raise ValidationError({"sort": [_l("cannot sort by “%(field)s”", field=key)]})
    column = columns[key]
    if key == "id":
        return [column.desc() if descending else column.asc()]
    # nulls last in both directions so empty values never bury the data on page 1.
    primary = column.desc().nulls_last() if descending else column.asc().nulls_last()
    return [primary, id_column.desc() if descending else id_column.asc()]


def capped_count(records: Records, section: Section, stmt: sa.Select, cap: int | None = None) -> tuple[int, bool]:
    """How many rows ``stmt`` finds, counting at most ``cap + 1`` (default :data:`COUNT_CAP`): ``(count, more_than_cap)``."""
    cap = COUNT_CAP if cap is None else cap
    limited = stmt.with_only_columns(section.table.c.id).order_by(None).limit(cap + 1).subquery()
    count = records.session.scalar(sa.select(sa.func.count()).select_from(limited)) or 0
    return min(count, cap), count > cap


def page_rows(records: Records, section: Section, stmt: sa.Select, list_args: ListArgs) -> list:
    """The records on the requested page."""
    query = stmt.order_by(*order_by(section, list_args.sort))
    query = query.limit(PAGE_SIZE).offset((list_args.page - 1) * PAGE_SIZE)
    return list(records.session.scalars(query))


def page_values(records: Records, section: Section, stmt: sa.Select, list_args: ListArgs, columns) -> list:
    """The requested page as light rows holding only what ``columns`` show (and ``id``), not whole records.

    Each row answers ``row.id`` and ``getattr(row, path)`` for the model's own columns (and
    ``row.custom`` when a custom field is shown) like a record does, at a fraction of the cost
    of building 50 ORM objects with every column.
    """
    return list(records.session.execute(page_query(section, stmt, list_args, columns)[0]))


def page_query(section: Section, stmt: sa.Select, list_args: ListArgs, columns) -> tuple[sa.Select, int]:
    """The light select of the requested page (see :func:`page_values`) and its OFFSET."""
    offset = (list_args.page - 1) * PAGE_SIZE
    query = light_select(stmt, section, columns).order_by(*order_by(section, list_args.sort))
    return query.limit(PAGE_SIZE).offset(offset), offset


def light_select(stmt: sa.Select, section: Section, columns) -> sa.Select:
    """``stmt`` (a rights-limited ``SELECT model``) selecting only ``id`` and what ``columns`` show.

    Its rows answer ``row.id``, ``getattr(row, path)`` for the model's own columns and
    ``row.custom`` (when a custom field is shown) like records do, without building ORM objects.
    """
    table = section.table
    return stmt.with_only_columns(*(table.c[key].label(key) for key in light_keys(section, columns)))


def light_keys(section: Section, columns) -> list[str]:
    """The table columns :func:`light_select` reads for ``columns``: ``id``, the own ones shown, ``custom`` if needed."""
    table = section.table
    keys = ["id"] + [info.path for info in columns
                     if not info.custom and info.extension is None and info.path in table.c and info.path != "id"]
    if any(info.custom for info in columns) and "custom" in table.c:
        keys.append("custom")
    return keys
