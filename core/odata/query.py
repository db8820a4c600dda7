"""System query options: ``$filter`` (odata-query), ``$orderby``, ``$select``, ``$expand``, ``$top``, ``$skip``.

``$filter`` is parsed by odata-query and turned into SQLAlchemy by its ORM
visitor; our subclass only says what an identifier means, so extension and
custom fields filter like the record's own and a name that is not in the
user's model (unknown, or hidden by column rights) is an error, never a
silent match. A lookup's navigation (``account/name``) becomes a correlated
subquery limited by the target section's rights, so hidden records cannot be
probed through a filter.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from odata_query import exceptions as odata_errors
from odata_query.grammar import ODataLexer, ODataParser
from odata_query.sqlalchemy import AstToSqlAlchemyOrmVisitor

from flask_babel import lazy_gettext as _l

from core import custom_fields
from core.odata.model import EntitySet, Model, Prop


class QueryError(Exception):
    """A query option the service cannot use: answered 400 with an OData error."""

    def __init__(self, message: str, target: str | None = None):
        super().__init__(message)
        self.target = target


def prop_expression(entity: EntitySet, prop: Prop):
    """The SQL expression of a property on the entity set's table."""
    table = entity.section.table
    info = prop.info
    if info is None:
        return table.c[prop.path]
    if info.custom:
        return custom_fields.sql_value(entity.section, info)
    if info.extension is not None:
        ext = info.extension.model.__table__
        return sa.select(ext.c[info.name]).where(ext.c.id == table.c.id).scalar_subquery()
    return info.column


class _Visitor(AstToSqlAlchemyOrmVisitor):
    """odata-query's ORM visitor resolving names through the user's model."""

    def __init__(self, model: Model, entity: EntitySet, records):
        super().__init__(entity.section.model)
        self.model, self.entity, self.records = model, entity, records

    def visit_Identifier(self, node):
        prop = self.entity.props.get(node.name)
        if prop is None:
            raise odata_errors.InvalidFieldException(node.name)
        return prop_expression(self.entity, prop)

    def visit_Attribute(self, node):
        owner = getattr(node.owner, "name", None)
        nav = self.entity.navs.get(owner) if owner else None
        if nav is None or nav.collection:
            raise odata_errors.InvalidFieldException(f"{owner}/{node.attr}")
        target = self.model.by_section[nav.target]
        prop = target.props.get(node.attr)
        if prop is None:
            raise odata_errors.InvalidFieldException(f"{owner}/{node.attr}")
        target_table = target.section.table
        local = prop_expression(self.entity, self.entity.props[nav.prop])
        return (sa.select(prop_expression(target, prop))
                .where(target_table.c.id == local, *self.records.filters(target.section))
                .scalar_subquery())


def filter_clause(model: Model, entity: EntitySet, records, text: str):
    """``$filter`` as one SQLAlchemy clause; :class:`QueryError` when it does not parse or names no property."""
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(text))
        return _Visitor(model, entity, records).visit(tree)
    except odata_errors.InvalidFieldException as exc:
        raise QueryError(_l("$filter names a property %(set)s does not have: %(name)s", set=entity.name, name=exc.args[0] if exc.args else ""),
                         "$filter") from None
    except odata_errors.ODataException as exc:
        raise QueryError(_l("$filter is not valid: %(error)s", error=str(exc)), "$filter") from None
    except (ValueError, TypeError, AttributeError, NotImplementedError) as exc:
        raise QueryError(_l("$filter cannot be applied: %(error)s", error=str(exc)), "$filter") from None


def order_clauses(entity: EntitySet, text: str | None) -> list:
    """``$orderby=name desc,id`` as ORDER BY clauses, with ``id`` as the tiebreaker."""
    id_column = entity.section.table.c.id
    if not text:
        return [id_column.asc()]
    clauses = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise QueryError(_l("$orderby is not valid: %(part)s", part=part.strip()), "$orderby")
        prop = entity.props.get(words[0])
        if prop is None or not prop.sortable:
            raise QueryError(_l("%(set)s cannot be ordered by %(name)s", set=entity.name, name=words[0]), "$orderby")
        column = prop_expression(entity, prop)
        descending = len(words) == 2 and words[1].lower() == "desc"
        clauses.append(column.desc().nulls_last() if descending else column.asc().nulls_last())
    return [*clauses, id_column.asc()]


def select_props(entity: EntitySet, text: str | None) -> list[Prop]:
    """``$select=a,b`` as properties (the key always included); all properties when absent or ``*``."""
    if not text or text.strip() == "*":
        return list(entity.props.values())
    wanted = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in wanted if p not in entity.props and p not in entity.navs]
    if unknown:
        raise QueryError(_l("$select names properties %(set)s does not have: %(names)s", set=entity.name, names=", ".join(unknown)), "$select")
    names = ["id", *[p for p in wanted if p != "id" and p in entity.props]]
    return [entity.props[n] for n in names]


_EXPAND_ITEM = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$", re.S)


def _split_top_level(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside parentheses."""
    parts, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def parse_expand(entity: EntitySet, text: str | None) -> dict[str, dict]:
    """``$expand=account($select=name),activity_collection`` as ``{nav name: {option: value}}`` (one level)."""
    result: dict[str, dict] = {}
    if not text:
        return result
    for item in _split_top_level(text, ","):
        match = _EXPAND_ITEM.match(item)
        if match is None:
            raise QueryError(_l("$expand is not valid: %(part)s", part=item.strip()), "$expand")
        name, inner = match.group(1), match.group(2)
        if name not in entity.navs:
            raise QueryError(_l("%(set)s has no navigation property %(name)s", set=entity.name, name=name), "$expand")
        options = {}
        for option in _split_top_level(inner or "", ";"):
            key, _, value = option.partition("=")
            key = key.strip()
            if key not in ("$select", "$filter", "$orderby", "$top"):
                raise QueryError(_l("$expand of %(name)s does not support %(option)s", name=name, option=key), "$expand")
            options[key] = value.strip()
        result[name] = options
    return result


def int_option(args, name: str) -> int | None:
    """``$top``/``$skip`` as a non-negative integer, or None."""
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise QueryError(_l("%(option)s must be a non-negative whole number", option=name), name)
    return int(raw)
