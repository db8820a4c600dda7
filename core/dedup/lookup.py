"""Stored duplicate candidates of many new rows at once (an import's chunk), with a plan that stays indexed.

PostgreSQL turns ``key IN (1000 values)`` into a filter over every key of the
rule whenever its statistics say the table is small, which is exactly the case
right after a first bulk import (or with autovacuum off): each chunk then
compared every stored key with the whole list, and an import got slower the
more it had already written. Looking each key up through a lateral subquery
over ``unnest`` of one array parameter forces one index probe per key whatever
the statistics once the table is more than a few thousand keys, and is one
short statement text for the driver to parse.
SQLite's planner picks the index for the ``IN`` list by itself.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from core.dedup.keys import Candidate, active_rules, record_keys
from core.dedup.normalize import phone_region
from core.models.dedup import DedupKey

#: Stored candidates kept per key, as :func:`core.dedup.keys.find_candidates` keeps per record.
MAX_CANDIDATES = 20
#: Keys per statement.
_PART = 1000


def find_candidates_many(records, section, rows: list[dict]) -> tuple[list[dict], list[list[Candidate]]]:
    """The keys and the stored candidates of many rows (field values being created) at once.

    One statement per active rule and thousand keys for all ``rows`` instead of
    one per row. Returns ``(keys, found)``: per row ``{rule id: key}`` and its
    candidates (as :func:`core.dedup.keys.find_candidates` for a new record, the
    lowest 20 ids per rule). Rows of the same batch are not compared with each
    other: the caller knows what it wrote.
    """
    session = records.session
    rules = {rule.id: rule for rule in active_rules(session, section.name)}
    if not rules:
        return [{} for _ in rows], [[] for _ in rows]
    region = phone_region()
    keys = [record_keys(records, section, None, given=row, region=region) for row in rows]
    postgres = session.get_bind().dialect.name == "postgresql"
    stored: dict[tuple[int, str], list[int]] = {}
    for rule_id in rules:
        wanted = sorted({row_keys[rule_id] for row_keys in keys if rule_id in row_keys})
        for start in range(0, len(wanted), _PART):
            part = wanted[start:start + _PART]
            query = _lateral(section.name, rule_id, part) if postgres else _in_list(section.name, rule_id, part)
            for key, record_id in session.execute(query):
                stored.setdefault((rule_id, key), []).append(record_id)
    found = []
    for row_keys in keys:
        row_found = []
        for rule_id, key in row_keys.items():
            ids = sorted(set(stored.get((rule_id, key), ())))[:MAX_CANDIDATES]
            if ids:
                row_found.append(Candidate(rules[rule_id], ids))
        found.append(row_found)
    return keys, found


def _in_list(section_name: str, rule_id: int, part: list[str]) -> sa.Select:
    return sa.select(DedupKey.key, DedupKey.record_id).where(
        DedupKey.section == section_name, DedupKey.rule_id == rule_id, DedupKey.key.in_(part))


def _lateral(section_name: str, rule_id: int, part: list[str]) -> sa.Select:
    wanted = sa.func.unnest(sa.bindparam("dedup_keys", part, type_=postgresql.ARRAY(sa.String))) \
        .table_valued("key").render_derived(name="wanted")
    per_key = (sa.select(DedupKey.record_id)
               .where(DedupKey.section == section_name, DedupKey.rule_id == rule_id, DedupKey.key == wanted.c.key)
               .offset(0).lateral("per_key"))  # OFFSET 0: kept a subquery (not made a hash join), one probe per key
    return sa.select(wanted.c.key, per_key.c.record_id).select_from(wanted.join(per_key, sa.true()))
