"""Who a step is for and when it is due: assignee, approver and recipient rules, due offsets, references.

A rule is a string: ``owner`` (the record's owner), ``owner_manager`` (the
owner's manager), ``role:<code>`` (the first active holder of a role),
``field:<path>`` (a user id held by a field of the record, such as
``responsible_id``), ``user:<login>``. Parameters may hold ``{"ref": "addon.key"}``
for a seeded record's id, resolved when the step runs.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError
from core.models import User


def resolve_refs(session, value):
    """``value`` with every ``{"ref": "addon.key"}`` replaced by that seeded record's id."""
    from core.addons.data import ref
    from core.errors import AddonError

    if isinstance(value, dict):
        if set(value) == {"ref"}:
            try:
                return ref(session, str(value["ref"]))
            except AddonError as exc:
                raise ValidationError(str(exc)) from None
        return {k: resolve_refs(session, v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_refs(session, v) for v in value]
    return value


def _owner(section, record):
    owner_id = getattr(record, section.owner_field, None) if section.owner_field else None
    return owner_id


def resolve_user(records, section, record, rule: str | None) -> int | None:
    """The user id a rule names for this record, or None when it names nobody (no owner, no manager)."""
    session = records.session
    rule = (rule or "owner").strip()
    if rule == "owner":
        return _owner(section, record)
    if rule == "owner_manager":
        owner_id = _owner(section, record)
        owner = session.get(User, owner_id) if owner_id is not None else None
        return owner.manager_id if owner is not None else None
    kind, _, arg = rule.partition(":")
    if kind == "role":
        from core.security.models import Role, user_role

        return session.scalar(sa.select(User.id).join(user_role, user_role.c.user_id == User.id)
                              .join(Role, Role.id == user_role.c.role_id)
                              .where(Role.code == arg, User.active.is_(True)).order_by(User.id).limit(1))
    if kind == "field":
        value = records.sudo().read(section, record).get(arg)
        return int(value) if value not in (None, "") else None
    if kind == "user":
        return session.scalar(sa.select(User.id).where(User.login == arg))
    raise ValidationError(_l("Unknown assignee rule “%(rule)s”.", rule=rule))


def resolve_email(records, section, record, rule: str | None) -> str | None:
    """An email address for a recipient rule: an address as is, else the email of the user the rule names."""
    if rule and "@" in rule and ":" not in rule:
        return rule
    user_id = resolve_user(records, section, record, rule)
    user = records.session.get(User, user_id) if user_id is not None else None
    return user.email if user is not None else None


def due_date(params: dict, today: date | None = None, now: datetime | None = None) -> date | None:
    """The due date from ``due_days`` / ``due_hours`` offsets; ``working_days`` skips Saturdays and Sundays."""
    days, hours = int(params.get("due_days") or 0), int(params.get("due_hours") or 0)
    if not days and not hours and "due_days" not in params:
        return None
    now = now or datetime.now(timezone.utc)
    day = (now + timedelta(hours=hours)).date() if hours else (today or now.date())
    if params.get("working_days"):
        left = days
        while left > 0:
            day += timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day
    return day + timedelta(days=days)
