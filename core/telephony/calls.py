"""Recording call events: one ``core_telephony_call`` row and ONE call activity per PBX call id.

Events arrive in any order and may repeat (PBXs retry); each one updates the
call row and then the activity through the records service, as the system:
the PBX is not a user. The activity (crm's ``activity`` section, type
``call``) is owned by the user whose extension took or placed the call, is
linked to the contact whose normalized phone or mobile matches the outside
number (through ``flowcase_contact_match``), and is done once the call ended.
Without the ``activity`` section (crm not installed) only the call row is kept.
"""
from __future__ import annotations

import logging
from datetime import timezone

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from core.db import utcnow
from core.errors import ConflictError
from core.models import User
from core.telephony.connectors import CallEvent, Connector
from core.telephony.models import TelephonyCall
from core.telephony.numbers import match_contact, normalize_number

log = logging.getLogger(__name__)

RESULT_CODES = {"answered": "completed", "missed": "no_answer", "busy": "no_answer", "failed": "no_answer"}


def _aware(moment):
    # SQLite hands timestamps back without a zone; every stored timestamp is UTC.
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def _apply(call: TelephonyCall, event: CallEvent) -> None:
    """Fold the event's facts into the call row (later facts win, missing ones keep what is known)."""
    call.started_at, call.answered_at, call.ended_at = map(_aware, (call.started_at, call.answered_at, call.ended_at))
    for attr in ("direction", "from_number", "to_number", "extension", "recording_url", "result", "duration"):
        value = getattr(event, attr)
        if value not in (None, ""):
            setattr(call, attr, value)
    at = event.at or utcnow()
    if event.kind == "appeared":
        call.started_at = call.started_at or at
    elif event.kind == "connected":
        call.started_at = call.started_at or at
        call.answered_at = call.answered_at or at
        call.state = "connected" if call.state != "finished" else call.state
    elif event.kind in ("disconnected", "summary"):
        call.state = "finished"
        call.ended_at = call.ended_at or at
        if call.result is None:
            call.result = "answered" if call.answered_at else "missed"
        if call.duration is None and call.answered_at and call.ended_at:
            call.duration = max(0, int((call.ended_at - call.answered_at).total_seconds()))
    call.updated_at = utcnow()


def _lookup_id(records, section: str, code: str):
    if section not in records.state.sections:
        return None
    model = records.state.sections.get(section).model
    return records.session.scalar(sa.select(model.id).where(model.code == code))


def _duration_text(seconds: int | None) -> str:
    return "" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"


def _activity_values(records, call: TelephonyCall, owner: User | None) -> dict:
    number = call.from_number if call.direction == "in" else call.to_number
    subject = (_l("Incoming call from %(number)s", number=number) if call.direction == "in"
               else _l("Outgoing call to %(number)s", number=number))
    lines = [str(_l("Direction: %(d)s", d=_l("incoming") if call.direction == "in" else _l("outgoing"))),
             str(_l("From: %(n)s", n=call.from_number or "")), str(_l("To: %(n)s", n=call.to_number or ""))]
    if call.duration is not None:
        lines.append(str(_l("Duration: %(t)s", t=_duration_text(call.duration))))
    if call.result:
        lines.append(str(_l("Result: %(r)s", r=call.result)))
    if call.recording_url:
        lines.append(str(_l("Recording: %(url)s", url=call.recording_url)))
    values = {
        "subject": str(subject)[:250], "description": "\n".join(lines),
        "activity_type_id": _lookup_id(records, "activity_type", "call"),
        "status": "done" if call.state == "finished" else "open",
        "start_at": call.started_at, "actual_start_at": call.answered_at,
        "end_at": call.ended_at, "actual_end_at": call.ended_at if call.answered_at else None,
        "result_id": _lookup_id(records, "activity_result", RESULT_CODES[call.result]) if call.result else None,
    }
    if owner is not None:
        values["owner_id"] = owner.id
    if call.contact_id is not None:
        values["contact_id"] = call.contact_id
    return values


def _record_once(state, session, connector: Connector, event: CallEvent) -> TelephonyCall:
    records = state.records(sudo=True)
    with records.transaction():
        call = session.scalars(sa.select(TelephonyCall).where(
            TelephonyCall.connector == connector.name, TelephonyCall.call_id == event.call_id)).first()
        if call is None:
            call = TelephonyCall(connector=connector.name, call_id=event.call_id, state="ringing")
            session.add(call)
        _apply(call, event)
        if call.contact_id is None and event.number:
            contact = match_contact(records, phone=event.number)
            call.contact_id = contact.id if contact is not None else None
        # The row first: a concurrent first event for the same call fails here, before any activity exists.
        session.flush()
        if "activity" not in state.sections:
            return call
        login = connector.login_for(call.extension)
        owner = session.scalars(sa.select(User).where(User.login == login)).first() if login else None
        values = _activity_values(records, call, owner)
        if call.activity_id is None:
            call.activity_id = records.create("activity", values).id
        else:
            activity = records.get("activity", call.activity_id)
            current = records.read("activity", activity)
            changed = {k: v for k, v in values.items() if current.get(k) != v}
            if changed:
                records.update("activity", activity, changed)
    return call


def record_event(state, session, connector: Connector, event: CallEvent) -> TelephonyCall:
    """Log ``event``: create or update the call row and its activity, in one transaction.

    Numbers are stored in E.164. Two first events of one call racing each other
    meet the unique ``(connector, call_id)``: the loser retries once and updates.
    """
    for attr in ("number", "from_number", "to_number"):
        value = getattr(event, attr)
        # An internal extension (3-4 digits) stays as it is; outside numbers become E.164.
        if value and len(str(value).strip().lstrip("+")) > 6:
            setattr(event, attr, normalize_number(value))
    for attempt in range(2):
        try:
            return _record_once(state, session, connector, event)
        except (IntegrityError, ConflictError):
            session.rollback()
            if attempt:
                raise
            log.info("telephony: call %s/%s written concurrently, retrying", connector.name, event.call_id)
    raise AssertionError("unreachable")
