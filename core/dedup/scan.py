"""The on-demand scan: groups of records that share a key under some active rule."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from core.dedup.keys import active_rules, forget_rules, rebuild_keys
from core.models.dedup import DedupKey

#: Groups a scan returns at most (the first ones by rule and key).
MAX_GROUPS = 500


@dataclass
class DuplicateGroup:
    """Records of one section that match each other under ``rule``."""

    rule: str
    records: list  # [(id, display name)]


def duplicate_groups(records, section, rebuild: bool = True, limit: int = MAX_GROUPS) -> list[DuplicateGroup]:
    """Duplicate groups of ``section`` the user may read; ``rebuild`` recomputes keys first (rules may be new)."""
    session = records.session
    forget_rules(session)  # a scan always sees the rules as they are now
    if rebuild:
        with records.transaction():
            rebuild_keys(records.sudo(), section)
    names = {rule.id: rule.name for rule in active_rules(session, section.name)}
    shared = (sa.select(DedupKey.rule_id, DedupKey.key)
              .where(DedupKey.section == section.name, DedupKey.rule_id.in_(names))
              .group_by(DedupKey.rule_id, DedupKey.key).having(sa.func.count() > 1)
              .order_by(DedupKey.rule_id, DedupKey.key).limit(limit)).subquery()
    rows = session.execute(
        sa.select(DedupKey.rule_id, DedupKey.key, DedupKey.record_id)
        .join(shared, sa.and_(shared.c.rule_id == DedupKey.rule_id, shared.c.key == DedupKey.key))
        .where(DedupKey.section == section.name)
        .order_by(DedupKey.rule_id, DedupKey.key, DedupKey.record_id)).all()
    ids = {row.record_id for row in rows}
    readable = {}
    for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
        chunk = list(ids)[start:start + 900]
        for record in session.scalars(records.select(section).where(section.model.id.in_(chunk))):
            readable[record.id] = section.display_name(record)
    groups: dict[tuple, list] = {}
    for row in rows:
        if row.record_id in readable:
            groups.setdefault((row.rule_id, row.key), []).append((row.record_id, readable[row.record_id]))
    return [DuplicateGroup(names[rule_id], members) for (rule_id, _key), members in groups.items() if len(members) > 1]
