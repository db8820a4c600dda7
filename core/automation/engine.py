"""Running event automations inside the write that triggered them.

The records service calls the built-in ``flowcase_record_after_create`` /
``after_update`` / ``after_stage_change`` hooks; they find the active
automations of the record's section and trigger, check the watched fields,
the stage and the condition (a filter tree, evaluated in SQL against the
flushed record), and run the actions in the same transaction. An action that
fails raises a :class:`ValidationError` naming the automation and the reason,
so the whole write is rolled back and the user is told why.

Definitions are taken once per app context (request, job, CLI command) into
``flask.g``, like custom fields, from the per-process copy kept while the
configuration generation holds (:mod:`core.config_cache`), so an automation
saved by another process applies on its next request.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import g, has_app_context
from flask_babel import lazy_gettext as _l

from core.automation.actions import run_action
from core.automation.models import Automation, Trigger
from core.errors import ValidationError
from core.filters import compile_filter

log = logging.getLogger(__name__)

_G_KEY = "flowcase_automations"
_RUNNING_KEY = "flowcase_automations_running"


@dataclass(frozen=True)
class Rule:
    """An automation as the engine uses it (parsed once per app context)."""

    id: int
    name: str
    section: str
    trigger: str
    watched: frozenset
    stage: str | None
    condition: dict | None
    actions: tuple


def invalidate() -> None:
    """Forget this app context's copy of the automations (after one was written)."""
    if has_app_context():
        g.pop(_G_KEY, None)


def event_rules(section_name: str, trigger: str) -> list[Rule]:
    """The active event automations of a section and trigger, in sequence order."""
    if not has_app_context():
        return []
    rules = g.get(_G_KEY)
    if rules is None:
        rules = _load()
        g.setdefault(_G_KEY, rules)
    return [rule for rule in rules if rule.section == section_name and rule.trigger == trigger]


def _load() -> list[Rule]:
    from core.config_cache import cached
    from core.extensions import db

    return cached(db.session, "automations", _load_rules)


def _load_rules(session) -> list[Rule]:
    from core.config_cache import table_present

    # A database whose core schema predates automations simply has none.
    if not table_present(session, Automation.__tablename__):
        return []
    with session.no_autoflush:
        rows = session.scalars(
            sa.select(Automation).where(Automation.active.is_(True), Automation.trigger != Trigger.TIMED)
            .order_by(Automation.sequence, Automation.id)).all()
    rules = []
    for row in rows:
        try:
            rules.append(to_rule(row))
        except ValueError:  # refused on save; a hand-edited row is skipped, not fatal to every write
            log.warning("automation %s has unreadable JSON and is skipped", row.id)
    return rules


def to_rule(row: Automation) -> Rule:
    """Parse a row's JSON columns; raises ValueError when they do not parse."""
    return Rule(
        id=row.id, name=row.name, section=row.section, trigger=row.trigger,
        watched=frozenset(row.json("watched_fields", []) or []), stage=row.stage,
        condition=row.json("condition", None) or None, actions=tuple(row.json("actions", []) or []),
    )


def matches(records, section, record, condition: dict | None, **options) -> bool:
    """Whether the (flushed) record meets ``condition``, evaluated in SQL like every filter."""
    if not condition:
        return True
    clause = compile_filter(section, condition, records.user, **options)
    found = records.session.execute(sa.select(section.model.id).where(section.model.id == record.id, clause)).first()
    return found is not None


def run_rule(records, section, record, rule: Rule) -> None:
    """Run the rule's actions on ``record`` as a system write (the user stays the author).

    A failure becomes a ValidationError naming the automation; the caller's
    transaction then rolls back the triggering write with everything done so far.
    """
    system = records.sudo()
    running = records.session.info.setdefault(_RUNNING_KEY, set())
    key = (rule.id, record.id)
    if key in running:  # an action of this rule wrote the record again: do not loop
        return
    running.add(key)
    try:
        for action in rule.actions:
            run_action(system, section, record, action)
    except ValidationError as error:
        reasons = "; ".join(f"{path}: {m}" if path else str(m) for path, messages in error.errors.items() for m in messages)
        raise ValidationError(_l("Automation “%(name)s” failed: %(reason)s", name=rule.name, reason=reasons)) from error
    except Exception as error:  # noqa: BLE001 - any failure must roll back with a readable reason, never a 500
        log.exception("automation %s failed", rule.id)
        raise ValidationError(_l("Automation “%(name)s” failed: %(reason)s", name=rule.name, reason=str(error))) from error
    finally:
        running.discard(key)


def on_event(event, trigger: str) -> None:
    """Run the automations ``trigger`` fires for ``event`` (a :class:`core.record_event.RecordEvent`)."""
    rules = event_rules(event.section.name, trigger)
    if not rules:
        return
    changed = set(event.changes)
    for rule in rules:
        if trigger == Trigger.ON_UPDATE and rule.watched and not rule.watched & changed:
            continue
        if trigger == Trigger.ON_STAGE_ENTER:
            new = event.changes.get(event.section.stage_field, (None, None))[1]
            if rule.stage is not None and str(new) != str(rule.stage):
                continue
        if not matches(event.records, event.section, event.record, rule.condition):
            continue
        run_rule(event.records, event.section, event.record, rule)
