"""What the CRM adds to cards through template slots.

- ``card_top`` of an account: its planned-activity state (none / planned /
  overdue) and, after an owner change, the offer to hand over what the previous
  owner still holds;
- ``card_bottom`` of an account or a contact: the communication timeline that
  every installed add-on feeds through ``flowcase_timeline_items``.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from core.db import utcnow
from core.handover import count_group, handover_groups
from core.records import records_for
from core.timeline import TIMELINE_LIMIT, collect_timeline, moment_text

from .handover import previous_owner_id
from .models import Account
from .planning import planned_activity_state
from .timeline import account_state_and_rows

#: Labels of the planned-activity states.
STATE_LABELS = {
    "none": _l("No planned activity"),
    "planned": _l("Activity planned"),
    "overdue": _l("Overdue activity"),
}
#: Bootstrap colours of the states (Odoo's kanban grey / green / red).
STATE_COLOURS = {"none": "secondary", "planned": "success", "overdue": "danger"}
TIMELINE_SECTIONS = ("account", "contact")


#: ``(UTC day, statement)``: the planned-activity state of one account (its id a parameter), built once a day
#: rather than per card (the CASE of two correlated EXISTS cost more to build than to run).
_STATE_QUERY: list = [None, None]


def _state_query():
    today = utcnow().date()
    if _STATE_QUERY[0] != today:
        _STATE_QUERY[1] = sa.select(planned_activity_state(today)).where(Account.id == sa.bindparam("fc_account_id"))
        _STATE_QUERY[0] = today
    return _STATE_QUERY[1]


def account_top(records, section, record) -> Markup:
    """The account's planned-activity badge and, when due, the hand-over offer."""
    # With the timeline's activities (one statement; the card's bottom takes the rows), else alone.
    state = account_state_and_rows(section, record, records, TIMELINE_LIMIT, utcnow().date())
    if state is None:
        state = records.session.scalar(_state_query(), {"fc_account_id": record.id})
    offer = None
    old_owner_id = previous_owner_id(records, section, record)
    if old_owner_id is not None and record.owner_id is not None and records.can(section, "update", record):
        groups = handover_groups(records, section, record, old_owner_id, record.owner_id)
        total = sum(count_group(records, g) for g in groups)
        if total:
            offer = {"total": total, "url": url_for("crm.handover", record_id=record.id, **{"from": old_owner_id})}
    return Markup(render_template("crm/account_top.html", state=state, label=STATE_LABELS.get(state, state),
                                  colour=STATE_COLOURS.get(state, "secondary"), offer=offer))


def timeline(records, section, record) -> Markup:
    """The communication timeline of an account or contact."""
    items = collect_timeline(records, section, record)
    whens = [moment_text(item.date) for item in items]
    return Markup(render_template("crm/timeline.html", items=items, whens=whens, rows=timeline_rows(items, whens)))


def timeline_rows(items, whens) -> Markup:
    """The ``<li>`` of every timeline entry as one string (the template prints it inside its list).

    A Jinja loop over the entries cost more than the timeline's queries; the text is what the loop gave.
    """
    overdue_text = None
    parts = []
    for item, when in zip(items, whens):
        link = f'<a href="{escape(item.url)}">{escape(item.title)}</a>' if item.url else escape(item.title)
        owner = f'<span class="text-muted small">· {escape(item.owner)}</span>' if item.owner else ""
        status = ""
        if item.status:
            overdue = bool(item.extra and item.extra.get("overdue"))
            if overdue and overdue_text is None:
                overdue_text = Markup(_("overdue"))  # as the template's _() gave it: marked safe, not escaped
            status = (f'<span class="small {"text-danger" if overdue else "text-muted"}">{escape(item.status)}'
                      f'{f" · {overdue_text}" if overdue else ""}</span>')
        parts.append(
            f'\n    <li class="d-flex gap-2 py-1 border-bottom" data-fc-timeline-item data-kind="{escape(item.kind)}">'
            f'\n      <span class="text-muted text-nowrap small" style="min-width: 9rem">{escape(when)}</span>'
            f'\n      <span class="badge text-bg-light border align-self-start">{escape(item.kind_label or item.kind)}</span>'
            f'\n      <span class="me-auto">{link}\n        {owner}</span>\n      {status}\n    </li>\n    ')
    return Markup("".join(parts))


def render_slot(slot: str, context: dict):
    """Answer ``flowcase_template_slot`` for the CRM's cards; None elsewhere."""
    section, record = context.get("section"), context.get("record")
    if section is None or record is None:
        return None
    if slot == "card_top" and section.name == "account":
        return account_top(records_for(), section, record)
    if slot == "card_bottom" and section.name in TIMELINE_SECTIONS:
        return timeline(records_for(), section, record)
    return None
