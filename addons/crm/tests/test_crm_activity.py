"""Activities: links to accounts and contacts, due dates, closing, and the planned-activity rule (ALTIS-LIFT)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from core.errors import ValidationError

pytestmark = pytest.mark.addons("crm")

TODAY = date.today()


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def utc(moment: datetime) -> datetime:
    """SQLite returns stored UTC timestamps without their zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@pytest.fixture
def client(records):
    """An account with one contact."""
    account = records.create("account", {"name": "Альтис-Лифт"})
    contact = records.create("contact", {"first_name": "Андрей", "last_name": "Кузнецов", "account_id": account.id})
    return account, contact


def test_activity_defaults_and_links(records, client, xid):
    account, contact = client
    task = records.create("activity", {"subject": "Подготовить КП", "contact_id": contact.id, "due_date": days(2)})
    assert task.activity_type_id == xid("activity_type_task")
    assert task.status == "open" and task.priority == "normal"
    # A contact brings its account, and the generic link points at the contact.
    assert task.account_id == account.id
    assert (task.section, task.record_id) == ("contact", contact.id)

    by_link = records.create("activity", {"subject": "Call", "section": "account", "record_id": account.id,
                                          "activity_type_id": xid("activity_type_call")})
    assert by_link.account_id == account.id and by_link.contact_id is None

    # Moving the activity to another account moves the generic link with it.
    other = records.create("account", {"name": "ATRAPAK"})
    records.update("activity", by_link, {"account_id": other.id})
    assert (by_link.section, by_link.record_id) == ("account", other.id)


def test_activity_link_validation(records):
    with pytest.raises(ValidationError) as caught:
        records.create("activity", {"subject": "x", "section": "nonsense", "record_id": 1})
    assert "section" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        records.create("activity", {"subject": "x", "section": "account", "record_id": 999999})
    assert "record_id" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        records.create("activity", {"subject": "x", "record_id": 1})
    assert "section" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        records.create("activity", {"subject": "x", "status": "maybe"})
    assert "status" in caught.value.errors


def test_dates_due_date_and_closing(records, client):
    account, _ = client
    start = datetime.combine(days(3), datetime.min.time(), tzinfo=timezone.utc).replace(hour=10)
    meeting = records.create("activity", {"subject": "Встреча", "account_id": account.id,
                                          "start_at": start, "end_at": start + timedelta(hours=1)})
    assert meeting.due_date == days(3)

    with pytest.raises(ValidationError) as caught:
        records.update("activity", meeting, {"end_at": start - timedelta(hours=1)})
    assert "end_at" in caught.value.errors
    records.session.refresh(meeting)

    # Rescheduling moves a due date that followed the dates ...
    records.update("activity", meeting, {"start_at": start + timedelta(days=2), "end_at": start + timedelta(days=2, hours=1)})
    assert meeting.due_date == days(5)
    # ... but never one the user chose.
    records.update("activity", meeting, {"due_date": days(10)})
    records.update("activity", meeting, {"start_at": start + timedelta(days=1), "end_at": start + timedelta(days=1, hours=1)})
    assert meeting.due_date == days(10)

    past = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=2)
    call = records.create("activity", {"subject": "Call", "account_id": account.id, "start_at": past, "end_at": past + timedelta(minutes=15)})
    records.update("activity", call, {"status": "done"})
    assert utc(call.actual_start_at) == past
    assert utc(call.actual_end_at) == past + timedelta(minutes=15)

    task = records.create("activity", {"subject": "Task", "account_id": account.id})
    records.update("activity", task, {"status": "done"})
    assert task.actual_end_at is not None and task.actual_start_at == task.actual_end_at


def _states(records, crm, today=TODAY):
    Account = crm.models.Account
    query = sa.select(Account.name, crm.planning.planned_activity_state(today)).order_by(Account.name)
    return dict(records.session.execute(query).all())


def test_planned_activity_state_none_planned_overdue(records, crm):
    none = records.create("account", {"name": "A none"})
    planned = records.create("account", {"name": "B planned"})
    overdue = records.create("account", {"name": "C overdue"})
    records.create("activity", {"subject": "done long ago", "account_id": none.id, "due_date": days(-30), "status": "done"})
    records.create("activity", {"subject": "cancelled", "account_id": none.id, "due_date": days(5), "status": "cancelled"})
    records.create("activity", {"subject": "next week", "account_id": planned.id, "due_date": days(7)})
    records.create("activity", {"subject": "today", "account_id": planned.id, "due_date": days(0)})
    records.create("activity", {"subject": "late", "account_id": overdue.id, "due_date": days(-1)})
    records.create("activity", {"subject": "also planned", "account_id": overdue.id, "due_date": days(3)})

    assert _states(records, crm) == {"A none": "none", "B planned": "planned", "C overdue": "overdue"}
    # Tomorrow, today's activity of B is overdue.
    assert _states(records, crm, days(1))["B planned"] == "overdue"

    Account = crm.models.Account
    for state, expected in (("none", ["A none"]), ("planned", ["B planned"]), ("overdue", ["C overdue"])):
        query = records.select("account").where(crm.planning.planned_activity_filter(state)).order_by(Account.name)
        assert [a.name for a in records.session.scalars(query)] == expected
    with pytest.raises(ValueError):
        crm.planning.planned_activity_filter("soon")

    # "Without a planned activity": A (nothing open) only; C has a planned one besides the late one.
    query = crm.planning.accounts_without_planned_activity(records)
    assert [a.name for a in records.session.scalars(query)] == ["A none"]
    # An undated open task counts as planned.
    records.create("activity", {"subject": "some day", "account_id": none.id})
    assert records.session.scalars(crm.planning.accounts_without_planned_activity(records)).all() == []


def test_overdue_per_owner_in_one_query(records, crm, users):
    alice, bob = users["alice"], users["bob"]
    account = records.create("account", {"name": "ТЕХНАБ", "owner_id": alice.id})
    for owner, due, status in ((alice, -3, "open"), (alice, -1, "open"), (alice, -1, "done"),
                               (bob, -10, "open"), (bob, 2, "open"), (None, -2, "open")):
        records.create("activity", {"subject": "x", "account_id": account.id, "due_date": days(due),
                                    "status": status, "owner_id": owner.id if owner else None})
    rows = crm.planning.overdue_activities_per_owner(records)
    assert [(r.owner_id, r.count, r.oldest_due_date) for r in rows] == [
        (alice.id, 2, days(-3)), (bob.id, 1, days(-10)), (None, 1, days(-2)),
    ]
    assert rows[0].owner_name == alice.name

    query = crm.planning.overdue_activities(records, owner_id=bob.id)
    assert [a.due_date for a in records.session.scalars(query)] == [days(-10)]
    query = crm.planning.accounts_without_planned_activity(records, owner_id=alice.id)
    assert records.session.scalars(query).all() == []


def test_deleting_an_account_keeps_its_history(records, client):
    account, contact = client
    activity = records.create("activity", {"subject": "Call", "contact_id": contact.id})
    records.delete("account", account)
    records.session.expire_all()
    kept = records.get("activity", activity.id)
    assert kept.account_id is None and kept.contact_id == contact.id
    assert records.get("contact", contact.id).account_id is None
