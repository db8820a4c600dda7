"""``$expand``, one level: related records read through the target section's rights, in one query per navigation."""
from __future__ import annotations

from core.odata.model import EntitySet, Model
from core.odata.query import QueryError, filter_clause, order_clauses, select_props
from core.odata.serialize import entities_json


def expand_into(model: Model, entity: EntitySet, records, rows: list, items: list[dict], expand: dict) -> None:
    """Add each expanded navigation to ``items`` (the JSON of ``rows``), rights of the target applied.

    A lookup whose record the user may not read expands to ``null``, exactly
    as a missing one; a detail collection holds only the children the user reads.
    """
    for name, options in expand.items():
        nav = entity.navs[name]
        target = model.by_section[nav.target]
        props = select_props(target, options.get("$select"))
        stmt = records.select(target.section)
        if options.get("$filter"):
            stmt = stmt.where(filter_clause(model, target, records, options["$filter"]))
        if not nav.collection:
            lookup = entity.props[nav.prop]
            ids = {item.get(lookup.name) for item in items} - {None}
            if not ids and any(lookup.name not in item for item in items):  # $select left the lookup out
                ids = {_lookup_value(records, entity, row, lookup.path) for row in rows} - {None}
            found = list(records.session.scalars(stmt.where(target.section.table.c.id.in_(ids)))) if ids else []
            by_id = {row.id: data for row, data in zip(found, entities_json(records.session, target, found, props))}
            for row, item in zip(rows, items):
                item[name] = by_id.get(_lookup_value(records, entity, row, lookup.path))
            continue
        column = target.section.table.c[nav.child_field]
        ids = [row.id for row in rows]
        ordering = order_clauses(target, options.get("$orderby"))
        found = list(records.session.scalars(stmt.where(column.in_(ids)).order_by(*ordering))) if ids else []
        limit = int(options["$top"]) if str(options.get("$top", "")).isdigit() else None
        grouped: dict = {}
        for child, data in zip(found, entities_json(records.session, target, found, props)):
            bucket = grouped.setdefault(getattr(child, column.key), [])
            if limit is None or len(bucket) < limit:
                bucket.append(data)
        for row, item in zip(rows, items):
            item[name] = grouped.get(row.id, [])


def _lookup_value(records, entity: EntitySet, row, path: str):
    prop = entity.by_path()[path]
    if prop.info is not None and (prop.info.extension is not None or prop.info.custom):
        return records.read(entity.section, row).get(path)
    return getattr(row, path)


__all__ = ["expand_into", "QueryError"]
