"""Assignee rules: who gets an activity an automation creates, or whose id an ``assign`` action writes.

A rule is a dict::

    {"rule": "owner"}                                the record's owner (``Section.owner_field``)
    {"rule": "owner_manager"}                        the owner's manager
    {"rule": "user", "user": "alice"}                a user by login (or id)
    {"rule": "field", "field": "responsible_id"}     a user-id field of the record
    {"rule": "role", "role": "service_engineers"}    the first active user holding the role (lowest id)
    {"rule": "lookup", "section": "fx_engineer",     a lookup table: the first row matching the filter
     "filter": {"field": "service", "op": "eq", "value": "$record.service"},
     "user_field": "user_id"}                        ... gives the user in ``user_field``

Every rule may carry ``"fallback": <rule>``, used when it finds nobody (no
owner, no matching lookup row, an inactive user): "the responsible from the
service engineers lookup, else the dispatchers' group".
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.automation.values import record_value, resolve
from core.errors import ValidationError
from core.filters import compile_filter

RULES = ("owner", "owner_manager", "user", "field", "role", "lookup")


def resolve_assignee(records, section, record, rule: dict | None) -> int | None:
    """The user id ``rule`` designates for ``record`` (following fallbacks), or None when nobody fits."""
    while rule:
        user_id = _one(records, section, record, rule)
        if user_id is not None and _active(records, user_id):
            return user_id
        rule = rule.get("fallback")
    return None


def _one(records, section, record, rule: dict) -> int | None:
    from core.models import User
    from core.security.models import Role

    kind = rule.get("rule")
    session = records.session
    if kind == "owner":
        return getattr(record, section.owner_field) if section.owner_field else None
    if kind == "owner_manager":
        owner_id = getattr(record, section.owner_field) if section.owner_field else None
        owner = session.get(User, owner_id) if owner_id else None
        return owner.manager_id if owner is not None else None
    if kind == "user":
        who = rule.get("user")
        if isinstance(who, int):
            return who
        return session.scalar(sa.select(User.id).where(User.login == str(who)))
    if kind == "field":
        value = record_value(records, section, record, rule.get("field", ""))
        return int(value) if value is not None else None
    if kind == "role":
        return session.scalar(
            sa.select(User.id).join(User.roles).where(Role.code == rule.get("role"), User.active.is_(True))
            .order_by(User.id).limit(1))
    if kind == "lookup":
        return _from_lookup(records, section, record, rule)
    raise ValidationError({"assignee": [_l("Unknown assignee rule “%(rule)s”; use one of: %(rules)s",
                                           rule=kind, rules=", ".join(RULES))]})


def _from_lookup(records, section, record, rule: dict) -> int | None:
    target = records.section(rule["section"])
    tree = resolve(rule.get("filter") or {}, records, section, record)
    clause = compile_filter(target, tree, records.user)
    user_column = target.model.__table__.c[rule.get("user_field", "user_id")]
    return records.session.scalar(sa.select(user_column).where(clause, user_column.is_not(None))
                                  .order_by(target.model.id).limit(1))


def _active(records, user_id) -> bool:
    from core.models import User

    user = records.session.get(User, user_id)
    return user is not None and user.active
