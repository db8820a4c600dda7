"""Outgoing email: templates rendered in the sandbox, queued in the write's transaction, sent over real SMTP after commit."""
import pytest
import sqlalchemy as sa

from core.errors import ValidationError
from core.jobs import enqueue
from core.mail import queue_email, queue_template_email
from core.mail.models import Email
from tests.smtp_support import free_port, mail_config, smtp_server  # noqa: F401

TEMPLATE = {
    "code": "fx.thing_news", "name": "Thing news",
    "subject": "Thing {{ record.name }} is {{ display.stage }}",
    "body": "Hello {{ to_name }},\n{{ title }} has amount {{ values.amount }}.\n",
    "subject_ru": "Вещь {{ record.name }}", "body_ru": "Здравствуйте, {{ to_name }}!\n",
}


@pytest.fixture
def mail_app(make_app, smtp_server):
    inbox, port = smtp_server
    app = make_app(addons=["fx_base", "crm"], **mail_config(port))
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        records.create("email_template", TEMPLATE)
        yield app, records, inbox


def test_template_email_for_a_record_change_is_delivered_only_after_commit(mail_app):
    app, records, inbox = mail_app
    with records.transaction():
        thing = records.create("fx_thing", {"name": "Pump", "amount": 7})
        email = queue_template_email(records, "fx.thing_news", "boss@example.com", record=thing,
                                     context={"to_name": "Boss"}, language="en")
        assert inbox.messages == []  # inside the transaction: queued, not sent
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "boss@example.com"
    assert message["From"] == "crm@flowcase.test"
    assert message["Subject"] == "Thing Pump is new"
    assert inbox.bodies() == ["Hello Boss,\nPump has amount 7.\n"]
    email_id, thing_id = email.id, thing.id
    records.session.remove()  # the end of the request: what was committed stays
    stored = records.session.get(Email, email_id)
    assert (stored.status, stored.attempts, stored.section, stored.record_id) == ("sent", 1, "fx_thing", thing_id)


def test_a_rolled_back_change_sends_nothing_and_leaves_no_email(mail_app):
    app, records, inbox = mail_app
    with pytest.raises(RuntimeError):
        with records.transaction():
            thing = records.create("fx_thing", {"name": "Doomed"})
            queue_template_email(records, "fx.thing_news", "boss@example.com", record=thing)
            raise RuntimeError("the change fails after queueing")
    assert inbox.messages == []
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Email)) == 0


def test_russian_variant_and_a_sent_email_is_never_sent_twice(mail_app):
    app, records, inbox = mail_app
    thing = records.create("fx_thing", {"name": "Насос"})
    email = queue_template_email(records, "fx.thing_news", ["a@example.com", "b@example.com"], record=thing,
                                 context={"to_name": "Иван"}, language="ru")
    assert inbox.messages[0]["Subject"] == "Вещь Насос"
    assert inbox.bodies() == ["Здравствуйте, Иван!\n"]
    assert enqueue("core.send_email", email_id=email.id) == "sent"  # a second run of the job
    assert len(inbox.messages) == 1
    assert records.session.get(Email, email.id).attempts == 1


def test_a_failed_send_is_recorded(make_app):
    app = make_app(addons=["fx_base"], **mail_config(free_port()))  # nobody listens there
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        email = queue_email(records, "x@example.com", "Hi", "Body")
        stored = records.session.get(Email, email.id)
        assert stored.status == "failed"
        assert stored.attempts == 1
        assert "Connection" in stored.error or "refused" in stored.error.lower()


def test_a_sent_email_is_logged_as_an_email_activity_of_its_record(mail_app):
    """The crm implements flowcase_email_sent; the core never imports it."""
    app, records, inbox = mail_app
    account = records.create("account", {"name": "Zhilfond"})
    queue_email(records, "ops@example.com", "Your case", "Closed.", record=account)
    activity = records.session.execute(sa.text(
        "SELECT a.subject, a.status, a.section, a.record_id, t.code FROM crm_activity a "
        "JOIN crm_activity_type t ON t.id = a.activity_type_id")).one()
    assert tuple(activity) == ("Your case", "done", "account", account.id, "email")


def test_bad_templates_and_recipients_get_clear_messages(mail_app):
    app, records, inbox = mail_app
    with pytest.raises(ValidationError) as error:
        records.create("email_template", {**TEMPLATE, "code": "broken", "body": "{% if %}"})
    assert "body" in error.value.errors
    with pytest.raises(ValidationError, match="no active email template"):
        queue_template_email(records, "no.such", "a@example.com")
    with pytest.raises(ValidationError):
        queue_email(records, "", "Subject", "Body")
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Email)) == 0


def test_templates_run_in_the_sandbox(mail_app):
    app, records, inbox = mail_app
    records.create("email_template", {**TEMPLATE, "code": "evil", "subject": "x",
                                      "body": "{{ record.__class__.__mro__ }}"})
    with pytest.raises(ValidationError, match="cannot be rendered"):
        queue_template_email(records, "evil", "a@example.com", record=records.create("fx_thing", {"name": "T"}))


def test_an_automation_emails_the_owner_when_a_record_enters_a_stage(mail_app):
    import json

    from core.users import create_user

    app, records, inbox = mail_app
    owner = create_user("olga", "pw", email="olga@example.com")
    records.create("automation", {"name": "Tell the owner", "section": "fx_thing", "trigger": "on_stage_enter",
                                  "stage": "won", "actions": json.dumps([
                                      {"type": "send_email", "template": "fx.thing_news", "to": "owner",
                                       "language": "en", "context": {"to_name": "Olga"}}])})
    thing = records.create("fx_thing", {"name": "Crane", "owner_id": owner.id})
    with pytest.raises(ValueError):
        with records.transaction():
            records.set_stage("fx_thing", thing, "won")
            raise ValueError("the stage change is rolled back")
    assert inbox.messages == []
    records.set_stage("fx_thing", records.get("fx_thing", thing.id), "won")
    assert [m["To"] for m in inbox.messages] == ["olga@example.com"]
    assert inbox.messages[0]["Subject"] == "Thing Crane is won"
