"""The CRM's hook implementations: its sections and menus, checks and derived values on every write, demo data.

Derived values (a contact's full name and matching keys, an activity's links
and due date) are set in the ``before_create``/``before_update`` hooks, so
they are right whichever door the write came through: a page, the API, an
import or another add-on's hook. They are added to ``event.changes`` so the
change log shows them too.

Queries about planned and overdue activities are in :mod:`.planning`; the
demo generator is in :mod:`.demo_generator`.
"""
from __future__ import annotations

from datetime import datetime, timezone
from functools import partial

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.menus import MenuItem
from core.plugins import hookimpl

from .models import Account, Activity, ActivityStatus, Contact, CrmActivityType
from .normalize import full_name, is_valid_email, normalize_email, normalize_phone
from .sections import crm_sections

#: Code of the activity type an activity gets when none is chosen.
DEFAULT_ACTIVITY_TYPE_CODE = "task"
#: How far up a chain of parent accounts a cycle is looked for.
_MAX_PARENT_DEPTH = 100


# -- registration --------------------------------------------------------------------

@hookimpl
def flowcase_register_sections(app):
    return crm_sections()


@hookimpl
def flowcase_register_menus(app):
    # Plain paths: a section's page path is its name (DESIGN.md, "Names").
    return [
        MenuItem(label=_l("My activities"), target="crm.my_activities", area="sales", sequence=5),
        MenuItem(label=_l("Accounts"), target="/account/", area="sales", sequence=10),
        MenuItem(label=_l("Contacts"), target="/contact/", area="sales", sequence=20),
        MenuItem(label=_l("Activities"), target="/activity/", area="sales", sequence=30),
    ]


@hookimpl
def flowcase_register_blueprints(app):
    from .views import bp

    return [bp]


# -- cards: planned-activity state, hand-over offer, timeline ---------------------------

@hookimpl
def flowcase_template_slot(slot, context):
    from .card_slots import render_slot

    return render_slot(slot, context)


@hookimpl
def flowcase_timeline_items(section, record, records, limit):
    from .timeline import activity_items

    return activity_items(section, record, records, limit)


@hookimpl
def flowcase_owner_handover(section, record, old_owner_id, new_owner_id, records):
    from .handover import account_groups

    return account_groups(section, record, old_owner_id, new_owner_id, records)


# -- validation --------------------------------------------------------------------

def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands timestamps back without a zone; every stored timestamp is UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _before(later: datetime | None, earlier: datetime | None) -> bool:
    """True when both are set and ``later`` is earlier than ``earlier``."""
    return later is not None and earlier is not None and _aware(later) < _aware(earlier)


def _given(event, field: str):
    """The non-empty value being written to ``field``, or None (unchanged fields are not re-checked)."""
    value = event.values.get(field)
    return value if value not in (None, "") else None


def _check_communication(event, errors: dict) -> None:
    email = _given(event, "email")
    if email is not None:
        if "@" not in email:
            errors["email"] = [_l("An email address must contain @, like name@example.com.")]
        elif not is_valid_email(email):
            errors["email"] = [_l("An email address needs a name before @ and a domain after it, like name@example.com.")]
    for field in ("phone", "mobile"):
        number = _given(event, field)
        if number is not None and normalize_phone(number) is None:
            errors[field] = [_l("A phone number must contain digits.")]


def _check_account(event, errors: dict) -> None:
    record = event.record
    if record.parent_id is None or "parent_id" not in event.values:
        return
    if record.id is not None and record.parent_id == record.id:
        errors["parent_id"] = [_l("An account cannot be its own parent.")]
        return
    seen, parent_id = set(), record.parent_id
    session = event.records.session
    while parent_id is not None and len(seen) < _MAX_PARENT_DEPTH:
        if record.id is not None and parent_id == record.id:
            errors["parent_id"] = [_l("This parent would make a loop of parent accounts.")]
            return
        seen.add(parent_id)
        parent = session.get(Account, parent_id)
        parent_id = parent.parent_id if parent is not None else None


def _check_contact(event, errors: dict) -> None:
    record = event.record
    if not ((record.first_name or "").strip() or (record.last_name or "").strip()):
        errors["last_name"] = [_l("Enter a first name or a last name.")]


def _check_activity(event, errors: dict) -> None:
    record = event.record
    if _before(record.end_at, record.start_at):
        errors["end_at"] = [_l("The end must not be before the start.")]
    if _before(record.actual_end_at, record.actual_start_at):
        errors["actual_end_at"] = [_l("The actual end must not be before the actual start.")]
    if record.record_id is not None and not record.section:
        errors["section"] = [_l("Choose the section of the record this activity concerns.")]
    elif record.section:
        sections = event.records.state.sections
        if record.section not in sections:
            errors["section"] = [_l("There is no section named %(name)s.", name=record.section)]
        elif record.record_id is None:
            errors["record_id"] = [_l("Choose the record this activity concerns.")]
        elif event.records.session.get(sections.get(record.section).model, record.record_id) is None:
            errors["record_id"] = [_l("%(section)s #%(id)s does not exist.",
                                      section=sections.get(record.section).title, id=record.record_id)]


@hookimpl
def flowcase_record_validate(event):
    errors: dict = {}
    record = event.record
    if isinstance(record, (Account, Contact)):
        _check_communication(event, errors)
    if isinstance(record, Account):
        _check_account(event, errors)
    elif isinstance(record, Contact):
        _check_contact(event, errors)
    elif isinstance(record, Activity):
        _check_activity(event, errors)
    return errors or None


# -- derived values ------------------------------------------------------------------


def _prepare_contact(event) -> None:
    record = event.record
    # A new record holds its values in its __dict__ (what is not there is None): read there, not through
    # the ORM's attribute machinery, as an import creates thousands.
    get = record.__dict__.get if event.operation == "create" else partial(getattr, record)
    event.set("name", full_name(get("first_name"), get("middle_name"), get("last_name")))
    for field, value in (("phone_normalized", normalize_phone(get("phone"))),
                         ("mobile_normalized", normalize_phone(get("mobile"))),
                         ("email_normalized", normalize_email(get("email")))):
        if value is not None or field in record.__dict__ or event.operation != "create":
            # A key never set on a new record is None: setting None is a no-op, read through the ORM's slow path.
            event.set(field, value)


def _link_activity(event) -> None:
    """Keep the generic link (``section`` + ``record_id``) and ``account_id``/``contact_id`` in step.

    Whichever side the write changed leads: a new ``section``/``record_id`` on
    an account or contact fills ``account_id``/``contact_id``; a new
    ``account_id``/``contact_id`` moves a generic link that pointed at an
    account or contact (or nowhere). A contact brings its account along
    unless the write names an account itself.
    """
    record, written = event.record, event.written
    session = event.records.session
    generic_leads = bool({"section", "record_id"} & written) or record.section not in (None, "account", "contact")
    if generic_leads:
        if record.section == "account":
            event.set("account_id", record.record_id)
        elif record.section == "contact":
            event.set("contact_id", record.record_id)
        elif record.section is not None and record.record_id is not None:
            _take_parties_of_linked(event, record)
    if record.contact_id is not None and "contact_id" in event.written and "account_id" not in event.values:
        contact = session.get(Contact, record.contact_id)
        if contact is not None and contact.account_id is not None:
            event.set("account_id", contact.account_id)
    if not generic_leads:
        if record.contact_id is not None:
            event.set("section", "contact")
            event.set("record_id", record.contact_id)
        elif record.account_id is not None:
            event.set("section", "account")
            event.set("record_id", record.account_id)
        else:
            event.set("section", None)
            event.set("record_id", None)


def _take_parties_of_linked(event, record) -> None:
    """An activity about a lead, a sale or a project counts for that record's account and contact.

    Otherwise a process task on an opportunity would leave its account
    "without a planned activity".
    """
    sections = event.records.state.sections
    if record.section not in sections:
        return
    linked = event.records.session.get(sections.get(record.section).model, record.record_id)
    for field in ("account_id", "contact_id"):
        value = getattr(linked, field, None)
        if value is not None and getattr(record, field) is None and field not in event.values:
            event.set(field, value)


def _derived_due(start_at, end_at):
    moment = end_at or start_at
    return moment.date() if moment is not None else None


def _prepare_activity(event) -> None:
    record, written = event.record, event.written
    session = event.records.session
    if record.activity_type_id is None and event.operation == "create":
        default = session.scalar(sa.select(CrmActivityType.id).where(CrmActivityType.code == DEFAULT_ACTIVITY_TYPE_CODE))
        event.set("activity_type_id", default)
    _link_activity(event)
    # Due date follows the planned dates unless the user set one of their own.
    if "due_date" not in written:
        if event.operation == "create":
            if record.due_date is None:
                event.set("due_date", _derived_due(record.start_at, record.end_at))
        elif {"start_at", "end_at"} & written:
            old_start = event.changes.get("start_at", (record.start_at,))[0]
            old_end = event.changes.get("end_at", (record.end_at,))[0]
            if record.due_date is None or record.due_date == _derived_due(old_start, old_end):
                event.set("due_date", _derived_due(record.start_at, record.end_at))
    # Closing an activity records when the work really happened (project plan vs fact).
    if "status" in written and record.status == ActivityStatus.DONE:
        now = utcnow()
        if record.actual_end_at is None:
            # A planned end already past (a history import, a late click) is the better guess than now.
            event.set("actual_end_at", record.end_at if _before(record.end_at, now) else now)
        if record.actual_start_at is None:
            # The planned start, unless the work was closed before it was due to begin.
            started = record.start_at if not _before(record.actual_end_at, record.start_at) else None
            event.set("actual_start_at", started or record.actual_end_at)


def _prepare(event) -> None:
    record = event.record
    if not isinstance(record, (Account, Contact, Activity)):
        return
    # New records belong to whoever creates them unless an owner is chosen.
    if event.operation == "create" and event.user is not None and record.owner_id is None:
        event.set("owner_id", event.user.id)
    if isinstance(record, Contact):
        _prepare_contact(event)
    elif isinstance(record, Activity):
        _prepare_activity(event)


@hookimpl
def flowcase_record_before_create(event):
    _prepare(event)


@hookimpl
def flowcase_record_before_update(event):
    _prepare(event)


# -- outgoing email --------------------------------------------------------------------

@hookimpl
def flowcase_email_sent(email, records):
    """Log every sent email as a done activity of type ``email`` on the record it concerns."""
    from .email_log import log_sent_email

    log_sent_email(email, records)


# -- demo -----------------------------------------------------------------------------

@hookimpl
def flowcase_demo_generate(records, scale):
    """Generated accounts, contacts and activities for ``flowcase demo --scale N`` (see :mod:`.demo_generator`)."""
    if scale and scale > 0:
        from .demo_generator import generate

        generate(records, scale)


# -- matching a caller or sender to a contact (telephony, web forms, mail) -----------------

@hookimpl
def flowcase_contact_match(records, phone, email):
    """The first contact (lowest id) whose normalized phone, mobile or email equals the one given.

    The core passes E.164 (``+74951234567``); crm's own keys are the same form
    for Russian and international numbers, and the columns are indexed.
    """
    keys = []
    if phone:
        keys.extend([Contact.phone_normalized == phone, Contact.mobile_normalized == phone])
    if email:
        keys.append(Contact.email_normalized == email)
    if not keys:
        return None
    stmt = records.select("contact").where(sa.or_(*keys)).order_by(Contact.id).limit(1)
    return records.session.scalars(stmt).first()
