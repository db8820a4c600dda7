"""Turning one accepted submission into a record through the records service.

The visitor's values (only the configured fields) and the form's hidden
defaults are written as the form's technical user, or as the system when the
form names none. Known contacts are **linked, not duplicated**: when the target
section has a ``contact_id`` field, the submitted email and phone are looked
up through the ``flowcase_contact_match`` hook (crm matches its normalized
email, phone and mobile columns) and the record gets that contact (and the
contact's account, when the section has ``account_id``); no contact is ever
created by a form. The section's duplicate rules still run: ``warn`` rules are
taken as confirmed (a visitor cannot answer a question), ``block`` rules refuse
the submission with 409.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.dedup.check import DuplicateError, confirm_duplicates
from core.errors import AccessDenied, ValidationError
from core.models import User
from core.webforms.guard import Refusal
from core.webforms.spec import FormField, parse_defaults, parse_fields


def visible_values(form, payload: dict) -> tuple[dict, dict]:
    """The configured fields' values from ``payload`` by path, and ``{input name: [message]}`` for missing ones."""
    values, errors = {}, {}
    for item in parse_fields(form.fields):
        raw = payload.get(item.input_name, payload.get(item.path))
        if isinstance(raw, str):
            raw = raw.strip()
        if raw in (None, "", []):
            if item.required:
                errors[item.input_name] = [_l("Fill in %(label)s.", label=item.label)]
            continue
        values[item.path] = raw
    return values, errors


def _link_contact(records, section, values: dict) -> None:
    if section.field("contact_id") is None or values.get("contact_id"):
        return
    email, phone = values.get("email"), values.get("phone")
    if not (email or phone):
        return
    from core.telephony.numbers import match_contact

    # Matched as the system: a technical user may not read contacts, and only the id is used.
    contact = match_contact(records.sudo(), phone=phone, email=email)
    if contact is None:
        return
    values["contact_id"] = contact.id
    if section.field("account_id") is not None and getattr(contact, "account_id", None) and not values.get("account_id"):
        values["account_id"] = contact.account_id


def create_from_submission(state, session, form, payload: dict):
    """Create the record a submission asks for and return it; :class:`Refusal` (422/409/403) when it cannot."""
    section = state.sections.get(form.section) if form.section in state.sections else None
    if section is None:
        raise Refusal(404, _l("This form is not available."))
    values, errors = visible_values(form, payload)
    if errors:
        raise Refusal(422, _l("Correct the fields marked."), errors)
    values = {**values, **parse_defaults(form.defaults)}  # hidden defaults win: a visitor cannot change them
    user = session.get(User, form.user_id) if form.user_id else None
    records = state.records(user) if user is not None else state.records(sudo=True)
    _link_contact(records, section, values)
    names = {item.path: item.input_name for item in parse_fields(form.fields)}
    try:
        with confirm_duplicates(records):
            return records.create(section, values)
    except DuplicateError as error:
        raise Refusal(409, _l("We already have this request."), {}) from error
    except ValidationError as error:
        # Keys are field paths; the visitor's page knows its inputs by their names.
        by_input = {names.get(path, path): [str(m) for m in messages] for path, messages in error.errors.items()}
        raise Refusal(422, _l("Correct the fields marked."), by_input) from error
    except AccessDenied as error:
        raise Refusal(403, _l("This form is not available."), {}) from error


def form_fields(form) -> list[FormField]:
    """The fields the page shows, in their configured order."""
    return parse_fields(form.fields)
