"""The ``global_search`` bench scenario: ``/search?q=`` for a word of an account's name, beside bare queries.

The floor asks each section the search covers the same question with bare
SQLAlchemy Core (no rights, no section machinery): the prefix range on each
indexed search column, then an ``ILIKE '%word%'`` over the newest
:data:`~core.ui.search.SCAN_LIMIT` rows, ``LIMIT`` 6; and renders the rows as a
plain table.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from core.extensions import db
from core.request_session import read_connection


def _word(name: str) -> str:
    """The longest word of a name (the distinctive part of "ООО «Вектор»" or "Acme Logistics GmbH")."""
    words = re.findall(r"\w{3,}", name or "")
    return max(words, key=len) if words else (name or "a")[:4]


def search_scenario(ctx, scenario_class, table, floor_table):
    """``/search?q=<word>`` as the bench user; the floor runs one bare ILIKE per searched section."""
    from core.ui.search import PER_SECTION, prefix_clause, indexed_columns, newest, search_paths, searchable_sections

    name, title = "global_search", "Global search by a name fragment"
    account = table("crm_account")
    if account is None or "account" not in ctx.state.sections or not ctx.has_route("/search"):
        return scenario_class(name, title, unavailable="needs the crm add-on and the global search")
    middle = db.session.scalar(sa.select(sa.func.max(account.c.id))) or 1
    account_name = db.session.scalar(
        sa.select(account.c.name).where(account.c.id <= middle // 2 + 1).order_by(account.c.id.desc()).limit(1))
    word = _word(account_name)
    url = f"/search?q={word}"
    records = ctx.state.records(ctx.user)
    targets = []
    for section in searchable_sections(records):
        paths = [p for p in search_paths(records, section) if p in section.table.c]
        if paths:
            targets.append((section, [section.table.c[p] for p in paths], indexed_columns(section, paths)))

    def rows():
        found = []
        with read_connection(db.engine) as conn:
            for section, columns, indexed in targets:
                tbl, hits = section.table, []
                for column in indexed:
                    hits += conn.execute(sa.select(tbl.c.id, column).where(prefix_clause(column, word))
                                         .order_by(column, tbl.c.id).limit(PER_SECTION + 1)).all()
                if len(hits) <= PER_SECTION:
                    hits += conn.execute(
                        sa.select(tbl.c.id, columns[0]).where(sa.or_(*(c.ilike(f"%{word}%") for c in columns)),
                                                              newest(section))
                        .order_by(tbl.c.id.desc()).limit(PER_SECTION + 1 - len(hits))).all()
                found += hits
        return found

    def floor():
        return floor_table.render(rows=rows())

    return scenario_class(name, title, run=lambda: ctx.get(url), floor=floor,
                          extra={"url": url, "sections": len(targets)})
