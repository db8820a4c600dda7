"""The access policy: section rights, record rules and column rights of the acting user.

Registered through the core's own ``flowcase_record_access`` and
``flowcase_record_filter`` hooks (:mod:`core.builtin_hooks`); superusers and
``sudo()`` never reach it (the records service skips the hooks for them).

- A section with no :class:`SectionRight` row for any role is *not
  administered*: every active signed-in user has all rights on it.
- Once a section has rights, only rights apply (deny by default). A user's
  scope for an operation is the widest over their roles: ``own`` (the
  section's ``owner_field`` is the user), ``team`` (the owner is the user or
  someone they manage), ``all``; ``own``/``team`` on a section without an
  owner field mean ``none``.
- Record rules (filters in the shared language) narrow further: global rules
  (no role) are ANDed; rules of the user's roles are ORed among themselves
  (Odoo semantics); rules of roles the user lacks do not apply.
- Column rights hide fields or make them read-only per role; a role without a
  row for a field grants full access, and the widest role wins.

The rights tables are small; they are read once per session transaction and
kept in ``session.info`` (dropped on commit, rollback, and any flush that
touches them), so a page asks for them once however many checks it makes.
Across transactions (every API call is one) the loaded snapshot is also kept
per process and database, and reused while the configuration's generation
(:mod:`core.config_cache`: one statement over every admin-configured table,
shared with the other configuration caches) is the same: a right changed by
another worker moves the generation, so the next transaction anywhere
reloads. That is one cheap statement per request instead of four queries
that build ORM objects.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from core import config_cache
from core.errors import ValidationError
from core.security.models import SCOPES, ColumnRight, RecordRule, Role, SectionRight, user_role
from core.security.sections import SECURITY_SECTIONS

log = logging.getLogger(__name__)

_CACHE_KEY = "flowcase_security"
_RANK = {scope: rank for rank, scope in enumerate(SCOPES)}
#: Levels of a column right; a field a role does not mention is "full" for that role.
_COLUMN_RANK = {"hidden": 0, "readonly": 1, "full": 2}


@dataclass(frozen=True)
class FieldAccess:
    """Field paths of one section the user may not see, or may see but not change."""

    hidden: frozenset = frozenset()
    readonly: frozenset = frozenset()

    @property
    def restricted(self) -> frozenset:
        return self.hidden | self.readonly


NO_RESTRICTION = FieldAccess()


@dataclass
class _Snapshot:
    """Every right, rule and column right, grouped by section; plus role ids per user."""

    rights: dict = field(default_factory=dict)    # section -> [(role_id, {op: scope})]
    rules: dict = field(default_factory=dict)     # section -> [(role_id|None, {ops}, tree, name)]
    columns: dict = field(default_factory=dict)   # section -> {role_id: {path: access}}
    roles: dict = field(default_factory=dict)     # user id -> frozenset(role ids)


def _snapshot(session: Session) -> _Snapshot:
    cached = session.info.get(_CACHE_KEY)
    if cached is not None:
        return cached
    snap = config_cache.cached(session, "security", _load)
    session.info[_CACHE_KEY] = snap
    return snap


def _load(session: Session) -> _Snapshot:
    snap = _Snapshot()
    for right in session.scalars(sa.select(SectionRight)):
        snap.rights.setdefault(right.section, []).append(
            (right.role_id, {op: getattr(right, op) for op in ("read", "create", "update", "delete")}))
    for rule in session.scalars(sa.select(RecordRule).where(RecordRule.active.is_(True)).order_by(RecordRule.id)):
        ops = {op for op in ("read", "create", "update", "delete") if getattr(rule, f"apply_{op}")}
        snap.rules.setdefault(rule.section, []).append((rule.role_id, ops, rule.domain, rule.name))
    for column in session.scalars(sa.select(ColumnRight)):
        snap.columns.setdefault(column.section, {}).setdefault(column.role_id, {})[column.field] = column.access
    return snap


def forget(session: Session) -> None:
    """Drop the cached rights of ``session`` (they changed, or a transaction ended)."""
    session.info.pop(_CACHE_KEY, None)


def role_ids(session: Session, user) -> frozenset:
    """Ids of the roles ``user`` holds (cached with the rights)."""
    snap = _snapshot(session)
    found = snap.roles.get(user.id)
    if found is None:
        found = frozenset(session.scalars(sa.select(user_role.c.role_id).where(user_role.c.user_id == user.id)))
        snap.roles[user.id] = found
    return found


# -- section rights ------------------------------------------------------------------
def is_administered(session: Session, section) -> bool:
    """Whether any role has a right on ``section`` (else everyone active may do everything)."""
    return bool(_snapshot(session).rights.get(section.name))


def scope(session: Session, user, section, operation: str) -> str | None:
    """The user's widest scope for ``operation`` on ``section``; None when the section is not administered."""
    rows = _snapshot(session).rights.get(section.name)
    if not rows:
        return None
    mine = role_ids(session, user)
    best = "none"
    for role_id, scopes in rows:
        if role_id in mine and _RANK.get(scopes.get(operation), 0) > _RANK[best]:
            best = scopes[operation]
    if best in ("own", "team") and not section.owner_field:
        return "none"
    return best


def team_ids(user):
    """``SELECT id`` of the user and the users whose manager is the user ($my_team)."""
    from core.models import User

    return sa.select(User.id).where(sa.or_(User.id == user.id, User.manager_id == user.id))


def _scope_clause(section, user, granted: str):
    if granted == "all":
        return None
    if granted == "none":
        return sa.false()
    owner = section.table.c[section.owner_field]
    return owner == user.id if granted == "own" else owner.in_(team_ids(user))


# -- record rules --------------------------------------------------------------------
def _rules_clause(session: Session, user, section, operation: str):
    rules = [r for r in _snapshot(session).rules.get(section.name, []) if operation in r[1]]
    if not rules:
        return None
    mine = role_ids(session, user)
    global_clauses, role_clauses = [], []
    for role_id, _ops, tree, name in rules:
        if role_id is not None and role_id not in mine:
            continue  # another role's rule: not this user's business
        clause = _compile_rule(section, tree, user, name)
        (global_clauses if role_id is None else role_clauses).append(clause)
    if role_clauses:
        global_clauses.append(sa.or_(*role_clauses))
    if not global_clauses:
        return None
    return sa.and_(*global_clauses)


def _compile_rule(section, tree, user, name):
    from core.filters import compile_filter

    try:
        # No ``records``: lookups inside a rule must not re-enter the rights of other sections.
        return compile_filter(section, tree, user)
    except ValidationError as error:
        # A rule broken by a later change (a removed field) closes the door rather than opening it.
        log.error("record rule %r on %s does not compile, denying: %s", name, section.name, error)
        return sa.false()


# -- the hooks' answers ----------------------------------------------------------------
def record_filter(session: Session, user, section, operation: str):
    """One clause limiting what ``user`` reaches for ``operation`` (None: no limit)."""
    if user is None or not getattr(user, "is_active", False) or section.name in SECURITY_SECTIONS:
        return sa.false()
    operation = "update" if operation == "stage" else operation
    if operation == "create":
        return None
    parts = []
    granted = scope(session, user, section, operation)
    if granted is not None:
        clause = _scope_clause(section, user, granted)
        if clause is not None:
            parts.append(clause)
    rules = _rules_clause(session, user, section, operation)
    if rules is not None:
        parts.append(rules)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else sa.and_(*parts)


def record_access(session: Session, user, section, operation: str, record) -> bool | None:
    """True/False when the rights decide, None to leave it to the default (not administered, no rules)."""
    if user is None or not getattr(user, "is_active", False) or section.name in SECURITY_SECTIONS:
        return False
    operation = "update" if operation == "stage" else operation
    granted = scope(session, user, section, operation)
    if operation == "create":
        if granted == "none":
            return False
        if record is not None and granted in ("own", "team") and not _owner_in_scope(session, section, user, granted, record):
            return False
        if record is not None and getattr(record, "id", None) is not None and not _inside_create_rules(
                session, user, section, record):
            return False
        return None if granted is None else True
    if granted == "none":
        return False
    if record is None or getattr(record, "id", None) is None:
        return True if granted is not None else None
    clause = record_filter(session, user, section, operation)
    if clause is None:
        return True if granted is not None else None
    table = section.table
    with session.no_autoflush:
        found = session.execute(
            sa.select(sa.literal(1)).select_from(table).where(table.c.id == record.id, clause)
        ).first()
    if found is None:
        return False
    return True if granted is not None else None


def _inside_create_rules(session, user, section, record) -> bool:
    """Whether a new record, once flushed (it has an id), satisfies the record rules that apply to creates.

    As in Odoo, a create is checked against the rules after the row exists, so a
    rule can use any field (and lookups) exactly as on reads; the records service
    rolls the create back when this says no.
    """
    rules = _rules_clause(session, user, section, "create")
    if rules is None:
        return True
    table = section.table
    with session.no_autoflush:
        return session.execute(
            sa.select(sa.literal(1)).select_from(table).where(table.c.id == record.id, rules)).first() is not None


def _owner_in_scope(session, section, user, granted, record) -> bool:
    """Whether a record being created is owned within ``granted`` (own/team)."""
    owner = getattr(record, section.owner_field, None)
    if owner is None:
        return False
    if granted == "own":
        return owner == user.id
    return owner in set(session.scalars(team_ids(user)))


# -- column rights ---------------------------------------------------------------------
def field_access(session: Session, user, section) -> FieldAccess:
    """The fields of ``section`` hidden from or read-only for ``user`` (widest role wins)."""
    if user is None:
        return NO_RESTRICTION
    per_role = _snapshot(session).columns.get(section.name)
    if not per_role:
        return NO_RESTRICTION
    mine = role_ids(session, user)
    if not mine:
        return NO_RESTRICTION
    paths = {path for role_id in mine for path in per_role.get(role_id, {})}
    hidden, readonly = set(), set()
    for path in paths:
        level = max(_COLUMN_RANK[per_role.get(role_id, {}).get(path, "full")] for role_id in mine)
        if level == 0:
            hidden.add(path)
        elif level == 1:
            readonly.add(path)
    return FieldAccess(frozenset(hidden), frozenset(readonly))


# -- cache invalidation ------------------------------------------------------------------
_WATCHED = (Role, SectionRight, RecordRule, ColumnRight)


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    from core.models import User

    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, (*_WATCHED, User)):  # a user's roles live on the User
            forget(session)
            return


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    forget(session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    forget(session)
