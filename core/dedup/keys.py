"""Normalised keys of records under each duplicate rule, and candidate lookup.

``core_dedup_key`` holds one row per (record, active rule) whose fields are all
filled; it is kept by the record-event hooks in the write's own transaction, so
finding the candidates of a record is one indexed query per rule whatever the
size of the section.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa

from core.config_cache import per_session
from core.dedup.normalize import normalize, phone_region
from core.models.dedup import DedupKey, DedupRule
from core.sections import SYSTEM_FIELDS

_CACHE = per_session("flowcase_dedup_rules")
#: Longer keys are stored as their SHA-1 (the column holds 500 characters).
_MAX_KEY = 500


@dataclass(frozen=True)
class Rule:
    """An active rule as the checks use it (a plain copy: safe across savepoint rollbacks)."""

    id: int
    name: str
    fields: tuple
    action: str


@dataclass
class Candidate:
    """Records that match ``rule`` for the record being checked."""

    rule: Rule
    record_ids: list


def active_rules(session, section_name: str) -> list[Rule]:
    """The section's active rules, kept per process while the configuration generation holds
    (:mod:`core.config_cache`) and on the session (a new session per request or job)."""
    cache = session.info.get(_CACHE)
    if cache is None:
        from core.config_cache import cached

        cache = session.info[_CACHE] = cached(session, "dedup_rules", _load_rules)
    return cache.get(section_name, [])


def _load_rules(session) -> dict[str, list[Rule]]:
    rules: dict[str, list[Rule]] = {}
    with session.no_autoflush:
        rows = session.execute(sa.select(DedupRule.id, DedupRule.section, DedupRule.name, DedupRule.fields,
                                         DedupRule.action).where(DedupRule.active.is_(True)).order_by(DedupRule.id))
        for r in rows:
            if r.fields:
                rules.setdefault(r.section, []).append(
                    Rule(r.id, r.name, tuple((f.get("path"), f.get("normalize") or "exact") for f in r.fields), r.action))
    return rules


def forget_rules(session) -> None:
    """Drop the cached rules after a rule was added, changed or removed."""
    session.info.pop(_CACHE, None)


def field_value(records, section, record, path: str, given: dict | None = None):
    """The value of ``path`` for ``record``: being written, own column, extension row or custom field."""
    if given and path in given:
        return given[path]
    if record is None:  # a row not written yet: only what is given
        return None
    if path.startswith("custom."):
        return (getattr(record, "custom", None) or {}).get(path.split(".", 1)[1])
    if path in section.table.c and path not in SYSTEM_FIELDS:  # an own column: no need to list every field
        return getattr(record, path, None)
    info = section.field(path)
    if info is None:
        return None
    if info.extension is None:
        return getattr(record, path, None)
    if record.id is None:
        return None
    row = records.session.get(info.extension.model, record.id)
    return getattr(row, info.name) if row is not None else None


def rule_key(rule: Rule, values: dict, region: str | None = None) -> str | None:
    """The rule's key from ``{path: value}``; None when any of its fields is empty (AND within a rule).

    ``region``: the default country of phone numbers (the app's, when not given).
    """
    parts = []
    for path, kind in rule.fields:
        part = normalize(kind, values.get(path), region)
        if part is None:
            return None
        parts.append(part)
    key = "\x1f".join(parts)
    return key if len(key) <= _MAX_KEY else hashlib.sha1(key.encode()).hexdigest()


def record_keys(records, section, record, given: dict | None = None, region: str | None = None) -> dict[int, str]:
    """``{rule id: key}`` of ``record`` under every active rule of its section (``region``: see :func:`rule_key`)."""
    keys = {}
    rules = active_rules(records.session, section.name)
    if rules and region is None:
        region = phone_region()  # once per record rather than once per phone field
    for rule in rules:
        values = {path: field_value(records, section, record, path, given) for path, _kind in rule.fields}
        key = rule_key(rule, values, region)
        if key is not None:
            keys[rule.id] = key
    return keys


def find_candidates(records, section, record, given: dict | None = None) -> list[Candidate]:
    """Other records matching ``record`` under any active rule (OR across rules)."""
    found = []
    rules = {rule.id: rule for rule in active_rules(records.session, section.name)}
    for rule_id, key in record_keys(records, section, record, given).items():
        params = {"section": section.name, "rule_id": rule_id, "key": key}
        if record.id is not None:
            params["record_id"] = record.id
        ids = sorted(set(records.session.scalars(_candidates_statement(record.id is not None), params)))
        if ids:
            found.append(Candidate(rules[rule_id], ids))
    return found


_CANDIDATES: dict[bool, sa.Select] = {}


def _candidates_statement(other_than_record: bool) -> sa.Select:
    """The lookup of one key, built once (with parameters): hashing a new statement per write cost more than
    running it. On the table, not the mapped class: a Core select skips the ORM's per-execution setup
    (keys are only ever written as Core INSERTs, so there is nothing pending to autoflush first)."""
    statement = _CANDIDATES.get(other_than_record)
    if statement is None:
        table = DedupKey.__table__
        statement = sa.select(table.c.record_id).where(
            table.c.section == sa.bindparam("section"), table.c.rule_id == sa.bindparam("rule_id"),
            table.c.key == sa.bindparam("key"))
        if other_than_record:
            statement = statement.where(table.c.record_id != sa.bindparam("record_id"))
        statement = _CANDIDATES[other_than_record] = statement.limit(20)
    return statement


def store_keys(records, section, record, new: bool = False) -> None:
    """Replace the stored keys of ``record`` with its current ones.

    :param new: the record was just created, so it has no keys to drop (saves a DELETE per created record).
    """
    if not active_rules(records.session, section.name):
        return
    if not new:
        drop_keys(records.session, section.name, record.id)
    rows = [{"section": section.name, "rule_id": rule_id, "key": key, "record_id": record.id}
            for rule_id, key in record_keys(records, section, record).items()]
    if new:  # with the chunk's other keys when a batch writes (see Records.defer_insert)
        records.defer_insert(DedupKey.__table__, rows)
    elif rows:  # now: a later update in the same chunk deletes what is there
        from core.bulk_insert import insert_statement

        records.session.execute(insert_statement(DedupKey.__table__), rows)


def drop_keys(session, section_name: str, record_id: int) -> None:
    """Forget every key of one record (it was deleted, or is about to get new ones)."""
    session.execute(sa.delete(DedupKey).where(DedupKey.section == section_name, DedupKey.record_id == record_id))


def rebuild_keys(records, section, batch: int = 1000) -> int:
    """Recompute the keys of every record of ``section`` (after a rule was added or changed); returns records seen."""
    session = records.session
    rules = active_rules(session, section.name)
    session.execute(sa.delete(DedupKey).where(DedupKey.section == section.name))
    if not rules:
        return 0
    seen, last = 0, 0
    while True:
        # Keyset pages rather than a streamed cursor: the inserts share the connection.
        chunk = list(session.scalars(sa.select(section.model).where(section.model.id > last)
                                     .order_by(section.model.id).limit(batch)))
        if not chunk:
            return seen
        rows = []
        for record in chunk:
            seen += 1
            rows.extend({"section": section.name, "rule_id": rule_id, "key": key, "record_id": record.id}
                        for rule_id, key in record_keys(records, section, record).items())
        if rows:
            session.execute(sa.insert(DedupKey), rows)
        last = chunk[-1].id
