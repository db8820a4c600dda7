"""Incoming email (CASES.md case 7, EQUIP GROUP): a real dovecot on loopback, polled like a production mailbox.

Messages are filed on the IMAP server with APPEND; the ``core.fetch_mail``
job (or ``flowcase mail fetch``) takes them in: a new request to the sales
mailbox becomes a lead with an email activity, a known sender is linked to
their contact, a reply joins its thread, nothing is taken in twice, and one
broken message does not stop the others.
"""
from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
import sqlalchemy as sa

from core.errors import AccessDenied
from core.extensions import db
from core.jobs import enqueue, run_periodic_now
from core.mail.incoming.models import IncomingAttachment, IncomingEmail, Mailbox
from core.mail.incoming.poll import fetch_all
from core.timeline import collect_timeline
from core.users import create_user
from tests.imap_support import imap_server  # noqa: F401

LOGIN, PASSWORD = "sales", "s3cret-imap"


def make_message(subject, sender="Olga Smirnova <olga.smirnova@equip.example>", body="Please quote 3 combi ovens.",
                 message_id=None, in_reply_to=None, references=None, attachments=()):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "sales@equipgroup.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 3, 2, 9, 30).astimezone())
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    message.set_content(body)
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


@pytest.fixture
def mail_in(make_app, imap_server):
    """An app with sales installed, a sales mailbox on the dovecot, and the server."""
    imap_server.add_user(LOGIN, PASSWORD)
    app = make_app(addons=["sales"], FLOWCASE_MAIL_IN_MAX_ATTACHMENT=2000)
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        records.create("mailbox", {
            "name": "Sales", "host": "127.0.0.1", "port": imap_server.port, "security": "plain",
            "login": LOGIN, "password": PASSWORD, "folder": "INBOX", "section": "lead",
            "defaults": "source = email", "active": True,
        })
        yield app, records, imap_server


def deliver(server, raw):
    server.deliver(LOGIN, PASSWORD, raw)


def leads():
    return db.session.execute(sa.text(
        "SELECT id, name, source, person_name, email, contact_id, need FROM sales_lead ORDER BY id")).all()


def email_activities():
    return db.session.execute(sa.text(
        "SELECT a.subject, a.section, a.record_id, a.contact_id, a.status, t.code FROM crm_activity a "
        "JOIN crm_activity_type t ON t.id = a.activity_type_id ORDER BY a.id")).all()


def test_an_email_to_the_sales_mailbox_becomes_a_lead_with_an_email_activity(mail_in):
    app, records, server = mail_in
    deliver(server, make_message("Quote for 3 combi ovens", message_id="<q1@equip.example>"))
    # The periodic job is what runs in production (every five minutes).
    assert "flowcase.periodic.core.fetch_mail" in run_periodic_now(app, at=datetime(2026, 3, 2, 10, 5))
    db.session.expire_all()
    [lead] = leads()
    assert lead.name == "Quote for 3 combi ovens" and lead.source == "email"
    assert (lead.person_name, lead.email, lead.contact_id) == ("Olga Smirnova", "olga.smirnova@equip.example", None)
    assert "Please quote 3 combi ovens." in lead.need
    assert email_activities() == [("Quote for 3 combi ovens", "lead", lead.id, None, "done", "email")]
    stored = db.session.scalars(sa.select(IncomingEmail)).one()
    assert (stored.message_id, stored.section, stored.record_id) == ("<q1@equip.example>", "lead", lead.id)
    # Flagged on the server once committed: read, and marked as taken in.
    assert server.flags(LOGIN, PASSWORD) == ["\\Seen $FlowcaseFetched"]
    mailbox = db.session.scalars(sa.select(Mailbox)).one()
    assert mailbox.last_fetch_at is not None and mailbox.last_error is None


def test_a_known_sender_is_linked_to_their_contact_and_the_email_is_in_their_history(mail_in):
    app, records, server = mail_in
    account = records.create("account", {"name": "Kitchen Pro GmbH"})
    contact = records.create("contact", {"first_name": "Olga", "last_name": "Smirnova", "account_id": account.id,
                                         "email": "Olga.Smirnova@Equip.Example"})
    deliver(server, make_message("Spare parts", sender="O. Smirnova <OLGA.SMIRNOVA@equip.example>",
                                 message_id="<p1@equip.example>"))
    assert enqueue("core.fetch_mail") == ["Sales: 1 created, 0 threaded, 0 stored, 0 duplicates, 0 failed"]
    db.session.expire_all()
    [lead] = leads()
    assert lead.contact_id == contact.id
    assert db.session.scalar(sa.text("SELECT account_id FROM sales_lead")) == account.id
    assert db.session.scalar(sa.text("SELECT count(*) FROM crm_contact")) == 1  # linked, not duplicated
    assert email_activities() == [("Spare parts", "lead", lead.id, contact.id, "done", "email")]
    with app.test_request_context():  # the timeline links its entries to their pages
        timeline = collect_timeline(records, records.section("contact"), db.session.get(type(contact), contact.id))
    assert [(item.kind, item.title) for item in timeline if item.kind == "email"] == [("email", "Spare parts")]


def test_a_reply_joins_the_record_of_its_thread_incoming_or_outgoing(mail_in):
    app, records, server = mail_in
    deliver(server, make_message("Combi ovens", message_id="<first@equip.example>"))
    fetch_all(app)
    [lead] = leads()
    # The client answers our answer: In-Reply-To names the first message.
    deliver(server, make_message("Re: Combi ovens", body="Yes, 3 pieces.", message_id="<second@equip.example>",
                                 in_reply_to="<first@equip.example>", references="<first@equip.example>"))
    # An email we sent about the lead, and the client's reply to it (References only, as some clients do).
    from core.mail import queue_email
    from core.mail.models import Email

    app.config["FLOWCASE_JOBS_IMMEDIATE"] = True
    sent = queue_email(records, "olga.smirnova@equip.example", "Our offer", "See attached.",
                       record=db.session.get(records.section("lead").model, lead.id))
    outgoing_id = db.session.get(Email, sent.id).message_id
    deliver(server, make_message("Re: Our offer", message_id="<third@equip.example>",
                                 references=f"<unknown@elsewhere.example> {outgoing_id}"))
    [report] = fetch_all(app)
    assert (report.created, report.threaded, report.failed) == (0, 2, 0)
    db.session.expire_all()
    assert len(leads()) == 1
    rows = db.session.execute(sa.select(IncomingEmail.message_id, IncomingEmail.section, IncomingEmail.record_id)
                              .order_by(IncomingEmail.id)).all()
    assert [tuple(row) for row in rows] == [("<first@equip.example>", "lead", lead.id),
                                             ("<second@equip.example>", "lead", lead.id),
                                             ("<third@equip.example>", "lead", lead.id)]
    assert [(a.subject, a.record_id) for a in email_activities()] == [
        ("Combi ovens", lead.id), ("Re: Combi ovens", lead.id), ("Re: Our offer", lead.id)]


def test_fetching_again_never_duplicates(mail_in):
    app, records, server = mail_in
    raw = make_message("Ovens", message_id="<same@equip.example>")
    deliver(server, raw)
    deliver(server, raw)  # the same message filed twice (a forward rule, a second recipient)
    [report] = fetch_all(app)
    assert (report.created, report.duplicates) == (1, 1)
    server.unflag_all(LOGIN, PASSWORD)  # as if the flags had never been set
    [report] = fetch_all(app)
    assert (report.created, report.duplicates) == (0, 2)
    assert fetch_all(app)[0].duplicates == 0  # flagged now: nothing pending
    db.session.expire_all()
    assert len(leads()) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IncomingEmail)) == 1
    assert server.flags(LOGIN, PASSWORD) == ["\\Seen $FlowcaseFetched"] * 2


def test_attachments_are_kept_and_downloadable_by_an_admin_big_ones_by_name_only(mail_in):
    app, records, server = mail_in
    drawing = b"%PDF-1.4 drawing of the kitchen\n" * 10
    deliver(server, make_message("Kitchen plan", message_id="<plan@equip.example>", attachments=[
        ("план кухни.pdf", "application/pdf", drawing), ("video.mp4", "video/mp4", b"\0" * 5000)]))
    fetch_all(app)
    db.session.expire_all()
    files = db.session.scalars(sa.select(IncomingAttachment).order_by(IncomingAttachment.id)).all()
    assert [(f.filename, f.content_type, f.size) for f in files] == [
        ("план кухни.pdf", "application/pdf", len(drawing)), ("video.mp4", "video/mp4", 5000)]
    assert files[0].content == drawing and files[1].content is None  # over FLOWCASE_MAIL_IN_MAX_ATTACHMENT
    [activity] = email_activities()
    assert "план кухни.pdf" in db.session.scalar(sa.text("SELECT description FROM crm_activity"))
    create_user("root", "pw", superuser=True)
    create_user("clerk", "pw")
    client = app.test_client()
    client.post("/login", data={"login": "clerk", "password": "pw"})
    assert client.get(f"/admin/incoming_email/attachment/{files[0].id}").status_code == 403
    client.post("/logout")
    client.post("/login", data={"login": "root", "password": "pw"})
    listing = client.get("/admin/incoming_email/").get_data(as_text=True)
    assert "Kitchen plan" in listing and "over the size limit" in listing
    download = client.get(f"/admin/incoming_email/attachment/{files[0].id}")
    assert download.status_code == 200 and download.data == drawing
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert client.get(f"/admin/incoming_email/attachment/{files[1].id}").status_code == 404
    client.post("/logout")
    # Users download them from the email activity's card, with that card's rights.
    activity_id = db.session.scalar(sa.select(IncomingEmail.activity_id))
    seller = create_user("seller", "pw")
    from core.security.models import Role

    seller.roles.append(db.session.scalars(sa.select(Role).where(Role.code == "sales_user")).one())
    db.session.commit()
    client.post("/login", data={"login": "seller", "password": "pw"})
    card = client.get(f"/activity/{activity_id}").get_data(as_text=True)
    assert "Email attachments" in card and f"/mail/attachments/{files[0].id}" in card
    assert "over the size limit" in card and f"/mail/attachments/{files[1].id}" not in card
    download = client.get(f"/mail/attachments/{files[0].id}")
    assert download.status_code == 200 and download.data == drawing
    client.post("/logout")
    client.post("/login", data={"login": "clerk", "password": "pw"})  # no role: the activity is hidden from them
    assert client.get(f"/mail/attachments/{files[0].id}").status_code == 404
    client.post("/logout")
    assert client.get(f"/mail/attachments/{files[0].id}").status_code in (302, 401)


def test_a_broken_message_is_logged_and_skipped_and_the_others_go_in(mail_in, caplog):
    app, records, server = mail_in
    deliver(server, make_message("First request", message_id="<ok1@equip.example>"))
    deliver(server, b"\r\nno headers at all, not an email\r\n")
    deliver(server, make_message("Second request", message_id="<ok2@equip.example>"))
    [report] = fetch_all(app)
    assert (report.created, report.failed) == (2, 1)
    assert "message uid 2 skipped" in caplog.text
    db.session.expire_all()
    assert [lead.name for lead in leads()] == ["First request", "Second request"]
    # Left unread on the server, to be tried again (and reported) next time; the good ones are not taken twice.
    assert server.flags(LOGIN, PASSWORD) == ["\\Seen $FlowcaseFetched", "", "\\Seen $FlowcaseFetched"]
    assert "uid 2" in db.session.scalars(sa.select(Mailbox.last_error)).one()
    [report] = fetch_all(app)
    assert (report.created, report.failed) == (0, 1)


def test_an_existing_mailbox_s_read_history_is_not_imported_but_unread_and_new_mail_is(mail_in):
    app, records, server = mail_in
    long_ago = datetime(2024, 5, 6, 10, 0, tzinfo=timezone.utc)
    server.deliver(LOGIN, PASSWORD, make_message("Old and read", message_id="<old1@equip.example>"),
                   flags="(\\Seen)", arrived=long_ago)
    server.deliver(LOGIN, PASSWORD, make_message("Old, never read", message_id="<old2@equip.example>"),
                   arrived=long_ago)
    # Arrived after the mailbox was set up and already read by someone in their mail client: still a lead.
    server.deliver(LOGIN, PASSWORD, make_message("New, read in Thunderbird", message_id="<new1@equip.example>"),
                   flags="(\\Seen)")
    fetch_all(app)
    db.session.expire_all()
    assert [lead.name for lead in leads()] == ["Old, never read", "New, read in Thunderbird"]
    assert server.flags(LOGIN, PASSWORD) == ["\\Seen", "\\Seen $FlowcaseFetched", "\\Seen $FlowcaseFetched"]


def test_an_unreachable_mailbox_records_its_error_and_the_others_are_still_read(mail_in):
    app, records, server = mail_in
    records.create("mailbox", {"name": "Wrong password", "host": "127.0.0.1", "port": server.port,
                               "security": "plain", "login": LOGIN, "password": "nope", "section": "lead"})
    deliver(server, make_message("Still arrives", message_id="<still@equip.example>"))
    reports = {report.mailbox: report for report in fetch_all(app)}
    assert reports["Sales"].created == 1 and reports["Sales"].error is None
    assert "AUTHENTICATIONFAILED" in reports["Wrong password"].error or "fail" in reports["Wrong password"].error
    db.session.expire_all()
    errors = dict(db.session.execute(sa.select(Mailbox.name, Mailbox.last_error)).all())
    assert errors["Sales"] is None and errors["Wrong password"]


def test_a_poll_does_not_count_as_an_edit_of_the_mailbox(mail_in):
    """An admin who opened the mailbox before a poll still saves it; the poll leaves no change-log row."""
    from core.models import ChangeLog

    app, records, server = mail_in
    mailbox = db.session.scalars(sa.select(Mailbox)).one()
    opened_version, opened_at = mailbox.version, mailbox.updated_at
    fetch_all(app)
    db.session.expire_all()
    polled = db.session.get(Mailbox, mailbox.id)
    assert polled.last_fetch_at is not None
    assert (polled.version, polled.updated_at) == (opened_version, opened_at)
    logged = db.session.scalars(sa.select(ChangeLog.field).where(
        ChangeLog.section == "mailbox", ChangeLog.record_id == mailbox.id, ChangeLog.operation == "update")).all()
    assert logged == []
    records.update("mailbox", mailbox.id, {"folder": "Sales"}, expected_version=opened_version)
    assert db.session.get(Mailbox, mailbox.id).folder == "Sales"


def test_flowcase_mail_fetch_command(mail_in):
    from core.cli import flowcase_cli

    app, records, server = mail_in
    deliver(server, make_message("From the command line", message_id="<cli@equip.example>"))
    runner = app.test_cli_runner()
    result = runner.invoke(flowcase_cli, ["mail", "fetch"])
    assert result.exit_code == 0, result.output
    assert "Sales: 1 created" in result.output
    result = runner.invoke(flowcase_cli, ["mail", "fetch", "--mailbox", "Nope"])
    assert result.exit_code != 0 and "no mailbox named" in result.output


def test_mailboxes_are_configured_by_superusers_only_and_checked(mail_in):
    app, records, server = mail_in
    state = app.extensions["flowcase"]
    create_user("root", "pw", superuser=True)
    clerk = create_user("clerk", "pw")
    as_clerk = state.records(user=clerk)
    assert db.session.scalars(as_clerk.select("mailbox")).all() == []
    with pytest.raises(AccessDenied):
        as_clerk.create("mailbox", {"name": "Mine", "host": "127.0.0.1", "port": 143, "security": "plain",
                                    "login": "x", "password": "y"})
    client = app.test_client()
    client.post("/login", data={"login": "clerk", "password": "pw"})
    assert client.get("/admin/mailboxes/").status_code == 403
    mailbox_id = db.session.scalar(sa.select(Mailbox.id))
    assert client.get(f"/mailbox/{mailbox_id}").status_code == 404  # hidden on the pages too, even by URL
    assert client.get(f"/mailbox/{mailbox_id}/edit").status_code in (403, 404)
    client.post("/logout")
    client.post("/login", data={"login": "root", "password": "pw"})
    listing = client.get("/admin/mailboxes/").get_data(as_text=True)
    assert "Sales" in listing and PASSWORD not in listing
    edit = client.get(f"/admin/mailboxes/edit/?id={mailbox_id}").get_data(as_text=True)
    assert 'name="password"' in edit and PASSWORD not in edit  # never sent back to the browser
    # Plain IMAP off loopback, a wrong port and a default for a field the section lacks: refused, by the field.
    bad = client.post("/admin/mailboxes/new/", data={
        "name": "Outside", "host": "imap.example.com", "port": "99999", "security": "plain", "login": "x",
        "password": "y", "folder": "INBOX", "section": "lead", "defaults": "no_such_field = 1", "active": "y"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "use tls or starttls" in page and "1 to 65535" in page
    assert "no field no_such_field" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mailbox)) == 1
    # Saving with the password left empty keeps the stored one; "fetch now" polls it.
    saved = client.post(f"/admin/mailboxes/edit/?id={mailbox_id}", data={
        "name": "Sales desk", "host": "127.0.0.1", "port": str(server.port), "security": "plain", "login": LOGIN,
        "password": "", "folder": "INBOX", "section": "lead", "defaults": "source = email", "active": "y",
        "version": "1"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Mailbox, mailbox_id).password == PASSWORD
    deliver(server, make_message("Fetched from the admin", message_id="<adm@equip.example>"))
    fetched = client.post(f"/admin/mailboxes/fetch/{mailbox_id}", follow_redirects=True).get_data(as_text=True)
    assert "Sales desk: 1 new records" in fetched
    client.post("/logout")
    client.post("/login", data={"login": "clerk", "password": "pw"})
    assert client.post(f"/admin/mailboxes/fetch/{mailbox_id}").status_code == 403


def test_the_migration_creates_the_tables_the_models_describe(mail_in):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from core.db import Base

    tables = {"core_mailbox", "core_incoming_email", "core_incoming_attachment"}
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        diff = [item for item in compare_metadata(context, Base.metadata)
                if any(name in repr(item) for name in tables)]
    assert diff == []


def test_two_workers_polling_at_once_take_each_message_in_once(mail_in):
    import threading

    app, records, server = mail_in
    for number in range(6):
        deliver(server, make_message(f"Request {number}", message_id=f"<race{number}@equip.example>"))
    reports, errors = [], []

    def worker():
        try:
            with app.app_context():
                reports.extend(fetch_all(app))
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(reports) == 2
    fetch_all(app)  # whatever a lock made one worker leave is taken now
    db.session.expire_all()
    assert sorted(lead.name for lead in leads()) == [f"Request {n}" for n in range(6)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IncomingEmail)) == 6
    assert sum(report.created for report in reports) <= 6


def test_a_message_over_the_size_limit_stays_on_the_server(make_app, imap_server):
    imap_server.add_user(LOGIN, PASSWORD)
    app = make_app(addons=["sales"], FLOWCASE_MAIL_IN_MAX_MESSAGE=4000)
    with app.app_context():
        app.extensions["flowcase"].records(sudo=True).create("mailbox", {
            "name": "Sales", "host": "127.0.0.1", "port": imap_server.port, "security": "plain",
            "login": LOGIN, "password": PASSWORD, "section": "lead"})
        deliver(imap_server, make_message("Huge", message_id="<huge@equip.example>", body="x" * 8000))
        deliver(imap_server, make_message("Small", message_id="<small@equip.example>"))
        [report] = fetch_all(app)
        assert (report.created, report.failed) == (1, 1)
        assert "over FLOWCASE_MAIL_IN_MAX_MESSAGE" in report.failures[0]
        assert [lead.name for lead in leads()] == ["Small"]
        assert imap_server.flags(LOGIN, PASSWORD) == ["", "\\Seen $FlowcaseFetched"]
