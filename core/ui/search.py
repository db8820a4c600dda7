"""The global search across sections: a few matches per section, the user's rights applied.

Each section is searched on its ``search_fields`` through ``records.select``
(the one compiled rights filter), so a record hidden from the user's list
never shows here. Fast on big tables without COUNT:

1. a *prefix* probe on the search fields that lead an index: ``col >= 'Acme'
   AND col < 'Acmf' AND col LIKE 'Acme%'`` for the text as typed and
   capitalised, which both SQLite and PostgreSQL answer with an index range
   scan whatever the column's collation;
2. only when the probe found fewer than :data:`PER_SECTION`, a *contains*
   search (ILIKE) over all search fields among the newest :data:`SCAN_LIMIT`
   records of the section: an ILIKE cannot use a b-tree index, and a rare word
   would otherwise read a million-row table to the end. The section's own list
   (the "more" link) searches all of it.

Every query asks for one row more than it shows, so the page knows whether
to offer "more" (the section's list with the same ``?q=``) without counting.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from core.filters import compile_filter, filterable_fields
from core.records import Records
from core.sections import Section

#: Matches shown per section; the section's list has the rest.
PER_SECTION = 5
#: Shorter texts are not searched: one letter matches half of every table.
MIN_LENGTH = 2
#: Newest records per section the contains search reads; older ones are found by prefix or on the list.
SCAN_LIMIT = 10_000
#: Areas whose sections are configuration, not business records.
SKIPPED_AREAS = frozenset({"settings"})
_TEXT_TYPES = ("string", "text")


@dataclass
class SectionHits:
    """What one section found: up to :data:`PER_SECTION` records and whether there are more."""

    section: Section
    records: list = field(default_factory=list)
    more: bool = False


def searchable_sections(records: Records) -> list[Section]:
    """Working sections with search fields the user may read, by title."""
    found = []
    for section in records.state.sections.all():
        if section.is_lookup or section.area in SKIPPED_AREAS or not section.search_fields:
            continue
        if not records.can(section, "read"):
            continue
        found.append(section)
    return sorted(found, key=lambda s: str(s.title_plural))


def search_paths(records: Records, section: Section) -> list[str]:
    """The section's text search fields the user may see (column rights hide the others)."""
    fields = filterable_fields(section)
    hidden = records.field_access(section).hidden
    return [p for p in section.search_fields if p in fields and fields[p].type in _TEXT_TYPES and p not in hidden]


def indexed_columns(section: Section, paths: list[str]) -> list[sa.Column]:
    """Own columns among ``paths`` that lead an index (so a prefix range is an index scan)."""
    leading = {index.columns[0].key for index in section.table.indexes if len(index.columns)}
    leading |= {c.key for c in section.table.columns if c.index or c.unique}
    return [section.table.c[p] for p in paths if p in section.table.c and p in leading]


def prefix_clause(column: sa.Column, text: str):
    """``column`` starts with ``text`` as typed or capitalised, as an index range plus an exact LIKE."""
    variants = {text, text[:1].upper() + text[1:]}
    parts = []
    for variant in sorted(variants):
        like = column.startswith(variant, autoescape=True)
        if ord(variant[-1]) >= 0x10FFFF:  # no next character to end the range: the LIKE alone
            parts.append(like)
            continue
        upper = variant[:-1] + chr(ord(variant[-1]) + 1)
        parts.append(sa.and_(column >= variant, column < upper, like))
    return sa.or_(*parts)


def newest(section: Section, limit: int | None = None):
    """The newest ``limit`` (:data:`SCAN_LIMIT`) records: ids above the one just past them, found on the primary key."""
    id_column = section.table.c.id
    limit = SCAN_LIMIT if limit is None else limit
    threshold = sa.select(id_column).order_by(id_column.desc()).offset(limit).limit(1).scalar_subquery()
    return id_column > sa.func.coalesce(threshold, 0)


def search_section(records: Records, section: Section, text: str, limit: int = PER_SECTION) -> SectionHits:
    """Up to ``limit`` readable records of ``section`` matching ``text``, prefix matches first."""
    hits = SectionHits(section)
    paths = search_paths(records, section)
    if not paths and not text.isdigit():
        return hits
    base = records.select(section)
    seen: dict[int, object] = {}
    for column in indexed_columns(section, paths):
        query = base.where(prefix_clause(column, text)).order_by(column, section.table.c.id).limit(limit + 1)
        for record in records.session.scalars(query):
            seen.setdefault(record.id, record)
        if len(seen) > limit:
            break
    if len(seen) <= limit:
        terms = [{"field": p, "op": "icontains", "value": text} for p in paths]
        if text.isdigit():
            terms.append({"field": "id", "op": "eq", "value": int(text)})
        clause = compile_filter(section, {"any": terms}, records.user, records=records)
        query = base.where(clause, newest(section))
        if seen:
            query = query.where(section.table.c.id.not_in(list(seen)))
        query = query.order_by(section.table.c.id.desc()).limit(limit + 1 - len(seen))
        for record in records.session.scalars(query):
            seen.setdefault(record.id, record)
    found = list(seen.values())
    hits.records, hits.more = found[:limit], len(found) > limit
    return hits


def global_search(records: Records, text: str, limit: int = PER_SECTION) -> list[SectionHits]:
    """The sections that found something for ``text``, each with its first ``limit`` matches."""
    text = (text or "").strip()
    if len(text) < MIN_LENGTH and not text.isdigit():
        return []
    results = []
    for section in searchable_sections(records):
        hits = search_section(records, section, text, limit)
        if hits.records:
            results.append(hits)
    return results
