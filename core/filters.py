"""The one filter language: a JSON tree compiled to a SQLAlchemy condition over a section.

A tree is made of these kinds of node::

    {"all": [node, ...]}                      every node holds (empty: always true)
    {"any": [node, ...]}                      at least one holds (empty: never true)
    {"not": node}                             the node does not hold
    {"field": "owner_id", "op": "eq", "value": "$me"}
    {"named": "without_planned_activity"}     a condition the section names
    {"group": 12}                             the record is in record group #12

Named filters are conditions a section declares in ``Section.named_filters``
(``{name: NamedFilter(label, condition)}``): SQL that a field comparison cannot
say (``accounts without a planned activity``), given a name so lists
(``?named=...``), saved filters, record rules and automations can use it.
``condition(context)`` receives a :class:`FilterContext` and returns a boolean
clause over the section's model.

A group node (:mod:`core.groups`) holds for the records of a static group's
member list, or those matching a dynamic group's own filter at the moment the
tree is compiled; the group must be of the same section and readable by the
user (own or shared), and a group that reaches itself is an error.

Field paths are a section's own fields (``name``), its system columns (``id``,
``created_at``, ...), extension fields (``fx_ext.colour``, compiled to an
``EXISTS`` on the extension table), custom fields (``custom.region_code``,
a typed JSON element of the record's ``custom`` column), or one step through a lookup
(``account_id.name``, compiled to ``account_id IN (SELECT id FROM ...)``).

Ops: ``eq ne lt le gt ge in not_in contains icontains startswith is_null
not_null between``. ``ne``, ``not_in`` and ``is_null`` are the exact
negations of ``eq``, ``in`` and ``not_null``: a record whose value is empty
(or has no extension row) matches ``ne``. Every leaf is two-valued (never SQL
NULL), so ``not`` always means "everything else".

Value macros: ``$me`` (the user's id), ``$my_team`` (the user and the users
whose manager is the user; with ``eq``/``in``/``ne``/``not_in``), and dates
``$today``, ``$yesterday``, ``$tomorrow``, ``$week_start``, ``$month_start``,
``$year_start``, ``$now``, each with an optional day offset (``$today-30``).
A date compared with a date-and-time field means the whole day.

Mistakes (unknown field or op, a value of the wrong type, bad JSON) raise
:class:`core.errors.ValidationError` with messages keyed by field path, so
pages can show them instead of failing.
"""
from __future__ import annotations

import json
import operator
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable

import sqlalchemy as sa
from flask import has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from core import custom_fields
from core.errors import ValidationError
from core.sections import FieldInfo, Section, _field_type, _referred_table
from core.sql_hints import selective
from core.values import BadValue, coerce

OPS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "contains", "icontains",
       "startswith", "is_null", "not_null", "between")
#: Each negative op is compiled as NOT of its positive twin, so empty values match it.
_NEGATIONS = {"ne": "eq", "not_in": "in", "is_null": "not_null"}
_TEXT_OPS = {"contains", "icontains", "startswith"}
_ORDER_OPS = {"lt", "le", "gt", "ge", "between"}
#: System columns users may filter and sort on (``custom`` is reached through custom-field paths).
SYSTEM_FILTER_FIELDS = ("id", "created_at", "updated_at", "created_by_id", "updated_by_id")
#: Columns of a lookup target that is not a section (users): never hashes or secrets.
_SECTIONLESS_FIELDS = ("id", "name", "login", "email", "code", "title", "active", "manager_id")
#: Guards against trees built to exhaust the server.
MAX_NODES = 500
MAX_DEPTH = 20
MAX_LIST = 1000

_MACRO = re.compile(r"^\$(me|my_team|today|yesterday|tomorrow|now|week_start|month_start|year_start)([+-]\d{1,5})?$")


def filterable_fields(section: Section) -> dict[str, FieldInfo]:
    """Every path a filter, sort or search may name on ``section``: system, own and extension fields."""
    result = dict(_system_fields(section.table))
    for info in section.fields():
        result[info.path] = info
    return result


#: ``table -> {path: FieldInfo}`` of its system columns (FieldInfo is frozen): a list page asked three times.
_SYSTEM_FIELDS: dict[sa.Table, dict[str, FieldInfo]] = {}


def _system_fields(table: sa.Table) -> dict[str, FieldInfo]:
    found = _SYSTEM_FIELDS.get(table)
    if found is None:
        found = _SYSTEM_FIELDS[table] = {path: _column_field(table.c[path])
                                         for path in SYSTEM_FILTER_FIELDS if path in table.c}
    return found


def _column_field(column: sa.Column) -> FieldInfo:
    return FieldInfo(path=column.key, label=column.key.replace("_", " ").capitalize(), type=_field_type(column),
                     required=False, column=column, lookup=_referred_table(column))


@dataclass(frozen=True)
class FilterContext:
    """What a named filter's condition may use: the acting user, their records service (or None), the dates."""

    section: Section
    user: Any
    records: Any
    today: date
    now: datetime


def parse_filter(text: str | None) -> Any:
    """Parse a filter given as JSON text (``?filter=``); ``None``/empty means no filter."""
    if text is None or not text.strip():
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValidationError({"": [_l("The filter is not valid JSON: %(error)s", error=str(exc))]}) from None


def compile_filter(section: Section, tree, user=None, *, records=None, today: date | None = None,
                   now: datetime | None = None, sections=None) -> sa.ColumnElement[bool]:
    """Compile ``tree`` to a boolean clause over ``section.model``.

    :param section: the section whose records are filtered.
    :param tree: the filter tree (a dict), or ``None``/``{}`` for "everything".
    :param user: the acting user; ``$me`` and ``$my_team`` refer to them (no user: they match nothing).
    :param records: a :class:`core.records.Records`; when given, subqueries into a
        lookup's section only reach records that user may read, so a filter cannot
        probe hidden records. Record rules compiled inside the rights hook leave it out.
    :param today: the date ``$today`` means (default: today in UTC); for tests and timers.
    :param now: the moment ``$now`` means (default: now in UTC).
    :param sections: the section registry used to resolve lookups (default: the current app's).
    :raises ValidationError: with every mistake found, keyed by field path.
    """
    moment = now or datetime.now(timezone.utc)
    compiler = _Compiler(section, user, records, today or moment.date(), moment, sections)
    clause = compiler.node(tree, depth=0)
    if compiler.errors:
        raise ValidationError(compiler.errors)
    return clause


def validate_filter(section: Section, tree, user=None, **options) -> None:
    """Check ``tree`` against ``section`` without running it; raises :class:`ValidationError`."""
    compile_filter(section, tree, user, **options)


@dataclass
class _Target:
    """Where a field path leads: the field, the column to compare, and how to wrap the condition."""

    info: FieldInfo
    column: sa.ColumnElement
    #: Turns a condition on ``column`` into a two-valued condition on the filtered section.
    wrap: Callable[[sa.ColumnElement[bool]], sa.ColumnElement[bool]]


class _Compiler:
    def __init__(self, section, user, records, today, now, sections):
        self.section = section
        self.user = user
        self.records = records
        self.today = today
        self.now = now
        self._sections = sections
        self.errors: dict[str, list] = {}
        self.count = 0
        self._fields: dict[str, dict[str, FieldInfo]] = {}

    # -- tree ----------------------------------------------------------------
    def error(self, path: str, message) -> sa.ColumnElement[bool]:
        self.errors.setdefault(path or "", []).append(message)
        return sa.false()

    def node(self, node, depth: int) -> sa.ColumnElement[bool]:
        self.count += 1
        if depth > MAX_DEPTH or self.count > MAX_NODES:
            if "" not in self.errors:
                self.error("", _l("The filter is too large or too deeply nested."))
            return sa.false()
        if node is None or node == {}:
            return sa.true()
        if not isinstance(node, dict):
            return self.error("", _l("A filter node must be an object, not %(value)s.", value=_short(node)))
        keys = set(node)
        if keys == {"all"} or keys == {"any"}:
            (key,) = keys
            children = node[key]
            if not isinstance(children, list):
                return self.error("", _l("“%(key)s” takes a list of conditions.", key=key))
            clauses = [self.node(child, depth + 1) for child in children]
            if key == "all":
                return sa.and_(sa.true(), *clauses)
            return sa.or_(sa.false(), *clauses)
        if keys == {"not"}:
            return sa.not_(self.node(node["not"], depth + 1))
        if keys == {"named"}:
            return self.named(node["named"])
        if keys == {"group"}:
            return self.group(node["group"])
        if "field" in keys and "op" in keys and keys <= {"field", "op", "value"}:
            return self.leaf(node)
        return self.error("", _l(
            "Not a filter node: %(value)s. Use {\"all\": [...]}, {\"any\": [...]}, {\"not\": {...}}, "
            "{\"named\": ...}, {\"group\": id} or {\"field\": ..., \"op\": ..., \"value\": ...}.", value=_short(node)))

    def named(self, name) -> sa.ColumnElement[bool]:
        """A condition the section declares by name (``Section.named_filters``)."""
        named = getattr(self.section, "named_filters", {}) or {}
        if not isinstance(name, str) or name not in named:
            known = ", ".join(sorted(named)) or "—"
            return self.error("named", _l("%(section)s has no filter named “%(name)s”; use one of: %(known)s",
                                          section=self.section.title, name=_short(name), known=known))
        context = FilterContext(self.section, self.user, self.records, self.today, self.now)
        return named[name].condition(context)

    def group(self, group_id) -> sa.ColumnElement[bool]:
        """Membership of a record group (``core.groups``), evaluated now."""
        from core.groups.service import group_clause

        try:
            return group_clause(self.section, group_id, self.user, self.records)
        except ValidationError as exc:
            for path, messages in exc.errors.items():
                for message in messages:
                    self.error(path, message)
            return sa.false()

    # -- leaves --------------------------------------------------------------
    def leaf(self, node: dict) -> sa.ColumnElement[bool]:
        path, op, value = node["field"], node["op"], node.get("value")
        if not isinstance(path, str) or not path:
            return self.error("", _l("A condition needs a field name, got %(value)s.", value=_short(path)))
        if op not in OPS:
            return self.error(path, _l("unknown operator “%(op)s”; use one of: %(ops)s", op=_short(op), ops=", ".join(OPS)))
        target = self.resolve(self.section, path, hops=1)
        if target is None:
            return sa.false()
        if op in ("eq", "ne") and value is None:
            op = "is_null" if op == "eq" else "not_null"
        positive = _NEGATIONS.get(op, op)
        condition = self.condition(target, path, positive, value)
        if condition is None:
            return sa.false()
        clause = target.wrap(condition)
        return sa.not_(clause) if op in _NEGATIONS else clause

    def resolve(self, section: Section, path: str, hops: int) -> _Target | None:
        """Find ``path`` on ``section``: a field, an extension field, or one step through a lookup."""
        fields = self._fields.get(section.name)
        if fields is None:
            fields = filterable_fields(section)
            if self.records is not None:  # fields hidden by column rights are unknown to this user
                hidden = self.records.field_access(section).hidden
                fields = {path: info for path, info in fields.items() if path not in hidden}
            self._fields[section.name] = fields
        info = fields.get(path)
        if info is not None:
            if info.custom:  # JSON element of the record's ``custom`` column, cast to the field's type
                element = custom_fields.sql_value(section, info)
                return _Target(info, element, lambda cond: sa.and_(element.is_not(None), cond))
            if info.extension is None:
                column = info.column
                return _Target(info, column, lambda cond: _two_valued(column, cond))
            ext_model = info.extension.model
            ext_column = ext_model.__table__.c[info.name]
            return _Target(info, ext_column, lambda cond: sa.exists(
                sa.select(sa.literal(1)).select_from(ext_model.__table__)
                .where(ext_model.__table__.c.id == section.table.c.id, cond)))
        head, _, rest = path.partition(".")
        lookup = fields.get(head)
        if not rest or lookup is None or lookup.type != "lookup" or lookup.extension is not None:
            self.error(path, _l("unknown field of %(section)s", section=section.title))
            return None
        if hops < 1:
            self.error(path, _l("filters reach one lookup deep at most"))
            return None
        return self.through_lookup(section, lookup, path, rest)

    def through_lookup(self, section: Section, lookup: FieldInfo, path: str, rest: str) -> _Target | None:
        fk = next(iter(lookup.column.foreign_keys))
        target_table = fk.column.table
        target_section = self.registry().for_table(target_table.name) if self.registry() is not None else None
        if target_section is not None:
            inner = self.resolve(target_section, rest, hops=0)
            if inner is None:
                return None
            rights = self.records.filters(target_section, "read") if self.records is not None else []
        else:
            if rest not in _SECTIONLESS_FIELDS or rest not in target_table.c:
                self.error(path, _l("unknown field of the record “%(field)s” refers to", field=lookup.path))
                return None
            column = target_table.c[rest]
            inner = _Target(_column_field(column), column, lambda cond: cond)
            rights = []
        column = lookup.column
        key = fk.column

        def wrap(cond):
            # correlate(None): a lookup into the same table (parent_id.name) must not
            # be correlated to the outer query's row.
            ids = sa.select(key).where(inner.wrap(cond), *rights).correlate(None)
            return _two_valued(column, selective(column.in_(ids)))

        return _Target(inner.info, inner.column, wrap)

    def registry(self):
        if self._sections is None and has_app_context():
            from core.state import get_state

            self._sections = get_state().sections
        return self._sections

    # -- conditions ----------------------------------------------------------
    def condition(self, target: _Target, path: str, op: str, value) -> sa.ColumnElement[bool] | None:
        """The positive condition ``op`` on ``target.column``; None after recording an error."""
        info, column = target.info, target.column
        if op == "not_null":
            return column.is_not(None)
        if info.type == "json":
            self.error(path, _l("only is_null and not_null work on this field"))
            return None
        if op in _TEXT_OPS:
            if info.type not in ("string", "text"):
                self.error(path, _l("“%(op)s” works on text fields only", op=op))
                return None
            text = self.value(info, path, value, op)
            if text is None:
                return None
            text = str(text)
            if op == "icontains":
                return column.icontains(text, autoescape=True)
            # LIKE lets the database use an index; SQLite's LIKE ignores case,
            # so the position check keeps contains/startswith case-sensitive everywhere.
            if op == "contains":
                return sa.and_(column.contains(text, autoescape=True), _strpos(column, text) > 0)
            return sa.and_(column.startswith(text, autoescape=True), _strpos(column, text) == 1)
        if op in _ORDER_OPS and info.type in ("boolean", "lookup", "choice"):
            self.error(path, _l("“%(op)s” does not work on this field", op=op))
            return None
        if op == "between":
            if not isinstance(value, (list, tuple)) or len(value) != 2:
                self.error(path, _l("“between” takes a list of two values"))
                return None
            low = self.value(info, path, value[0], op)
            high = self.value(info, path, value[1], op)
            if low is None or high is None:
                return None
            return sa.and_(self.compare(info, column, "ge", low), self.compare(info, column, "le", high))
        if op == "in" or (op == "eq" and value == "$my_team"):
            return self.membership(info, column, path, value)
        resolved = self.value(info, path, value, op)
        if resolved is None:
            return None
        return self.compare(info, column, op, resolved)

    def membership(self, info, column, path, value):
        if value == "$my_team":
            if info.type not in ("lookup", "integer"):
                self.error(path, _l("$my_team works on user fields only"))
                return None
            return column.in_(self.team())
        if not isinstance(value, (list, tuple)):
            self.error(path, _l("“in” and “not_in” take a list of values"))
            return None
        if len(value) > MAX_LIST:
            self.error(path, _l("at most %(n)s values", n=MAX_LIST))
            return None
        items = [self.value(info, path, item, "in") for item in value]
        if any(item is None for item in items):
            return None
        if info.custom:
            items = [custom_fields.sql_operand(info, item) for item in items]
        return column.in_(items)

    def compare(self, info, column, op, value) -> sa.ColumnElement[bool]:
        # A bare date against a date-and-time field means that whole day (UTC).
        if info.type == "datetime" and isinstance(value, date) and not isinstance(value, datetime):
            start = datetime.combine(value, time(), tzinfo=timezone.utc)
            end = start + timedelta(days=1)
            if info.custom:  # stored as ISO text: compare text with text
                start, end = custom_fields.sql_operand(info, start), custom_fields.sql_operand(info, end)
            return {
                "eq": sa.and_(column >= start, column < end),
                "lt": column < start, "le": column < end,
                "gt": column >= end, "ge": column >= start,
            }[op]
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)  # stored in UTC; SQLite compares the text
        if info.custom:
            value = custom_fields.sql_operand(info, value)
        # Only the asked operator is built: SQLAlchemy refuses ``column < True``.
        return _COMPARISONS[op](column, value)

    def value(self, info: FieldInfo, path: str, value, op: str):
        """``value`` (macros resolved) as the field's type; None after recording an error."""
        if value == "$my_team":
            self.error(path, _l("$my_team works with eq, in, ne and not_in only"))
            return None
        if isinstance(value, str) and value.startswith("$"):
            macro = self.macro(value)
            if macro is not _NO_MACRO:
                if macro is None:  # $me without a user: matches nothing, on purpose
                    return None
                value = macro
            elif info.type not in ("string", "text"):
                self.error(path, _l("unknown macro “%(value)s”", value=_short(value)))
                return None
        if value is None or isinstance(value, (dict, list)):
            self.error(path, _l("“%(op)s” needs a single value", op=op))
            return None
        if info.type in ("string", "text"):
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                self.error(path, _l("must be text"))
                return None
            return str(value)
        if info.type == "datetime" and not isinstance(value, datetime):
            if isinstance(value, date):
                return value
            if isinstance(value, str) and len(value.strip()) == 10:
                try:
                    return date.fromisoformat(value.strip())
                except ValueError:
                    pass
        try:
            result = coerce(info, value)
        except BadValue as exc:
            self.error(path, str(exc))
            return None
        if result is None:
            self.error(path, _l("“%(op)s” needs a value", op=op))
        return result

    def macro(self, text: str):
        match = _MACRO.match(text)
        if match is None:
            return _NO_MACRO
        name, offset = match.group(1), int(match.group(2) or 0)
        if name == "me":
            return getattr(self.user, "id", None) if self.user is not None else None
        if name == "my_team":
            return _NO_MACRO  # only meaningful with in/eq, handled in membership()
        days = timedelta(days=offset)
        today = self.today
        base = {
            "today": today,
            "yesterday": today - timedelta(days=1),
            "tomorrow": today + timedelta(days=1),
            "week_start": today - timedelta(days=today.weekday()),
            "month_start": today.replace(day=1),
            "year_start": today.replace(month=1, day=1),
            "now": self.now,
        }[name]
        return base + days

    def team(self):
        from core.models import User

        user_id = getattr(self.user, "id", None)
        if user_id is None:
            return sa.select(User.id).where(sa.false())
        return sa.select(User.id).where(sa.or_(User.id == user_id, User.manager_id == user_id))


_NO_MACRO = object()


class _strpos(FunctionElement):
    """Position of a substring (1-based, 0 when absent): ``strpos`` on PostgreSQL, ``instr`` on SQLite."""

    type = sa.Integer()
    inherit_cache = True
    name = "strpos"


@compiles(_strpos)
def _strpos_default(element, compiler, **kw):
    return "strpos(%s)" % compiler.process(element.clauses, **kw)


@compiles(_strpos, "sqlite")
def _strpos_sqlite(element, compiler, **kw):
    return "instr(%s)" % compiler.process(element.clauses, **kw)


_COMPARISONS = {"eq": operator.eq, "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


def _two_valued(column, condition):
    """``condition`` made never NULL, so NOT of it is exactly "the rest" (empty values included)."""
    if isinstance(column, sa.Column) and not column.nullable:
        return condition
    return sa.and_(column.is_not(None), condition)


def _short(value) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."
