"""The communication timeline on account and contact cards: content, order, rights and query count."""
from __future__ import annotations

import importlib
import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from core.timeline import collect_timeline

from .common import counting, login, today

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def history(records, users, xid):
    """ALTIS-LIFT with a done call last week, a meeting tomorrow, an overdue task, and a contact's email."""
    account = records.create("account", {"name": "Альтис-Лифт", "owner_id": users["alice"].id})
    contact = records.create("contact", {"first_name": "Андрей", "last_name": "Кузнецов", "account_id": account.id})
    week_ago = datetime.now(timezone.utc) - timedelta(days=7)
    call = records.create("activity", {"subject": "Первый звонок", "account_id": account.id,
                                       "activity_type_id": xid("activity_type_call"), "status": "done",
                                       "actual_start_at": week_ago, "actual_end_at": week_ago + timedelta(minutes=10)})
    tomorrow = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    meeting = records.create("activity", {"subject": "Встреча на объекте", "account_id": account.id,
                                          "activity_type_id": xid("activity_type_meeting"),
                                          "start_at": tomorrow, "end_at": tomorrow + timedelta(hours=1)})
    overdue = records.create("activity", {"subject": "Отправить КП", "account_id": account.id,
                                          "due_date": today() - timedelta(days=2), "owner_id": users["bob"].id})
    email = records.create("activity", {"subject": "Письмо с чертежами", "contact_id": contact.id,
                                        "activity_type_id": xid("activity_type_email"),
                                        "due_date": today() - timedelta(days=3), "status": "done",
                                        "actual_end_at": week_ago + timedelta(days=4)})
    other = records.create("account", {"name": "ATRAPAK"})
    records.create("activity", {"subject": "Чужая задача", "account_id": other.id})
    return account, contact, [call, meeting, overdue, email]


def test_timeline_lists_the_accounts_activities_newest_first(app, records, history):
    account, contact, (call, meeting, overdue, email) = history
    section = records.section("account")
    with app.test_request_context():
        items = collect_timeline(records, section, account)
    # Planned meeting (tomorrow) first, then the email (3 days ago), the overdue task (due 2 days ago
    # comes before it by its due day), the call a week ago; the other account's task is not there.
    assert [i.title for i in items] == ["Встреча на объекте", "Отправить КП", "Письмо с чертежами", "Первый звонок"]
    by_title = {i.title: i for i in items}
    assert by_title["Первый звонок"].kind == "call" and by_title["Первый звонок"].status == "Done"
    assert by_title["Отправить КП"].extra["overdue"] is True and by_title["Отправить КП"].owner == "Bob Ivanov"
    assert by_title["Встреча на объекте"].url == f"/activity/{meeting.id}"
    with app.test_request_context():
        contact_items = collect_timeline(records, records.section("contact"), contact)
        limited = collect_timeline(records, section, account, limit=2)
    assert [i.title for i in contact_items] == ["Письмо с чертежами"]
    assert [i.title for i in limited] == ["Встреча на объекте", "Отправить КП"]


def test_timeline_is_one_query_whatever_the_number_of_activities(app, records, history):
    account = history[0]
    section = records.section("account")
    with app.test_request_context():
        assert account.name  # loaded before counting: only the timeline's own statements count
        with counting() as few:
            collect_timeline(records, section, account)
        with records.transaction():
            for i in range(40):
                records.create("activity", {"subject": f"Звонок {i}", "account_id": account.id})
        assert account.name
        with counting() as many:
            items = collect_timeline(records, section, account)
    assert len(many) == len(few) == 1
    assert len(items) == 44


def test_card_shows_the_timeline_through_the_viewers_rights(app, client, records, history, users):
    account, contact, _ = history
    login(client, "admin")
    page = client.get(f"/account/{account.id}").get_data(as_text=True)
    assert "data-fc-timeline" in page
    titles = re.findall(r'data-fc-timeline-item data-kind="[^"]*">.*?<a href="/activity/\d+">([^<]+)</a>', page, re.S)
    assert titles == ["Встреча на объекте", "Отправить КП", "Письмо с чертежами", "Первый звонок"]
    contact_page = client.get(f"/contact/{contact.id}").get_data(as_text=True)
    assert "Письмо с чертежами" in contact_page and "Первый звонок" not in contact_page


def test_a_viewer_limited_by_a_rule_never_gets_the_statements_built_for_an_unlimited_one(
        app, client, records, history, users):
    # Timeline and detail grid statements are built once per process for viewers the rights do not limit
    # (core.ui.statements); a viewer a record rule limits must still get the rule, after and before them.
    from core.extensions import db
    from core.security.models import RecordRule, Role

    account = history[0]
    login(client, "admin")
    assert "Отправить КП" in client.get(f"/account/{account.id}").get_data(as_text=True)
    role = db.session.scalars(sa.select(Role).where(Role.code == "sales_user")).one()
    db.session.add(RecordRule(name="Own activities", section="activity", role_id=role.id,
                              domain={"field": "owner_id", "op": "eq", "value": "$me"}))
    db.session.commit()
    client.post("/logout")
    login(client, "bob")
    page = client.get(f"/account/{account.id}").get_data(as_text=True)
    assert "Отправить КП" in page  # bob's own task: in the timeline and in the activities grid
    assert page.count("Отправить КП") == 2, page
    assert "Встреча на объекте" not in page and "Первый звонок" not in page  # nobody's: the rule hides them
    client.post("/logout")
    login(client, "alice")  # the same rule with another user's id: never bob's statement
    page = client.get(f"/account/{account.id}").get_data(as_text=True)
    assert "Отправить КП" not in page and "Встреча на объекте" not in page
    client.post("/logout")
    login(client, "admin")
    page = client.get(f"/account/{account.id}").get_data(as_text=True)
    assert page.count("Встреча на объекте") == 2 and page.count("Отправить КП") == 2


_LOOP = """{% for item in items %}
    <li class="d-flex gap-2 py-1 border-bottom" data-fc-timeline-item data-kind="{{ item.kind }}">
      <span class="text-muted text-nowrap small" style="min-width: 9rem">{{ whens[loop.index0] }}</span>
      <span class="badge text-bg-light border align-self-start">{{ item.kind_label or item.kind }}</span>
      <span class="me-auto">{% if item.url %}<a href="{{ item.url }}">{{ item.title }}</a>{% else %}{{ item.title }}{% endif %}
        {% if item.owner %}<span class="text-muted small">· {{ item.owner }}</span>{% endif %}</span>
      {% if item.status %}<span class="small {{ 'text-danger' if item.extra and item.extra.overdue else 'text-muted' }}">{{ item.status }}{% if item.extra and item.extra.overdue %} · {{ _("overdue") }}{% endif %}</span>{% endif %}
    </li>
    {% endfor %}"""


@pytest.mark.parametrize("language", ["en", "ru"])
def test_timeline_rows_are_what_the_template_loop_gave(app, language):
    # The entries' <li> are built in Python (card_slots.timeline_rows); the text must be the old loop's.
    from flask import render_template_string
    from flask_babel import lazy_gettext as _l

    from core.timeline import TimelineItem

    card_slots = importlib.import_module("flowcase_addons.crm.card_slots")
    items = [
        TimelineItem(date=None, kind="call", title="A <b>&</b> \"q\"", url="/activity/1?x=<1>", owner="O'Neil & Co",
                     status="Open", kind_label="Call", extra={"overdue": True, "open": True}),
        TimelineItem(date=None, kind="lead", title="No link", status=None, kind_label=_l("Lead")),
        TimelineItem(date=None, kind="meeting", title="", url=None, owner=None, status="Done", extra={"overdue": False}),
        TimelineItem(date=None, kind="task", title=None, status="Open", extra=None),
    ]
    whens = ["1 Jan <2027>", "", "x & y", "z"]
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert str(card_slots.timeline_rows(items, whens)) == render_template_string(_LOOP, items=items, whens=whens)
